/* 4-way contended mutex: 4 goroutines each lock, increment a shared
 * counter and unlock n/4 times. One op = one lock/unlock pair. */
#include "bench.h"
#include <tangle.h>

#define WORKERS 4
static tg_mutex mu;  /* zero value is an unlocked mutex */
static long counter; /* guarded by mu */
static long per_worker;
static tg_chan *done; /* made by main before the workers start */
static char token;

static void worker(void *arg) {
  (void)arg;
  for (long i = 0; i < per_worker; i++) {
    tg_mutex_lock(&mu);
    counter++;
    tg_mutex_unlock(&mu);
  }
  tg_chan_send(done, &token);
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 2000000);
  per_worker = n / WORKERS;
  n = per_worker * WORKERS;
  done = tg_chan_make(0, WORKERS);
  int64_t t0 = bench_now();
  for (int i = 0; i < WORKERS; i++)
    tg_go(worker, NULL);
  for (int i = 0; i < WORKERS; i++)
    tg_chan_recv(done, NULL);
  int64_t t1 = bench_now();
  bench_check(counter == n, "counter");
  bench_report("mutex4", t1 - t0, n, NULL);
  return 0;
}
