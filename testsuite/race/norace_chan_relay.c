/* TestNoRaceChanRelay: values relayed through a chain of goroutines on
 * unbuffered channels carry happens-before along the chain, both ways:
 * what the first stage wrote before its send is visible to the last stage
 * after its receive (through the middle stage's hand-off, which must pass
 * on the first stage's clock entry, not just the two partners'), and what
 * the last stage wrote before its receive is visible to the first stage
 * once the middle one acknowledges (a receive happens before the send it
 * completes finishes). Several rounds, so that the later hand-offs join
 * clocks the goroutines already own (the detector's one-pass case). */
//! races: 0
//! stdout: sum=10 back=10
#include "race_test.h"

#define ROUNDS 4
static int data[ROUNDS], back[ROUNDS];
static int first_sum, last_sum; /* printed by main, in a fixed order */
static tg_chan *c1, *c2, *ack, *finished;

static void first(void *arg) {
  (void)arg;
  int sum = 0, v;
  for (int k = 0; k < ROUNDS; k++) {
    data[k] = k + 1;
    tg_chan_send(c1, &k);
    tg_chan_recv(ack, &v);
    sum += back[k]; /* written by the last stage before its receive */
  }
  first_sum = sum;
  tg_chan_send(finished, &(int){0});
}

static void middle(void *arg) {
  (void)arg;
  int k;
  for (int i = 0; i < ROUNDS; i++) {
    tg_chan_recv(c1, &k);
    tg_chan_send(c2, &k);
    tg_chan_send(ack, &k);
  }
}

static void last(void *arg) {
  (void)arg;
  int sum = 0, k;
  for (int i = 0; i < ROUNDS; i++) {
    back[i] = i + 1;
    tg_chan_recv(c2, &k);
    sum += data[k]; /* written by the first stage before its send */
  }
  last_sum = sum;
  tg_chan_send(finished, &(int){0});
}

int main(void) {
  c1 = tg_chan_make(sizeof(int), 0);
  c2 = tg_chan_make(sizeof(int), 0);
  ack = tg_chan_make(sizeof(int), 0);
  finished = tg_chan_make(sizeof(int), 0);
  tg_go(last, NULL);
  tg_go(middle, NULL);
  tg_go(first, NULL);
  int v;
  tg_chan_recv(finished, &v);
  tg_chan_recv(finished, &v);
  printf("sum=%d back=%d\n", last_sum, first_sum);
  return 0;
}
