/* WaitGroup fan-out: Add(n), n goroutines each call Done, main Waits.
 * One op = one goroutine's spawn, run, Done. */
#include "bench.h"
#include <stdatomic.h>
#include <tangle.h>

static tg_waitgroup wg; /* zero value is ready */
static atomic_long ran; /* bumped by every worker */

static void worker(void *arg) {
  (void)arg;
  atomic_fetch_add_explicit(&ran, 1, memory_order_relaxed);
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 1000000);
  int64_t t0 = bench_now();
  tg_waitgroup_add(&wg, n);
  for (long i = 0; i < n; i++)
    tg_go(worker, NULL);
  tg_waitgroup_wait(&wg);
  int64_t t1 = bench_now();
  bench_check(atomic_load(&ran) == n, "every worker ran before Wait returned");
  bench_report("waitgroup", t1 - t0, n, NULL);
  return 0;
}
