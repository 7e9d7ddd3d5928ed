/* The wait-for graph over goroutines whose stacks were copied out
 * (runtime/stack_idle.c: a goroutine parked 20 ms or more on a channel has
 * its stack copied out, and its pages dropped, when another goroutine parks
 * in the same queue 40 ms or more after it). A copied-out stack reads as
 * zeros in place, so the scan must read its copy, and reports must unwind it
 * restored.
 *
 * `keeper` makes channel y and starts `y_waiter`s on it; a late y_waiter
 * copies the first ones out.
 *   (none)  keeper then parks on the global channel x with y only in its own
 *           frame, and a later parker on x copies keeper out too. The scan
 *           finds y in the copy of keeper's stack: the y_waiters are live.
 *           Main closes x at the end, keeper closes y. Silent.
 *   lost    keeper exits instead: nothing that can run refers to y any
 *           more. The copied-out y_waiters are reported, with their stacks. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

/* The runtime's counters (runtime/rt.h), to show the case was exercised. */
extern struct { _Atomic unsigned long long copied_out, restored, bytes_out; } tg__stack_idle_stats;

static tg_chan *x;
static tg_waitgroup wg;
static bool lose;

static void y_waiter(void *arg) {
  tg_chan_recv(arg, NULL);
  tg_waitgroup_done(&wg);
}

static void x_waiter(void *arg) {
  (void)arg;
  tg_chan_recv(x, NULL);
  tg_waitgroup_done(&wg);
}

static void start(tg_func fn, void *arg, int n) {
  for (int i = 0; i < n; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(fn, arg);
  }
}

__attribute__((noinline)) static void keeper(void *arg) {
  (void)arg;
  tg_chan *volatile y = tg_chan_make(0, 0);
  start(y_waiter, y, 3);
  tg_sleep(50 * TG_MILLISECOND);
  start(y_waiter, y, 1); /* copies the first three out */
  if (!lose) {
    tg_chan_recv(x, NULL);
    tg_chan_close(y);
  }
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  lose = argc > 1 && strcmp(argv[1], "lost") == 0;
  x = tg_chan_make(0, 0);
  start(keeper, NULL, 1);
  tg_sleep(100 * TG_MILLISECOND);
  start(x_waiter, NULL, 1); /* copies keeper out */
  tg_sleep(500 * TG_MILLISECOND);
  printf("stacks copied out: %s\n", tg__stack_idle_stats.copied_out >= 3 ? "yes" : "no");
  tg_chan_close(x);
  if (!lose)
    tg_waitgroup_wait(&wg);
  printf("main exits\n");
  return 0;
}
