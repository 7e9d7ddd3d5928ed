/* cockroach#1462 (Mixed, Channel & WaitGroup): the transport's worker
 * sends on Events after checking ShouldStop in a select's default case; the
 * event processor returns at ShouldStop, so the sender blocks forever, its
 * worker never calls SetStopped, and Stop waits on the stopper's group.
 * Fix: the send itself is a case of the select on ShouldStop. The port
 * makes the processor stop as soon as the stopper is closed. */
#include "goker.h"

struct stopper {
  tg_chan *stopper, *stopped;
  tg_waitgroup stop;
  tg_mutex mu;
  tg_cond drain;
  bool draining;
  int num_tasks;
};

struct worker {
  struct stopper *s;
  void (*f)(void *);
  void *arg;
};

static void run(void *p) {
  struct worker *w = p;
  w->f(w->arg);
  tg_waitgroup_done(&w->s->stop); /* defer SetStopped */
}

static void run_worker(struct stopper *s, void (*f)(void *), void *arg) {
  struct worker *w = new0(sizeof *w);
  *w = (struct worker){s, f, arg};
  tg_waitgroup_add(&s->stop, 1);
  GO(run, w);
}

static void quiesce(struct stopper *s) {
  tg_mutex_lock(&s->mu);
  s->draining = true;
  while (s->num_tasks > 0)
    tg_cond_wait(&s->drain);
  tg_mutex_unlock(&s->mu);
}

static void stop(struct stopper *s) {
  quiesce(s);
  tg_chan_close(s->stopper);
  tg_waitgroup_wait(&s->stop);
  tg_mutex_lock(&s->mu);
  tg_chan_close(s->stopped);
  tg_mutex_unlock(&s->mu);
}

struct transport {
  tg_chan *events;
  struct stopper *s;
};

static void transport_loop(void *p) { /* G2 */
  struct transport *lt = p;
  int msg = 0;
  for (;;) {
    if (fixed) {
      tg_case cs[] = {TG_RECV(lt->s->stopper, NULL, NULL), TG_SEND(lt->events, &msg)};
      if (tg_select(cs, 2) == 0)
        return;
    } else {
      tg_case cs[] = {TG_RECV(lt->s->stopper, NULL, NULL)};
      if (tg_select_nb(cs, 1) == 0)
        return;
      tg_chan_send(lt->events, &msg); /* default: */
    }
  }
}

static void process_events(void *p) { /* G3 */
  struct transport *lt = p;
  for (;;) {
    tg_case stop_now[] = {TG_RECV(lt->s->stopper, NULL, NULL)};
    if (tg_select_nb(stop_now, 1) == 0)
      return;
    int v;
    bool ok;
    tg_case cs[] = {TG_RECV(lt->events, &v, &ok), TG_RECV(lt->s->stopper, NULL, NULL)};
    if (tg_select(cs, 2) == 1 || !ok)
      return;
    tg_sleep(5 * MS);
  }
}

static void g1(void *p) {
  (void)p;
  struct stopper *s = new0(sizeof *s);
  s->stopper = tg_chan_make(0, 0);
  s->stopped = tg_chan_make(0, 0);
  tg_cond_init(&s->drain, &s->mu);
  struct transport *lt = new0(sizeof *lt);
  lt->events = tg_chan_make(sizeof(int), 0);
  lt->s = s;
  run_worker(s, transport_loop, lt);
  run_worker(s, process_events, lt);
  tg_sleep(20 * MS);
  stop(s);
}

static void kernel(void) { GO(g1, NULL); }
