/* Seed 001_3dfe1f1bcc3944a6.txt, "or-done channel": orDone wraps a channel so
 * the consumer can go back to a simple range loop, while the wrapper still
 * stops when done is closed. The seed shows `for val := range orDone(done,
 * myChan)`; the port feeds myChan five values and closes it, then shows that
 * closing done also ends a range over a channel that never closes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

#define ELEM sizeof(intptr_t)

struct or_done_args {
  tg_chan *done, *c, *val_stream;
};

static void or_done_g(void *arg) {
  struct or_done_args *a = arg;
  for (;;) {
    intptr_t v;
    bool ok;
    tg_case cs[] = {TG_RECV(a->done, NULL, NULL), TG_RECV(a->c, &v, &ok)};
    if (tg_select(cs, 2) == 0 || !ok)
      break;
    tg_case out[] = {TG_SEND(a->val_stream, &v), TG_RECV(a->done, NULL, NULL)};
    tg_select(out, 2);
  }
  tg_chan_close(a->val_stream); /* defer close(valStream) */
}

static tg_chan *or_done(tg_chan *done, tg_chan *c) {
  struct or_done_args *a = malloc(sizeof *a);
  *a = (struct or_done_args){done, c, tg_chan_make(ELEM, 0)};
  tg_go(or_done_g, a);
  return a->val_stream;
}

static void feed(void *arg) {
  tg_chan *my_chan = arg;
  for (intptr_t i = 1; i <= 5; i++)
    tg_chan_send(my_chan, &i);
  tg_chan_close(my_chan);
}

static void close_later(void *arg) {
  tg_sleep(20 * TG_MILLISECOND);
  tg_chan_close(arg);
}

int main(void) {
  tg_chan *done = tg_chan_make(0, 0);
  tg_chan *my_chan = tg_chan_make(ELEM, 0);
  tg_go(feed, my_chan);
  intptr_t val;
  tg_chan *s = or_done(done, my_chan);
  while (tg_chan_recv(s, &val))
    printf("%ld ", (long)val); /* Do something with val */
  printf("\n");

  tg_chan *never = tg_chan_make(ELEM, 0); /* nobody sends, nobody closes */
  tg_go(close_later, done);
  s = or_done(done, never);
  int n = 0;
  while (tg_chan_recv(s, &val))
    n++;
  printf("range over a silent channel ended by done after %d values\n", n);
  return 0;
}
