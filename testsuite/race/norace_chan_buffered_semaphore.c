/* TestNoRaceChanSem: a channel of capacity 1 used as a lock: the k-th
 * receive happens before the (k+1)-th send completes. */
//! races: 0
//! stdout: counter=400
#include "race_test.h"

static tg_chan *sem;
static int counter;
static tg_waitgroup wg;

static void worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 100; i++) {
    tg_chan_send(sem, &(char){0}); /* acquire */
    counter++;
    char t;
    tg_chan_recv(sem, &t); /* release */
  }
  tg_waitgroup_done(&wg);
}

int main(void) {
  sem = tg_chan_make(1, 1);
  for (int i = 0; i < 4; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(worker, NULL);
  }
  tg_waitgroup_wait(&wg);
  printf("counter=%d\n", counter);
  return 0;
}
