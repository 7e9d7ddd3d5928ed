/* Uncontended mutex: one goroutine locks and unlocks n times, touching a
 * counter inside. One op = one lock/unlock pair. */
#include "bench.h"
#include <tangle.h>

static tg_mutex mu;  /* zero value is an unlocked mutex */
static long counter; /* guarded by mu */

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 10000000);
  int64_t t0 = bench_now();
  for (long i = 0; i < n; i++) {
    tg_mutex_lock(&mu);
    counter++;
    tg_mutex_unlock(&mu);
  }
  int64_t t1 = bench_now();
  bench_check(counter == n, "counter");
  bench_report("mutex_uncontended", t1 - t0, n, NULL);
  return 0;
}
