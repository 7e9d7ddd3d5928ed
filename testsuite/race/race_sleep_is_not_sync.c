/* A sleep is not synchronization: the write "long before" the read still
 * races with it. */
//! races: 1
#include "race_test.h"

static int data;
static tg_chan *done;

static void early(void *arg) {
  (void)arg;
  data = 1;
  tg_chan_send(done, &(int){1});
}

int main(void) {
  done = tg_chan_make(sizeof(int), 1);
  tg_go(early, NULL);
  tg_sleep(20 * 1000 * 1000);
  int v = data;
  int x;
  tg_chan_recv(done, &x);
  printf("%d\n", v);
  return 0;
}
