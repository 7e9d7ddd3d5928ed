/* The twin: goroutines still parked at exit, no race: status 0. */
//! races: 0
//! stdout: bye
#include "race_test.h"

static int a;
static tg_chan *started, *never;

static void worker(void *arg) {
  (void)arg;
  a = 1;
  tg_chan_send(started, &(int){1});
  int v;
  tg_chan_recv(never, &v);
}

int main(void) {
  started = tg_chan_make(sizeof(int), 0);
  never = tg_chan_make(sizeof(int), 0);
  tg_go(worker, NULL);
  int v;
  tg_chan_recv(started, &v);
  a = 2;
  printf("bye\n");
  return 0;
}
