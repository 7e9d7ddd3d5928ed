/* TestNoRaceChanClose: close happens before a receive that returns
 * because the channel is closed. */
//! races: 0
//! stdout: result=99
#include "race_test.h"

static int result;
static tg_chan *done;

static void worker(void *arg) {
  (void)arg;
  result = 99;
  tg_chan_close(done);
}

int main(void) {
  done = tg_chan_make(sizeof(int), 0);
  tg_go(worker, NULL);
  int v;
  CHECK(!tg_chan_recv(done, &v));
  printf("result=%d\n", result);
  return 0;
}
