/* A select's chosen receive writes the case's element and every send case
 * reads its element, like tg_chan_recv and tg_chan_send: accesses ordered
 * by the channel operations (and a done channel) are not races. The racy
 * twin (race_select_elem) reads the received value before the receiver
 * said it was done, and writes the value to send while the select may be
 * reading it. */
//! races: 0
//! stdout: got=7 sent=9
#include "race_test.h"

long got;  /* written by the receiver's select */
long sent; /* read by the sender's select */
static tg_chan *ch, *ch2, *done;

static void receiver(void *arg) {
  (void)arg;
  tg_case cs[] = {TG_RECV(ch, &got, NULL), TG_AFTER(10 * TG_SECOND)};
  CHECK(tg_select(cs, 2) == 0);
  tg_chan_send(done, NULL);
}

static void sender(void *arg) {
  (void)arg;
  tg_case cs[] = {TG_SEND(ch2, &sent), TG_AFTER(10 * TG_SECOND)};
  CHECK(tg_select(cs, 2) == 0);
}

int main(void) {
  ch = tg_chan_make(sizeof(long), 0);
  ch2 = tg_chan_make(sizeof(long), 0);
  done = tg_chan_make(0, 0);
  tg_go(receiver, NULL);
  long v = 7;
  tg_chan_send(ch, &v);
#ifndef RACY
  tg_chan_recv(done, NULL);
#endif
  long seen = got; /* RACY: the receiver's write is not ordered before */
#ifdef RACY
  tg_chan_recv(done, NULL);
#endif

#ifndef RACY
  sent = 9; /* before the sender exists */
#endif
  tg_go(sender, NULL);
#ifdef RACY
  sent = 9; /* while the sender's select may read it */
#endif
  long w;
  tg_chan_recv(ch2, &w);
  printf("got=%ld sent=%ld\n", seen, w);
  return 0;
}
