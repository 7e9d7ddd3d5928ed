/* main returns while other goroutines still run: the race they made is
 * summed up at exit all the same. */
//! races: 1
#include "race_test.h"

int a; /* external: the stores must stay */
static tg_chan *started, *never;

static void racer(void *arg) {
  (void)arg;
  a = 1;
  tg_chan_send(started, &(int){1});
  int v;
  tg_chan_recv(never, &v); /* still parked when main returns */
}

int main(void) {
  started = tg_chan_make(sizeof(int), 0);
  never = tg_chan_make(sizeof(int), 0);
  tg_go(racer, NULL);
  int v;
  tg_chan_recv(started, &v);
  tg_yield();
  a = 2; /* ordered after racer's write by the receive: no race here */
  tg_go(racer, NULL);
  a = 3; /* but this one races with the second racer's write */
  tg_chan_recv(started, &v);
  return 0;
}
