/* A goroutine released by a close knows no more than the closer, so it
 * takes the closer's clock by reference instead of copying it. The closer
 * keeps learning afterwards (a receive from `late`, who wrote z): that
 * must not change the clock the released goroutine holds, so its read of
 * z, ordered only by a relaxed flag, still races with late's write. The
 * closer learns from `early` before closing, so the clocks differ and the
 * reference is really taken. */
//! races: 1
//! stderr: reader\(\) .*race_after_adopted_clock\.c
//! stderr: late\(\) .*race_after_adopted_clock\.c
#include "race_test.h"
#include <stdatomic.h>

int z, e;
static atomic_int seen; /* relaxed: orders nothing for the detector */
static tg_chan *gate, *from_early, *from_late, *done;

static void early(void *arg) {
  (void)arg;
  e = 1;
  tg_chan_send(from_early, &e);
}

static void late(void *arg) {
  (void)arg;
  tg_chan_recv(gate, NULL);
  z = 1;
  tg_chan_send(from_late, &z);
}

static void reader(void *arg) {
  (void)arg;
  tg_chan_recv(gate, NULL);
  AWAIT_RELAXED(seen);
  KEEP(z);
  tg_chan_send(done, &z);
}

int main(void) {
  gate = tg_chan_make(0, 0);
  from_early = tg_chan_make(sizeof(int), 1);
  from_late = tg_chan_make(sizeof(int), 1);
  done = tg_chan_make(sizeof(int), 1);
  tg_go(reader, NULL);
  tg_go(late, NULL);
  tg_go(early, NULL);
  int v;
  tg_chan_recv(from_early, &v);
  tg_chan_close(gate);
  tg_chan_recv(from_late, &v);
  atomic_store_explicit(&seen, 1, memory_order_relaxed);
  tg_chan_recv(done, &v);
  return 0;
}
