/* cockroach#24808 (Communication, Channel): the compactor's channel (buffer
 * of one) already holds a suggestion when Start sends another before
 * starting the worker that drains it: Start blocks forever. Fix: start the
 * worker first. */
#include "goker.h"

struct stopper {
  tg_waitgroup stop;
  tg_chan *stopper;
};

struct compactor {
  tg_chan *ch;
  struct stopper *s;
};

static void worker(void *p) {
  struct compactor *c = p;
  for (;;) {
    tg_case cs[] = {TG_RECV(c->s->stopper, NULL, NULL), TG_RECV(c->ch, NULL, NULL)};
    if (tg_select(cs, 2) == 0)
      break;
  }
  tg_waitgroup_done(&c->s->stop);
}

static void start(struct compactor *c) {
  if (!fixed)
    tg_chan_send(c->ch, NULL);
  tg_waitgroup_add(&c->s->stop, 1);
  GO(worker, c);
  if (fixed)
    tg_chan_send(c->ch, NULL);
}

static void g1(void *p) {
  (void)p;
  struct compactor *c = new0(sizeof *c);
  c->s = new0(sizeof *c->s);
  c->s->stopper = tg_chan_make(0, 0);
  c->ch = tg_chan_make(0, 1);
  tg_chan_send(c->ch, NULL);
  start(c);
  tg_chan_close(c->s->stopper); /* defer stopper.Stop() */
}

static void kernel(void) { GO(g1, NULL); }
