/* The start of a timer happens before its fire: what main wrote before
 * tg_after is visible to the goroutine that receives the tick. */
//! races: 0
//! stdout: seen=5
#include "race_test.h"

static int config;
static tg_chan *tick, *done;

static void waiter(void *arg) {
  (void)arg;
  int64_t t;
  tg_chan_recv(tick, &t);
  printf("seen=%d\n", config);
  tg_chan_send(done, &(int){1});
}

int main(void) {
  done = tg_chan_make(sizeof(int), 0);
  config = 5;
  tick = tg_after(1000000);
  tg_go(waiter, NULL);
  int x;
  tg_chan_recv(done, &x);
  return 0;
}
