/* RWMutex read-mostly: 4 goroutines; each op takes the write lock one time
 * in 100 (and bumps a version), otherwise the read lock (and reads a small
 * shared table). One op = one lock/unlock pair of either kind. */
#include "bench.h"
#include <tangle.h>

#define WORKERS     4
#define WRITE_EVERY 100
static tg_rwmutex rw;  /* zero value is an unlocked rwmutex */
static long table[16]; /* guarded by rw */
static long per_worker;
static tg_chan *done; /* made by main before the workers start */

static void worker(void *arg) {
  (void)arg;
  long seen = 0;
  for (long i = 0; i < per_worker; i++) {
    if (i % WRITE_EVERY == 0) {
      tg_rwmutex_lock(&rw);
      table[i & 15]++;
      tg_rwmutex_unlock(&rw);
    } else {
      tg_rwmutex_rlock(&rw);
      seen += table[i & 15];
      tg_rwmutex_runlock(&rw);
    }
  }
  tg_chan_send(done, &seen);
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 2000000);
  per_worker = n / WORKERS;
  n = per_worker * WORKERS;
  done = tg_chan_make(sizeof(long), WORKERS);
  int64_t t0 = bench_now();
  for (int i = 0; i < WORKERS; i++)
    tg_go(worker, NULL);
  long seen;
  for (int i = 0; i < WORKERS; i++)
    tg_chan_recv(done, &seen);
  int64_t t1 = bench_now();
  long writes = 0;
  for (int i = 0; i < 16; i++)
    writes += table[i];
  bench_check(writes == WORKERS * ((per_worker + WRITE_EVERY - 1) / WRITE_EVERY), "writes");
  bench_report("rwmutex", t1 - t0, n, NULL);
  return 0;
}
