/* istio#18454 (Communication, Channel & Context): the strategy's event loop
 * handles a reset with `if !timer.Stop() { <-timer.C }`; when the timer has
 * fired and its tick was already consumed, that receive waits forever, the
 * loop stops draining resetChan (buffer of one), and the processor blocks
 * sending the next reset. Fix: drain the timer's channel without
 * blocking. */
#include "goker.h"

#define EVENTS 4

struct strategy {
  tg_mutex state_lock;
  tg_timer *timer;
  tg_chan *reset_ch;
  tg_ctx *ctx; /* the strategy's worker */
};

static void event_loop(void *p) {
  struct strategy *s = p;
  for (;;) {
    tg_case cs[] = {TG_RECV(tg_timer_chan(s->timer), NULL, NULL), TG_RECV(s->reset_ch, NULL, NULL),
                    TG_RECV(tg_ctx_done(s->ctx), NULL, NULL)};
    int i = tg_select(cs, 3);
    if (i == 1) {
      if (!tg_timer_stop(s->timer)) {
        if (fixed) {
          tg_case drain[] = {TG_RECV(tg_timer_chan(s->timer), NULL, NULL)};
          tg_select_nb(drain, 1);
        } else {
          tg_chan_recv(tg_timer_chan(s->timer), NULL);
        }
      }
      tg_timer_reset(s->timer, TG_MILLISECOND);
    } else if (i == 2) {
      tg_timer_stop(s->timer);
      return;
    }
  }
}

static void on_change(struct strategy *s) {
  tg_mutex_lock(&s->state_lock);
  if (s->timer) {
    tg_mutex_unlock(&s->state_lock);
    tg_chan_send(s->reset_ch, NULL);
    return;
  }
  s->timer = tg_timer_new(TG_MILLISECOND); /* startTimer */
  GO(event_loop, s);
  tg_mutex_unlock(&s->state_lock);
  tg_sleep(5 * MS); /* the timer fires and the loop takes its tick */
}

struct processor {
  struct strategy *s;
  tg_chan *event_ch;
  tg_ctx *ctx;
};

static void run_fn(void *p) {
  struct processor *pr = p;
  for (;;) {
    tg_case cs[] = {TG_RECV(tg_ctx_done(pr->ctx), NULL, NULL), TG_RECV(pr->event_ch, NULL, NULL)};
    if (tg_select(cs, 2) == 0)
      break;
    on_change(pr->s);
  }
  tg_cancel(pr->s->ctx); /* defer stateStrategy.Close() */
}

static void g(void *p) {
  (void)p;
  struct processor *pr = new0(sizeof *pr);
  pr->s = new0(sizeof *pr->s);
  pr->s->reset_ch = tg_chan_make(0, 1);
  pr->s->ctx = tg_with_cancel(tg_background());
  pr->ctx = tg_with_cancel(tg_background());
  pr->event_ch = tg_chan_make(sizeof(int), EVENTS);
  for (int i = 0; i < EVENTS; i++) /* setupFn */
    tg_chan_send(pr->event_ch, &i);
  GO(run_fn, pr);
  tg_sleep(50 * MS);
  tg_cancel(pr->ctx); /* defer p.Stop() */
}

static void kernel(void) { GO(g, NULL); }
