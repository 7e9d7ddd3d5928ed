/* TestNoRaceSelect: select's cases carry the same edges as the plain
 * operations. */
//! races: 0
//! stdout: x=3 y=4
#include "race_test.h"

static int x, y;
static tg_chan *c1, *c2;

static void w1(void *arg) {
  (void)arg;
  x = 3;
  tg_chan_send(c1, &(int){1});
}

static void w2(void *arg) {
  (void)arg;
  y = 4;
  tg_chan_send(c2, &(int){2});
}

int main(void) {
  c1 = tg_chan_make(sizeof(int), 0);
  c2 = tg_chan_make(sizeof(int), 1);
  tg_go(w1, NULL);
  tg_go(w2, NULL);
  int v1 = 0, v2 = 0, got = 0;
  while (got < 2) {
    tg_case cases[2] = {TG_RECV(c1, &v1, NULL), TG_RECV(c2, &v2, NULL)};
    int i = tg_select(cases, 2);
    CHECK(i == 0 || i == 1);
    got++;
  }
  printf("x=%d y=%d\n", x, y);
  return 0;
}
