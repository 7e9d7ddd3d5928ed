/* Seed 001_3dfe1f1bcc3944a6.txt, "the tee channel": every value read from in
 * is written to both out1 and out2, in whichever order they are ready; each
 * output is set to nil (a local copy) once written, so its case is disabled
 * for the rest of that value. The usage is the book's: tee the first four
 * values of repeat(done, 1, 2) and print them pairwise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

#define ELEM sizeof(intptr_t)

struct gen {
  tg_chan *done, *out;
};

/* take(done, repeat(done, 1, 2), 4), folded into one generator. */
static void repeat_take(void *arg) {
  struct gen *g = arg;
  for (intptr_t i = 0; i < 4; i++) {
    intptr_t v = i % 2 + 1;
    tg_case cs[] = {TG_RECV(g->done, NULL, NULL), TG_SEND(g->out, &v)};
    if (tg_select(cs, 2) == 0)
      break;
  }
  tg_chan_close(g->out);
}

struct tee_args {
  tg_chan *done, *in, *out1, *out2;
};

static void tee_g(void *arg) {
  struct tee_args *a = arg;
  intptr_t val;
  /* `range orDone(done, in)`, inlined: stop on done or when in closes. */
  for (;;) {
    bool ok;
    tg_case rc[] = {TG_RECV(a->done, NULL, NULL), TG_RECV(a->in, &val, &ok)};
    if (tg_select(rc, 2) == 0 || !ok)
      break;
    tg_chan *out1 = a->out1, *out2 = a->out2; /* shadowed locals */
    for (int i = 0; i < 2; i++) {
      tg_case cs[] = {TG_RECV(a->done, NULL, NULL), TG_SEND(out1, &val), TG_SEND(out2, &val)};
      switch (tg_select(cs, 3)) {
      case 1:
        out1 = NULL;
        break;
      case 2:
        out2 = NULL;
        break;
      }
    }
  }
  tg_chan_close(a->out2); /* deferred closes, last in first out */
  tg_chan_close(a->out1);
}

static void tee(tg_chan *done, tg_chan *in, tg_chan **out1, tg_chan **out2) {
  struct tee_args *a = malloc(sizeof *a);
  *a = (struct tee_args){done, in, tg_chan_make(ELEM, 0), tg_chan_make(ELEM, 0)};
  tg_go(tee_g, a);
  *out1 = a->out1;
  *out2 = a->out2;
}

int main(void) {
  tg_chan *done = tg_chan_make(0, 0);
  struct gen g = {done, tg_chan_make(ELEM, 0)};
  tg_go(repeat_take, &g);
  tg_chan *out1, *out2;
  tee(done, g.out, &out1, &out2);
  intptr_t val1, val2;
  while (tg_chan_recv(out1, &val1)) {
    tg_chan_recv(out2, &val2);
    printf("out1: %ld, out2: %ld\n", (long)val1, (long)val2);
  }
  tg_chan_close(done);
  return 0;
}
