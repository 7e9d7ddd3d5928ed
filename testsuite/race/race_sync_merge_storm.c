/* Twin of norace_sync_merge_storm: in the last round one worker writes
 * its slot after its Done, so nothing orders that write before main's
 * read (the relaxed flag orders them in time only). */
//! races: 1
//! stderr: worker\(\)
//! timeout: 120
#include "race_test.h"

#include <stdatomic.h>

#define WORKERS 8
#define ROUNDS  1000

static tg_waitgroup wg;
long data[WORKERS * 8];
static atomic_int late;

static void worker(void *arg) {
  long i = (long)arg & 0xff, last = (long)arg >> 8;
  data[i * 8] += 6;
  tg_waitgroup_done(&wg);
  if (i == 3 && last) {
    data[i * 8] += 1; /* after the Done */
    atomic_store_explicit(&late, 1, memory_order_relaxed);
  }
}

int main(void) {
  long sum = 0;
  for (int r = 0; r < ROUNDS; r++) {
    long last = r == ROUNDS - 1;
    tg_waitgroup_add(&wg, WORKERS);
    for (long i = 0; i < WORKERS; i++)
      tg_go(worker, (void *)(i | last << 8));
    tg_waitgroup_wait(&wg);
    if (last)
      AWAIT_RELAXED(late);
    for (int i = 0; i < WORKERS; i++)
      sum += data[i * 8];
    if (!last)
      for (int i = 0; i < WORKERS; i++)
        data[i * 8] = 0;
  }
  printf("sum=%ld\n", sum);
  return 0;
}
