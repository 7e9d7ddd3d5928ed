/* TestRaceAtomicVsPlain: an atomic increment and a plain write of the
 * same variable, unordered. */
//! races: 1
//! stderr: plain_writer\(\)
#include "race_test.h"
#include <stdatomic.h>

static atomic_int counter;
static tg_waitgroup wg;

static void atomic_user(void *arg) {
  (void)arg;
  atomic_fetch_add_explicit(&counter, 1, memory_order_relaxed);
  tg_waitgroup_done(&wg);
}

static void plain_writer(void *arg) {
  (void)arg;
  *(int *)&counter = 5;
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(atomic_user, NULL);
  tg_go(plain_writer, NULL);
  tg_waitgroup_wait(&wg);
  return 0;
}
