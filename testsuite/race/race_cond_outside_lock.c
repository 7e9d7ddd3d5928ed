/* TestRaceCond: the producer writes the payload outside the lock, after
 * signalling; the consumer reads it once woken. */
//! races: 1
//! stderr: producer\(\)
#include "race_test.h"

static tg_mutex mu;
static tg_cond cv;
static int ready, payload;
static tg_chan *done;

static void producer(void *arg) {
  (void)arg;
  tg_mutex_lock(&mu);
  ready = 1;
  tg_cond_signal(&cv);
  tg_mutex_unlock(&mu);
  payload = 7; /* after the signal: nothing orders it before the read */
  tg_chan_send(done, &(int){1});
}

int main(void) {
  tg_cond_init(&cv, &mu);
  done = tg_chan_make(sizeof(int), 0);
  tg_go(producer, NULL);
  tg_mutex_lock(&mu);
  while (!ready)
    tg_cond_wait(&cv);
  tg_mutex_unlock(&mu);
  int v = payload;
  int x;
  tg_chan_recv(done, &x);
  printf("payload %d\n", v);
  return 0;
}
