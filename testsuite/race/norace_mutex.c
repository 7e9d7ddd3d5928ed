/* TestNoRaceMutex: four goroutines increment under one mutex; main reads
 * after Wait. */
//! races: 0
//! stdout: counter=4000
#include "race_test.h"

static tg_mutex mu;
static long counter;
static tg_waitgroup wg;

static void incr(void *arg) {
  (void)arg;
  for (int i = 0; i < 1000; i++) {
    tg_mutex_lock(&mu);
    counter++;
    tg_mutex_unlock(&mu);
  }
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (int i = 0; i < 4; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(incr, NULL);
  }
  tg_waitgroup_wait(&wg);
  printf("counter=%ld\n", counter);
  return 0;
}
