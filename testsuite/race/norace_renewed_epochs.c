/* TestNoRaceRenewedEpochs: the twin of race_renewed_epochs.c. The stray
 * write now waits for the writer's loop to end through an unbuffered
 * hand-off (which the race build models by joining the two goroutines'
 * clocks directly), so it happens after every renewed write; and the
 * writer's own reads of x after its hand-offs are in program order. */
//! races: 0
//! stdout: x=-1
#include "race_test.h"

long x;
static tg_chan *tick, *handoff, *finished;

static void ticker(void *arg) {
  (void)arg;
  for (int i = 0; i < 200; i++)
    tg_chan_send(tick, &i);
}

static NOINLINE void writer_loop(void) {
  for (int i = 0; i < 200; i++) {
    int v;
    tg_chan_recv(tick, &v);
    KEEP(x); /* a read and a write of x in every epoch */
    x = v;
  }
}

static void writer(void *arg) {
  (void)arg;
  writer_loop();
  tg_chan_send(handoff, &(int){0}); /* everything above -> stray */
  tg_chan_send(finished, &(int){0});
}

static NOINLINE void stray_write(void) {
  x = -1;
}

static void stray(void *arg) {
  (void)arg;
  int v;
  tg_chan_recv(handoff, &v);
  stray_write();
  tg_chan_send(finished, &(int){0});
}

int main(void) {
  tick = tg_chan_make(sizeof(int), 0);
  handoff = tg_chan_make(sizeof(int), 0);
  finished = tg_chan_make(sizeof(int), 2);
  tg_go(ticker, NULL);
  tg_go(writer, NULL);
  tg_go(stray, NULL);
  int v;
  tg_chan_recv(finished, &v);
  tg_chan_recv(finished, &v);
  printf("x=%ld\n", x); /* both sent on finished after their writes */
  return 0;
}
