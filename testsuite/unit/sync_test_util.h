/* Helpers of the sync, context and semaphore unit tests, on top of the
 * goroutine test harness (go_test_harness.h: bodies run as goroutines,
 * misuse cases in a child that must die with Go's message and status 2).
 *
 * Waiting for another goroutine to reach a state is done by polling a
 * condition with short sleeps, never by a fixed delay: tests assert orders
 * and counts, not times. */
#ifndef SYNC_TEST_UTIL_H
#define SYNC_TEST_UTIL_H

#include "go_test_harness.h"

/* Polls until cond holds, sleeping briefly between tries. */
#define WAIT_UNTIL(cond)                                                                           \
  do {                                                                                             \
    while (!(cond))                                                                                \
      tg_sleep(50 * TG_MICROSECOND);                                                               \
  } while (0)

static inline int load_int(const int *p) {
  return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
static inline void store_int(int *p, int v) {
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
static inline int inc_int(int *p) {
  return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}

#endif
