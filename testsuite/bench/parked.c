/* n parked goroutines: each announces itself on a ready channel, then blocks
 * receiving on one shared channel. Once every one has announced, main reads
 * the resident set size; closing the channel releases them all, and each
 * reports its exit on a done channel. One op = one goroutine's spawn, park
 * and release; rss_per_g_kib = (RSS with all parked - RSS before) / n. */
#include "bench.h"
#include <tangle.h>

static tg_chan *ready, *gate, *done; /* made by main before any waiter starts */
static char token;

static void waiter(void *arg) {
  (void)arg;
  tg_chan_send(ready, &token);
  tg_chan_recv(gate, NULL);
  tg_chan_send(done, &token);
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 1000000);
  ready = tg_chan_make(0, (size_t)n);
  done = tg_chan_make(0, (size_t)n);
  gate = tg_chan_make(0, 0);
  long base = bench_rss_kib();
  int64_t t0 = bench_now();
  for (long i = 0; i < n; i++)
    tg_go(waiter, NULL);
  for (long i = 0; i < n; i++)
    tg_chan_recv(ready, NULL);
  long parked = bench_rss_kib();
  int64_t t1 = bench_now();
  tg_chan_close(gate);
  for (long i = 0; i < n; i++)
    bench_check(tg_chan_recv(done, NULL), "every waiter released");
  int64_t t2 = bench_now();
  bench_report("parked", t2 - t0, n, " rss_per_g_kib=%.3f park_ns=%.1f",
               (double)(parked - base) / (double)n, (double)(t1 - t0) / (double)n);
  return 0;
}
