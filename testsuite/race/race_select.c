/* TestRaceSelect: the case that fires orders only its own sender's
 * writes; the other goroutine's write is unordered with main's read. */
//! races: 1
//! env: TANGLE_MAXPROCS=1
//! stderr: other\(\)
#include "race_test.h"

static int x, y;
static tg_chan *c1, *c2, *done;

static void w1(void *arg) {
  (void)arg;
  x = 3;
  tg_chan_send(c1, &(int){1});
}

static void other(void *arg) {
  (void)arg;
  y = 4; /* no channel operation orders this before main's read */
  tg_chan_send(done, &(int){1});
}

int main(void) {
  c1 = tg_chan_make(sizeof(int), 0);
  c2 = tg_chan_make(sizeof(int), 0);
  done = tg_chan_make(sizeof(int), 1);
  tg_go(other, NULL);
  tg_go(w1, NULL);
  int v = 0;
  tg_case cases[2] = {TG_RECV(c1, &v, NULL), TG_RECV(c2, &v, NULL)};
  CHECK(tg_select(cases, 2) == 0);
  printf("x=%d y=%d\n", x, y);
  tg_chan_recv(done, &v);
  return 0;
}
