/* TestRaceMutex: one goroutine increments under the mutex, the other
 * without it. */
//! races: 1
//! stderr: counter_locked\(\)|counter_unlocked\(\)
#include "race_test.h"

static tg_mutex mu;
static long counter;
static tg_waitgroup wg;

static void counter_locked(void *arg) {
  (void)arg;
  for (int i = 0; i < 1000; i++) {
    tg_mutex_lock(&mu);
    counter++;
    tg_mutex_unlock(&mu);
  }
  tg_waitgroup_done(&wg);
}

static void counter_unlocked(void *arg) {
  (void)arg;
  for (int i = 0; i < 1000; i++)
    counter++;
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(counter_locked, NULL);
  tg_go(counter_unlocked, NULL);
  tg_waitgroup_wait(&wg);
  printf("counter=%ld\n", counter);
  return 0;
}
