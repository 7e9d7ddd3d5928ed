/* Twin of norace_mutex_relock: the holder writes after its last unlock,
 * so the mutex's clock (its own entry raised in place) must not cover
 * the write. */
//! races: 1
//! stderr: holder\(\)|next\(\)
#include "race_test.h"

#include <stdatomic.h>

static tg_mutex mu;
long x;
static atomic_int ready;
static tg_waitgroup wg;

static void holder(void *arg) {
  (void)arg;
  for (int i = 0; i < 10; i++) {
    tg_mutex_lock(&mu);
    tg_mutex_unlock(&mu);
  }
  tg_mutex_lock(&mu);
  tg_mutex_unlock(&mu);
  x = 1; /* after the unlock: unordered */
  atomic_store_explicit(&ready, 1, memory_order_relaxed);
  tg_waitgroup_done(&wg);
}

static void next(void *arg) {
  (void)arg;
  AWAIT_RELAXED(ready);
  tg_mutex_lock(&mu);
  tg_mutex_unlock(&mu);
  printf("x=%ld\n", x);
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(holder, NULL);
  tg_go(next, NULL);
  tg_waitgroup_wait(&wg);
  return 0;
}
