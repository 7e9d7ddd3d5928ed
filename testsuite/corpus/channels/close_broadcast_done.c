/* Seed 003_fcee70af208933bf.txt, "When to close a channel" > 2. Broadcasting
 * done signal: closing `done` releases every goroutine waiting on it. The seed
 * has one worker and does not wait for it; the port starts three (the point is
 * "multiple goroutines") and waits with a WaitGroup so their lines are always
 * printed. */
#include <stdint.h>
#include <stdio.h>
#include <tangle.h>

static tg_chan *done;   /* created by main before the workers start */
static tg_waitgroup wg; /* main's */

static void worker(void *arg) {
  tg_chan_recv(done, NULL);
  printf("worker %d: Received done signal\n", (int)(intptr_t)arg);
  tg_waitgroup_done(&wg);
}

int main(void) {
  done = tg_chan_make(0, 0); /* chan struct{} */
  for (int i = 1; i <= 3; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(worker, (void *)(intptr_t)i);
  }
  /* Closing the done channel signals all waiting goroutines */
  tg_chan_close(done);
  tg_waitgroup_wait(&wg);
  tg_chan_free(done);
  return 0;
}
