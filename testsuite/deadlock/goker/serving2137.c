/* serving#2137 (Mixed, Channel & Lock): the breaker test holds each
 * request's lock, then unlocks them one at a time, waiting for each
 * request's verdict in turn. The second request's goroutine took the only
 * active slot and waits for its (still locked) request lock; the first
 * request's goroutine waits for the active slot; the test waits for the
 * first verdict. Fix: unlock every request, then collect the verdicts. */
#include "goker.h"

struct breaker {
  tg_chan *pending, *active;
};

struct request {
  tg_mutex *lock;
  tg_chan *accepted;
  struct breaker *b;
  int delay_ms;
};

static bool maybe(struct breaker *b, struct request *r) {
  tg_case cs[] = {TG_SEND(b->pending, NULL)};
  if (tg_select_nb(cs, 1) < 0)
    return false; /* the pending queue is full */
  tg_chan_send(b->active, NULL);
  tg_mutex_lock(r->lock); /* thunk: blocks on the locked request */
  tg_yield();
  tg_mutex_unlock(r->lock);
  tg_chan_recv(b->active, NULL);
  tg_chan_recv(b->pending, NULL);
  return true;
}

static void request_goroutine(void *p) { /* G2, G3 */
  struct request *r = p;
  tg_sleep(r->delay_ms * MS);
  bool ok = maybe(r->b, r);
  tg_chan_send(r->accepted, &ok);
}

static void g1(void *p) {
  (void)p;
  struct breaker *b = new0(sizeof *b);
  b->pending = tg_chan_make(0, 2);
  b->active = tg_chan_make(0, 1);
  struct request *rs[2];
  for (int i = 0; i < 2; i++) { /* concurrentRequests(2) */
    rs[i] = new0(sizeof **rs);
    rs[i]->lock = new0(sizeof(tg_mutex));
    rs[i]->accepted = tg_chan_make(sizeof(bool), 1);
    rs[i]->b = b;
    rs[i]->delay_ms = i == 0 ? 10 : 0; /* the second request goes first */
    tg_mutex_lock(rs[i]->lock);
    GO(request_goroutine, rs[i]);
  }
  tg_sleep(5 * MS);
  if (fixed) {
    for (int i = 0; i < 2; i++)
      tg_mutex_unlock(rs[i]->lock);
    for (int i = 0; i < 2; i++)
      tg_chan_recv(rs[i]->accepted, NULL);
    return;
  }
  for (int i = 0; i < 2; i++) { /* unlockAll */
    tg_mutex_unlock(rs[i]->lock);
    bool ok;
    tg_chan_recv(rs[i]->accepted, &ok);
    tg_chan_send(rs[i]->accepted, &ok);
  }
}

static void kernel(void) { GO(g1, NULL); }
