/* Two goroutines hand a token back and forth over an unbuffered channel
 * for many rounds, each writing the shared cell before its send and
 * reading it after its receive. After the first rounds their clocks are
 * equal but for their own epochs (the detector then joins only those):
 * every round's write must still reach the other side. Twin:
 * race_chan_pingpong. */
//! races: 0
//! stdout: cell=200
#include "race_test.h"

#define ROUNDS 100
long cell;
static tg_chan *c, *done;

static void pong(void *arg) {
  (void)arg;
  for (int i = 0; i < ROUNDS; i++) {
    tg_chan_recv(c, NULL);
    cell++; /* after ping's write, before ping's next read */
    tg_chan_send(c, NULL);
  }
  tg_chan_send(done, NULL);
}

int main(void) {
  c = tg_chan_make(0, 0);
  done = tg_chan_make(0, 0);
  tg_go(pong, NULL);
  for (int i = 0; i < ROUNDS; i++) {
    cell++;
    tg_chan_send(c, NULL);
    tg_chan_recv(c, NULL);
  }
  tg_chan_recv(done, NULL);
  printf("cell=%ld\n", cell);
  return 0;
}
