/* etcd#7492 (Mixed, Channel & Lock): assignSimpleTokenToUser holds
 * simpleTokensMu while it sends on the keeper's addSimpleTokenCh (buffer
 * of one); the keeper's loop, which drains that channel, is itself waiting
 * for simpleTokensMu in its expiry branch. Fix: the token is handed to the
 * keeper after the mutex is released. The port lets the ticker branch
 * start before the buffer fills. */
#include "goker.h"

struct token_simple;

struct keeper {
  tg_chan *add, *stop;
  struct token_simple *t;
};

struct token_simple {
  tg_rwmutex mu;
  struct keeper *k;
};

static void delete_token(struct token_simple *t) {
  tg_rwmutex_lock(&t->mu);
  tg_rwmutex_unlock(&t->mu);
}

static void keeper_run(void *p) { /* G1 */
  struct keeper *k = p;
  tg_ticker *tick = tg_ticker_new(TG_MILLISECOND);
  for (;;) {
    tg_chan *wait;
    tg_case cs[] = {TG_RECV(k->add, NULL, NULL), TG_RECV(tg_ticker_chan(tick), NULL, NULL),
                    TG_RECV(k->stop, &wait, NULL)};
    int i = tg_select(cs, 3);
    if (i == 1) {
      tg_sleep(20 * MS); /* runtime.Gosched(): the tokens get assigned */
      delete_token(k->t);
    } else if (i == 2) {
      tg_chan_send(wait, NULL);
      break;
    }
  }
  tg_ticker_stop(tick);
  tg_ticker_free(tick);
}

static void assign(struct token_simple *t) {
  tg_rwmutex_lock(&t->mu);
  tg_yield();
  if (fixed)
    tg_rwmutex_unlock(&t->mu);
  tg_chan_send(t->k->add, NULL); /* addSimpleToken */
  if (!fixed)
    tg_rwmutex_unlock(&t->mu);
}

struct auth {
  struct token_simple *t;
  tg_waitgroup wg;
  int delay_ms;
};

struct authenticate {
  struct auth *a;
  int delay_ms;
};

static void authenticate(void *p) { /* G2 */
  struct authenticate *x = p;
  tg_sleep(x->delay_ms * MS);
  assign(x->a->t);
  tg_waitgroup_done(&x->a->wg);
}

static void g(void *p) {
  (void)p;
  struct auth *a = new0(sizeof *a);
  a->t = new0(sizeof *a->t);
  struct keeper *k = new0(sizeof *k);
  k->add = tg_chan_make(0, 1);
  k->stop = tg_chan_make(sizeof(tg_chan *), 0);
  k->t = a->t;
  a->t->k = k;
  GO(keeper_run, k); /* enable */
  tg_waitgroup_add(&a->wg, 2);
  for (int i = 0; i < 2; i++) {
    struct authenticate *x = new0(sizeof *x);
    *x = (struct authenticate){a, 3 + 3 * i};
    GO(authenticate, x);
  }
  tg_waitgroup_wait(&a->wg);
  /* tearDown: disable */
  tg_chan *wait = tg_chan_make(0, 0);
  tg_chan_send(k->stop, &wait);
  tg_chan_recv(wait, NULL);
  tg_rwmutex_lock(&a->t->mu);
  tg_rwmutex_unlock(&a->t->mu);
}

static void kernel(void) { GO(g, NULL); }
