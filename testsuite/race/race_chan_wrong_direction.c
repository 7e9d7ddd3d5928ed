/* TestRaceChanSendAfter: a write after the send is not ordered before the
 * receiver's read. */
//! races: 1
//! stderr: sender\(\)
#include "race_test.h"

static int x;
static tg_chan *c, *done;

static void sender(void *arg) {
  (void)arg;
  tg_chan_send(c, &(int){1});
  x = 1; /* after the send */
  tg_chan_send(done, &(int){1});
}

int main(void) {
  c = tg_chan_make(sizeof(int), 1);
  done = tg_chan_make(sizeof(int), 0);
  tg_go(sender, NULL);
  int v;
  tg_chan_recv(c, &v);
  int seen = x;
  tg_chan_recv(done, &v);
  printf("%d\n", seen);
  return 0;
}
