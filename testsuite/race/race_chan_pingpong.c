/* Twin of norace_chan_pingpong: in one late round pong writes the cell
 * after its send, so that write is concurrent with ping's next one. */
//! races: 1
//! stderr: pong\(\)|main\(\)
#include "race_test.h"

#define ROUNDS 100
long cell;
static tg_chan *c, *done;

static void pong(void *arg) {
  (void)arg;
  for (int i = 0; i < ROUNDS; i++) {
    tg_chan_recv(c, NULL);
    if (i != ROUNDS / 2)
      cell++;
    tg_chan_send(c, NULL);
    if (i == ROUNDS / 2)
      cell++; /* after the send: unordered with main's next write */
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
