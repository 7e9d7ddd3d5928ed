/* TestNoRaceCond: the producer sets the value under the lock and signals;
 * the consumer waits for it in a loop under the same lock. */
//! races: 0
//! stdout: got 7
#include "race_test.h"

static tg_mutex mu;
static tg_cond cv;
static int ready, value;

static void producer(void *arg) {
  (void)arg;
  tg_mutex_lock(&mu);
  value = 7;
  ready = 1;
  tg_cond_signal(&cv);
  tg_mutex_unlock(&mu);
}

int main(void) {
  tg_cond_init(&cv, &mu);
  tg_go(producer, NULL);
  tg_mutex_lock(&mu);
  while (!ready)
    tg_cond_wait(&cv);
  int v = value;
  tg_mutex_unlock(&mu);
  printf("got %d\n", v);
  return 0;
}
