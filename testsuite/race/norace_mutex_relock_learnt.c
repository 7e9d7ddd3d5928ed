/* A mutex unlocked again by its last holder after the holder learnt
 * something elsewhere (a receive): the unlock must pass on what it
 * learnt, not only raise its own entry in the mutex's clock. The writer's
 * y reaches `next` through the channel, then the mutex. The relaxed flag
 * orders things in time only. Twin: race_mutex_relock_learnt. Also the
 * program of the _buffered pair (CH_CAP) and of both race twins
 * (RECV_AFTER_UNLOCK). */
//! races: 0
//! stdout: y=1
#ifndef CH_CAP
#define CH_CAP 0
#endif
#include "race_test.h"

#include <stdatomic.h>

static tg_mutex mu;
long y;
static atomic_int ready;
static tg_waitgroup wg;
static tg_chan *ch, *start;

static void writer(void *arg) {
  (void)arg;
  y = 1;
  tg_chan_send(ch, NULL);
  tg_waitgroup_done(&wg);
}

static void holder(void *arg) {
  (void)arg;
  /* A first hand-off, after a few releases, gives the holder a clock of
   * its own (its creator's entry folded in) that the mutex's clock is a
   * copy of: from then on only the stamp of the holder's clock tells that
   * it learnt something. */
  for (int i = 0; i < 10; i++) {
    tg_mutex_lock(&mu);
    tg_mutex_unlock(&mu);
  }
  tg_chan_recv(start, NULL);
  for (int i = 0; i < 10; i++) {
    tg_mutex_lock(&mu);
    tg_mutex_unlock(&mu);
  }
#ifndef RECV_AFTER_UNLOCK
  tg_chan_recv(ch, NULL);
#endif
  tg_mutex_lock(&mu);
  tg_mutex_unlock(&mu);
#ifdef RECV_AFTER_UNLOCK  /* the race twins */
  tg_chan_recv(ch, NULL); /* after the unlock: learnt too late */
#endif
  atomic_store_explicit(&ready, 1, memory_order_relaxed);
  tg_waitgroup_done(&wg);
}

static void next(void *arg) {
  (void)arg;
  AWAIT_RELAXED(ready);
  tg_mutex_lock(&mu);
  tg_mutex_unlock(&mu);
  printf("y=%ld\n", y);
  tg_waitgroup_done(&wg);
}

int main(void) {
  ch = tg_chan_make(0, CH_CAP);
  start = tg_chan_make(0, 0);
  tg_waitgroup_add(&wg, 3);
  tg_go(holder, NULL);
  tg_go(writer, NULL);
  tg_go(next, NULL);
  tg_chan_send(start, NULL);
  tg_waitgroup_wait(&wg);
  return 0;
}
