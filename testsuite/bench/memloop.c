/* Memory-bound loop in one goroutine (see memloop_kernel.h); argv[1] is the
 * number of element updates, rounded to whole passes. */
#include "bench.h"
#include "memloop_kernel.h"
#include <tangle.h>

static long passes;
static uint64_t result;
static tg_chan *done; /* made by main before the worker starts */

static void worker(void *arg) {
  (void)arg;
  uint64_t *a = calloc(MEMLOOP_LEN, sizeof *a);
  bench_check(a != NULL, "calloc");
  result = memloop_run(a, MEMLOOP_LEN, passes);
  free(a);
  tg_chan_send(done, &(char){0});
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 50 * MEMLOOP_LEN);
  passes = n / MEMLOOP_LEN > 0 ? n / MEMLOOP_LEN : 1;
  done = tg_chan_make(0, 0);
  int64_t t0 = bench_now();
  tg_go(worker, NULL);
  tg_chan_recv(done, NULL);
  int64_t t1 = bench_now();
  bench_check(result == memloop_expect(MEMLOOP_LEN, passes), "checksum");
  bench_report("memloop", t1 - t0, passes * MEMLOOP_LEN, NULL);
  return 0;
}
