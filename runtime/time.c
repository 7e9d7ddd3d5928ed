/* Sleep, timers and tickers (Go's time package) on the runtime timers.
 *
 * A timer's channel has a buffer of one element (the fire time, tg_now
 * clock). As in Go 1.23, Stop and Reset also drop a tick still sitting in the
 * buffer, so a receive after them never sees a stale value. */
#include "chan.h"

#include <stdlib.h>

struct tg_timer {
  struct tg_rtimer rt;
  struct tg_chan *c;
  bool is_after; /* from tg_after: freed with its channel */
  int64_t period;
};

struct tg_ticker {
  struct tg_timer t;
};

static void sleep_wake(struct tg_g *g) {
  tg__ready(g);
}

struct sleep_arm {
  struct tg_g *g;
  int64_t when;
};

static void sleep_commit(void *arg) {
  struct sleep_arm *a = arg;
  tg__sleep_timer_arm(a->g, a->when, sleep_wake);
}

void tg_sleep(int64_t ns) {
  if (ns <= 0)
    return;
  struct tg_g *g = tg__getg();
  if (!g || g->is_g0)
    tg__fatal("tg_sleep called outside a goroutine");
  struct sleep_arm a = {g, tg_now() + ns};
  tg__park_fn(sleep_commit, &a, TG_WAIT_SLEEP, NULL);
  tg__sleep_timer_cancel(g);
}

static void timer_fire(void *arg, int64_t now) {
  struct tg_timer *t = arg;
  /* Never blocks: a slow reader of a ticker loses ticks, as in Go. */
  tg__chan_try_send(t->c, &now);
}

static struct tg_timer *timer_make(int64_t ns, int64_t period) {
  tg__init();
  struct tg_timer *t = calloc(1, sizeof(struct tg_ticker));
  if (!t)
    tg_panic("out of memory creating a timer");
  t->c = tg_chan_make(sizeof(int64_t), 1);
  t->c->timer = t;
  t->c->race_timer = t;
  t->period = period;
  t->rt.f = timer_fire;
  t->rt.arg = t;
  t->rt.period = period;
  tg__race_release(t); /* the start of the timer happens before its fire */
  tg__timer_add(&t->rt, tg_now() + (ns > 0 ? ns : 0));
  return t;
}

tg_chan *tg_after(int64_t ns) {
  struct tg_timer *t = timer_make(ns, 0);
  t->is_after = true;
  return t->c;
}

tg_timer *tg_timer_new(int64_t ns) {
  return timer_make(ns, 0);
}

tg_chan *tg_timer_chan(tg_timer *t) {
  if (!t)
    tg_panic("tg_timer_chan: nil timer");
  return t->c;
}

bool tg_timer_stop(tg_timer *t) {
  if (!t)
    tg_panic("tg_timer_stop: nil timer");
  bool pending = tg__timer_del(&t->rt);
  tg__chan_drain(t->c);
  return pending;
}

bool tg_timer_reset(tg_timer *t, int64_t ns) {
  if (!t)
    tg_panic("tg_timer_reset: nil timer");
  bool pending = tg__timer_del(&t->rt);
  tg__chan_drain(t->c);
  tg__race_release(t);
  tg__timer_add(&t->rt, tg_now() + (ns > 0 ? ns : 0));
  return pending;
}

void tg_timer_free(tg_timer *t) {
  if (!t)
    return;
  tg__timer_del(&t->rt);
  t->c->timer = NULL;
  tg_chan_free(t->c);
  tg__race_free_sync(t);
  free(t);
}

/* tg_chan_free of a timer's channel: tg_after's channel owns its timer. */
void tg__time_chan_freed(struct tg_timer *t) {
  tg__timer_del(&t->rt);
  if (t->is_after) {
    tg__race_free_sync(t);
    free(t);
  }
}

tg_ticker *tg_ticker_new(int64_t period) {
  if (period <= 0)
    tg_panic("non-positive interval for tg_ticker_new");
  return (tg_ticker *)timer_make(period, period);
}

tg_chan *tg_ticker_chan(tg_ticker *t) {
  if (!t)
    tg_panic("tg_ticker_chan: nil ticker");
  return t->t.c;
}

void tg_ticker_stop(tg_ticker *t) {
  if (!t)
    tg_panic("tg_ticker_stop: nil ticker");
  tg__timer_del(&t->t.rt);
  tg__chan_drain(t->t.c);
}

void tg_ticker_free(tg_ticker *t) {
  tg_timer_free(t ? &t->t : NULL);
}
