/* istio#17860 (Communication, Channel): the agent's Run returns as soon as
 * no epoch is active; a Restart that comes after that starts runWait,
 * whose send on statusCh nobody will ever receive. Fix: runWait gives up
 * when the agent's context is done. */
#include "goker.h"

struct agent {
  tg_mutex mu;
  tg_chan *status_ch;
  int current_epoch, active;
  tg_ctx *ctx;
  atomic_bool run_returned; /* forces the buggy order; see late_restart */
};

struct wait_arg {
  struct agent *a;
  int epoch;
};

static void run_wait(void *p) {
  struct wait_arg *w = p;
  if (fixed) {
    tg_case cs[] = {TG_SEND(w->a->status_ch, &w->epoch),
                    TG_RECV(tg_ctx_done(w->a->ctx), NULL, NULL)};
    tg_select(cs, 2);
  } else {
    tg_chan_send(w->a->status_ch, &w->epoch);
  }
}

static void agent_run(void *p) {
  struct agent *a = p;
  for (;;) {
    int status;
    tg_case cs[] = {TG_RECV(a->status_ch, &status, NULL), TG_RECV(tg_ctx_done(a->ctx), NULL, NULL)};
    if (tg_select(cs, 2) == 1)
      break;
    tg_mutex_lock(&a->mu);
    int active = --a->active;
    tg_mutex_unlock(&a->mu);
    if (active == 0)
      break;
  }
  atomic_store(&a->run_returned, true);
}

static void restart(void *p) {
  struct agent *a = p;
  tg_mutex_lock(&a->mu);
  /* waitUntilLive: the proxy is never live; it gives up after a while */
  a->current_epoch++;
  a->active++;
  struct wait_arg *w = new0(sizeof *w);
  *w = (struct wait_arg){a, a->current_epoch};
  GO(run_wait, w);
  tg_mutex_unlock(&a->mu);
}

/* The bug needs this Restart after Run has returned. The original waits
 * 10 ms for that; on a loaded machine Run could still be running then,
 * take the second status too, and the run end clean. */
static void late_restart(void *p) {
  struct agent *a = p;
  while (!atomic_load(&a->run_returned))
    tg_sleep(1 * MS);
  restart(p);
}

static void g(void *p) {
  (void)p;
  struct agent *a = new0(sizeof *a);
  a->status_ch = tg_chan_make(sizeof(int), 0);
  a->ctx = tg_with_cancel(tg_background());
  GO(agent_run, a);
  restart(a);
  GO(late_restart, a);
  tg_sleep(30 * MS);
  tg_cancel(a->ctx); /* defer cancel() */
}

static void kernel(void) {
  GO(g, NULL);
}
