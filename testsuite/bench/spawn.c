/* Spawn+join: main starts n goroutines, each sends one value on a buffered
 * channel of capacity n, then main drains it. One op = one goroutine's
 * whole life (create, run, send, exit) plus its receive. */
#include "bench.h"
#include <tangle.h>

static tg_chan *results; /* made by main before any worker starts */

static void worker(void *arg) {
  long v = (long)(intptr_t)arg;
  tg_chan_send(results, &v);
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 1000000);
  results = tg_chan_make(sizeof(long), (size_t)n);
  int64_t t0 = bench_now();
  for (long i = 0; i < n; i++)
    tg_go(worker, (void *)(intptr_t)i);
  long v, sum = 0;
  for (long i = 0; i < n; i++) {
    tg_chan_recv(results, &v);
    sum += v;
  }
  int64_t t1 = bench_now();
  bench_check(sum == n * (n - 1) / 2, "sum of sent values");
  bench_report("spawn", t1 - t0, n, NULL);
  return 0;
}
