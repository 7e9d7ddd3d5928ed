/* Many goroutines merging into one sync object at the same moment (each
 * Done of a wait group is a release merge into its clock): each merge
 * must land whole, or the waiter misses a writer's epoch and reports its
 * own read as a race. The object's lock guards its clock, not the
 * stripe's lock the lookup goes without. Twin: race_sync_merge_storm. */
//! races: 0
//! stdout: sum=48000
//! timeout: 120
#include "race_test.h"

#define WORKERS 8
#define ROUNDS  1000

static tg_waitgroup wg;
long data[WORKERS * 8]; /* one cache line each */

static void worker(void *arg) {
  long i = (long)arg;
  data[i * 8] += 6;
  tg_waitgroup_done(&wg);
}

int main(void) {
  long sum = 0;
  for (int r = 0; r < ROUNDS; r++) {
    tg_waitgroup_add(&wg, WORKERS);
    for (long i = 0; i < WORKERS; i++)
      tg_go(worker, (void *)i);
    tg_waitgroup_wait(&wg);
    for (int i = 0; i < WORKERS; i++)
      sum += data[i * 8];
    for (int i = 0; i < WORKERS; i++)
      data[i * 8] = 0;
  }
  printf("sum=%ld\n", sum);
  return 0;
}
