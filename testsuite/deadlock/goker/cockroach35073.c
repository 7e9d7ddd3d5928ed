/* cockroach#35073 (Communication, Channel): the outbox can end during start
 * without closing its RowChannel: pushers keep sending on the full data
 * channel and block forever. Fix: the outbox's run tells the channel that
 * its consumer is closed (which drains it and stops further sends). */
#include "goker.h"

enum { NEED_MORE_ROWS, DRAIN_REQUESTED, CONSUMER_CLOSED };
#define BUF_ROWS 16

struct outbox {
  _Atomic int status;
  tg_chan *data;
  tg_waitgroup *wg;
};

static void consumer_closed(struct outbox *o) {
  atomic_store(&o->status, CONSUMER_CLOSED);
  tg_case cs[] = {TG_RECV(o->data, NULL, NULL)};
  tg_select_nb(cs, 1);
}

static void push(struct outbox *o) {
  if (atomic_load(&o->status) == NEED_MORE_ROWS) {
    int msg = 0;
    tg_chan_send(o->data, &msg);
  }
}

static void run(void *p) {
  struct outbox *o = p;
  if (fixed)
    consumer_closed(o);
  tg_waitgroup_done(o->wg);
}

struct blocked {
  struct outbox *o;
  tg_waitgroup wg;
};

static void blocked_pusher(void *p) {
  struct blocked *b = p;
  push(b->o);
  tg_waitgroup_done(&b->wg);
}

static void g(void *p) {
  (void)p;
  struct outbox *o = new0(sizeof *o);
  o->data = tg_chan_make(sizeof(int), BUF_ROWS);
  tg_waitgroup *wg = new0(sizeof *wg);
  for (int i = 0; i < BUF_ROWS; i++)
    push(o);
  struct blocked *b = new0(sizeof *b);
  b->o = o;
  tg_waitgroup_add(&b->wg, 1);
  GO(blocked_pusher, b);
  tg_sleep(10 * MS); /* the pusher blocks first */
  o->wg = wg;
  tg_waitgroup_add(wg, 1);
  GO(run, o);
  tg_waitgroup_wait(wg);
  push(o);
}

static void kernel(void) { GO(g, NULL); }
