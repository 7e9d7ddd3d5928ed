/* pthread peer of memloop.c: the same loop in one POSIX thread. Built plain
 * and with clang's ThreadSanitizer (-fsanitize=thread), the reference the
 * race build's memory loop is measured against. */
#include "../bench.h"
#include "../memloop_kernel.h"
#include <pthread.h>

static long passes;
static uint64_t result; /* written by the worker, read by main after join */

static void *worker(void *arg) {
  (void)arg;
  uint64_t *a = calloc(MEMLOOP_LEN, sizeof *a);
  bench_check(a != NULL, "calloc");
  result = memloop_run(a, MEMLOOP_LEN, passes);
  free(a);
  return NULL;
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 50 * MEMLOOP_LEN);
  passes = n / MEMLOOP_LEN > 0 ? n / MEMLOOP_LEN : 1;
  pthread_t t;
  int64_t t0 = bench_now();
  pthread_create(&t, NULL, worker, NULL);
  pthread_join(t, NULL);
  int64_t t1 = bench_now();
  bench_check(result == memloop_expect(MEMLOOP_LEN, passes), "checksum");
  bench_report("memloop", t1 - t0, passes * MEMLOOP_LEN, NULL);
  return 0;
}
