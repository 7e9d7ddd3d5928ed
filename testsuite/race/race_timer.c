/* The twin: main writes after starting the timer (and after creating the
 * goroutine); the tick orders only what came before tg_after. */
//! races: 1
//! stderr: waiter\(\)
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
  tick = tg_after(1000000);
  tg_go(waiter, NULL);
  config = 5;
  int x;
  tg_chan_recv(done, &x);
  return 0;
}
