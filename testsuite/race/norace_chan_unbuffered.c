/* TestNoRaceChanSync: a send happens before the receive that completes it,
 * and an unbuffered receive happens before that send completes: data
 * written before either side's operation is visible after the other's. */
//! races: 0
//! stdout: a=1 b=2
#include "race_test.h"

static int a, b;
static tg_chan *c;

static void peer(void *arg) {
  (void)arg;
  a = 1;
  tg_chan_send(c, &(int){0}); /* a -> main */
  int v;
  tg_chan_recv(c, &v);
  printf("a=%d b=%d\n", a, b); /* main wrote b before its send */
  tg_chan_send(c, &(int){0});
}

int main(void) {
  c = tg_chan_make(sizeof(int), 0);
  tg_go(peer, NULL);
  int v;
  tg_chan_recv(c, &v);
  a++; /* after the peer's write */
  a = 1;
  b = 2;
  tg_chan_send(c, &v);
  tg_chan_recv(c, &v);
  return 0;
}
