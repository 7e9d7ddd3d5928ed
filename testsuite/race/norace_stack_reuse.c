/* Goroutine stacks are reused by later goroutines: locals of one
 * goroutine (escaping, so instrumented) at the addresses another used
 * before are not a race. */
//! races: 0
//! stdout: sum=
#include "race_test.h"

static tg_waitgroup wg;
static tg_mutex mu;
static long sum;

static NOINLINE void fill(volatile long *buf, int n, long v) {
  for (int i = 0; i < n; i++)
    buf[i] = v + i;
}

static void worker(void *arg) {
  long v = (long)arg;
  volatile long buf[64];
  fill(buf, 64, v);
  long s = 0;
  for (int i = 0; i < 64; i++)
    s += buf[i];
  tg_mutex_lock(&mu);
  sum += s;
  tg_mutex_unlock(&mu);
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (long round = 0; round < 50; round++) {
    for (long i = 0; i < 20; i++) {
      tg_waitgroup_add(&wg, 1);
      tg_go(worker, (void *)(round * 20 + i));
    }
    if (round % 10 == 0)
      tg_waitgroup_wait(&wg);
  }
  tg_waitgroup_wait(&wg);
  printf("sum=%ld\n", sum);
  return 0;
}
