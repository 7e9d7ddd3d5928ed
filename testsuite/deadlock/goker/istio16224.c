/* istio#16224 (Mixed, Channel & Lock): the event handler holds the test's
 * mutex while it sends on `done`; the test goroutine takes that mutex
 * before receiving from `done`. Fix: the handler sends after unlocking
 * (and, the monitor's Run, on stop, no longer waits for one more event). */
#include "goker.h"

struct controller {
  tg_chan *event_ch, *done, *stop;
  tg_mutex lock;
};

static void handler(struct controller *c) {
  tg_mutex_lock(&c->lock);
  bool v = true;
  if (fixed) {
    tg_mutex_unlock(&c->lock);
    tg_chan_send(c->done, &v);
    return;
  }
  tg_chan_send(c->done, &v);
  tg_mutex_unlock(&c->lock);
}

static void run(void *p) { /* G2: the config store monitor */
  struct controller *c = p;
  for (;;) {
    int ev;
    bool ok;
    tg_case cs[] = {TG_RECV(c->stop, NULL, NULL), TG_RECV(c->event_ch, &ev, &ok)};
    if (tg_select(cs, 2) == 0) {
      if (!fixed && tg_chan_recv(c->event_ch, NULL))
        tg_chan_close(c->event_ch);
      return;
    }
    if (ok)
      handler(c); /* processConfigEvent -> applyHandlers */
  }
}

static void g(void *p) {
  (void)p;
  struct controller *c = new0(sizeof *c);
  c->event_ch = tg_chan_make(sizeof(int), 0);
  c->done = tg_chan_make(sizeof(bool), 0);
  c->stop = tg_chan_make(0, 0);
  GO(run, c);
  int ev = 0;
  tg_chan_send(c->event_ch, &ev); /* controller.Create() */
  tg_sleep(5 * MS);               /* the handler holds the lock */
  tg_mutex_lock(&c->lock);
  tg_mutex_unlock(&c->lock);
  tg_chan_recv(c->done, NULL);
  tg_chan_close(c->stop);
}

static void kernel(void) { GO(g, NULL); }
