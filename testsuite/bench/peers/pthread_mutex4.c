/* pthread peer of mutex4.c: 4 threads contend on one pthread mutex. Built
 * plain and with clang's ThreadSanitizer. */
#include "../bench.h"
#include <pthread.h>

#define WORKERS 4
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long counter; /* guarded by mu */
static long per_worker;

static void *worker(void *arg) {
  (void)arg;
  for (long i = 0; i < per_worker; i++) {
    pthread_mutex_lock(&mu);
    counter++;
    pthread_mutex_unlock(&mu);
  }
  return NULL;
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 2000000);
  per_worker = n / WORKERS;
  n = per_worker * WORKERS;
  pthread_t t[WORKERS];
  int64_t t0 = bench_now();
  for (int i = 0; i < WORKERS; i++)
    pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < WORKERS; i++)
    pthread_join(t[i], NULL);
  int64_t t1 = bench_now();
  bench_check(counter == n, "counter");
  bench_report("mutex4", t1 - t0, n, NULL);
  return 0;
}
