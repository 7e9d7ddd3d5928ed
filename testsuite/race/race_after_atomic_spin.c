/* Every atomic access goes into the history (an atomic's accesses race
 * with plain ones). main writes x, then loads an atomic two million times
 * (a spin-wait); the goroutine's write to x races with main's, and the
 * report must still restore main's stack: the repeated load is recorded
 * once, not two million times (32 MiB of events, 32 times the default
 * history). */
//! races: 1
//! stderr: Previous write at .* by goroutine 1:\n  main\(\) .*race_after_atomic_spin\.c
#include "race_test.h"
#include <stdatomic.h>

long x;
static atomic_int go_ahead, spin;

static void late_writer(void *arg) {
  tg_chan *done = arg;
  AWAIT_RELAXED(go_ahead);
  x = 2;
  tg_chan_send(done, NULL);
}

int main(void) {
  tg_chan *done = tg_chan_make(0, 0);
  tg_go(late_writer, done);
  x = 1;
  int sum = 0;
  for (int i = 0; i < 2000000; i++)
    sum += atomic_load_explicit(&spin, memory_order_relaxed);
  KEEP(sum);
  atomic_store_explicit(&go_ahead, 1, memory_order_relaxed);
  tg_chan_recv(done, NULL);
  return 0;
}
