/* exit() called from a goroutine other than main still ends with the
 * race summary and status 66 (the status the program asked for is
 * replaced, as Go's race runtime does). */
//! races: 1
//! stdout: exiting
#include "race_test.h"

int a; /* external: the stores must stay */
static tg_chan *go_ahead, *block;

static void racer(void *arg) {
  (void)arg;
  a = 1; /* before its receive: unordered with main's write */
  int v;
  tg_chan_recv(go_ahead, &v);
  printf("exiting\n");
  exit(0);
}

int main(void) {
  go_ahead = tg_chan_make(sizeof(int), 0);
  block = tg_chan_make(sizeof(int), 0);
  tg_go(racer, NULL);
  a = 3;
  tg_chan_send(go_ahead, &(int){1});
  int v;
  tg_chan_recv(block, &v); /* never returns: racer exits */
  return 1;
}
