/* TestRaceChanRelay: norace_chan_relay's chain, but in the last round the
 * first stage writes its value after its send: nothing orders that write
 * with the last stage's read, however the hand-offs joined the clocks
 * (each partner ticks past what the other learnt). */
//! races: 1
//! stderr: write_late\(\)
//! stderr: read_value\(\)
#include "race_test.h"

#define ROUNDS 4
int data[ROUNDS];
static tg_chan *c1, *c2, *finished;

static NOINLINE void write_late(int k) {
  data[k] = k + 1;
}

static void first(void *arg) {
  (void)arg;
  for (int k = 0; k < ROUNDS; k++) {
    if (k < ROUNDS - 1)
      data[k] = k + 1;
    tg_chan_send(c1, &k);
    if (k == ROUNDS - 1)
      write_late(k);
  }
  tg_chan_send(finished, &(int){0});
}

static void middle(void *arg) {
  (void)arg;
  int k;
  for (int i = 0; i < ROUNDS; i++) {
    tg_chan_recv(c1, &k);
    tg_chan_send(c2, &k);
  }
}

static NOINLINE int read_value(int k) {
  return data[k];
}

static void last(void *arg) {
  (void)arg;
  int k, sum = 0;
  for (int i = 0; i < ROUNDS; i++) {
    tg_chan_recv(c2, &k);
    sum += read_value(k);
  }
  KEEP(sum);
  tg_chan_send(finished, &(int){0});
}

int main(void) {
  c1 = tg_chan_make(sizeof(int), 0);
  c2 = tg_chan_make(sizeof(int), 0);
  finished = tg_chan_make(sizeof(int), 0);
  tg_go(last, NULL);
  tg_go(middle, NULL);
  tg_go(first, NULL);
  int v;
  tg_chan_recv(finished, &v);
  tg_chan_recv(finished, &v);
  return 0;
}
