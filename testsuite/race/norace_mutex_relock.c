/* A mutex unlocked again by its last holder, with nothing learnt in
 * between (the detector then only raises the holder's own entry in the
 * mutex's clock instead of copying its clock): what the holder wrote
 * before its last unlock is visible to the next goroutine that locks.
 * The relaxed flag orders the two in time only (no happens-before), so
 * the mutex is the one edge. Twin: race_mutex_relock. */
//! races: 0
//! stdout: x=1
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
  x = 1;
  tg_mutex_lock(&mu);
  tg_mutex_unlock(&mu); /* the edge */
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
