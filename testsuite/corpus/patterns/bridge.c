/* Seed 001_3dfe1f1bcc3944a6.txt, "the bridge channel": a channel of channels
 * (<-chan <-chan interface{}) flattened into one stream. The outer loop takes
 * the next channel off chanStream; the inner loop repeats its values
 * (through orDone) until it closes. genVals makes ten channels of one value
 * each; bridge(nil, genVals()) prints 0..9 in order. */
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
  tg_chan_close(a->val_stream);
}

static tg_chan *or_done(tg_chan *done, tg_chan *c) {
  struct or_done_args *a = malloc(sizeof *a);
  *a = (struct or_done_args){done, c, tg_chan_make(ELEM, 0)};
  tg_go(or_done_g, a);
  return a->val_stream;
}

struct bridge_args {
  tg_chan *done, *chan_stream, *val_stream;
};

static void bridge_g(void *arg) {
  struct bridge_args *a = arg;
  for (;;) {
    tg_chan *stream, *maybe_stream;
    bool ok;
    tg_case cs[] = {TG_RECV(a->chan_stream, &maybe_stream, &ok), TG_RECV(a->done, NULL, NULL)};
    if (tg_select(cs, 2) == 1 || !ok)
      break;
    stream = maybe_stream;
    tg_chan *vals = or_done(a->done, stream);
    intptr_t val;
    while (tg_chan_recv(vals, &val)) {
      tg_case out[] = {TG_SEND(a->val_stream, &val), TG_RECV(a->done, NULL, NULL)};
      tg_select(out, 2);
    }
  }
  tg_chan_close(a->val_stream);
}

static tg_chan *bridge(tg_chan *done, tg_chan *chan_stream) {
  struct bridge_args *a = malloc(sizeof *a);
  *a = (struct bridge_args){done, chan_stream, tg_chan_make(ELEM, 0)};
  tg_go(bridge_g, a);
  return a->val_stream;
}

static void gen_vals_g(void *arg) {
  tg_chan *chan_stream = arg;
  for (intptr_t i = 0; i < 10; i++) {
    tg_chan *stream = tg_chan_make(ELEM, 1);
    tg_chan_send(stream, &i);
    tg_chan_close(stream);
    tg_chan_send(chan_stream, &stream);
  }
  tg_chan_close(chan_stream);
}

static tg_chan *gen_vals(void) {
  tg_chan *chan_stream = tg_chan_make(sizeof(tg_chan *), 0); /* chan (<-chan interface{}) */
  tg_go(gen_vals_g, chan_stream);
  return chan_stream;
}

int main(void) {
  intptr_t v;
  tg_chan *s = bridge(NULL, gen_vals()); /* a nil done channel never fires */
  while (tg_chan_recv(s, &v))
    printf("%ld ", (long)v);
  printf("\n");
  return 0;
}
