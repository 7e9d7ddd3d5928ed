/* TestRaceChanSem with capacity 2: two holders of the "semaphore" at once
 * race on the counter. */
//! races: 1
//! env: TANGLE_MAXPROCS=1
#include "race_test.h"

static tg_chan *sem;
static int counter;
static tg_waitgroup wg;

static void worker(void *arg) {
  (void)arg;
  tg_chan_send(sem, &(char){0});
  counter++;
  tg_yield();
  char t;
  tg_chan_recv(sem, &t);
  tg_waitgroup_done(&wg);
}

int main(void) {
  sem = tg_chan_make(1, 2);
  for (int i = 0; i < 2; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(worker, NULL);
  }
  tg_waitgroup_wait(&wg);
  printf("counter=%d\n", counter);
  return 0;
}
