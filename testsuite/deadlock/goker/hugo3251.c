/* hugo#3251 (Resource, RWR deadlock): URLLock holds the map's lock (L1)
 * while it waits for the URL's mutex (L2); URLUnlock, which releases L2,
 * first read-locks L1. Fix: take L2 after releasing L1. */
#include "goker.h"

struct remote_lock {
  tg_rwmutex mu; /* L1 */
  tg_mutex *url_mu; /* m[url], L2 */
};

static void url_lock(struct remote_lock *l) {
  tg_rwmutex_lock(&l->mu);
  if (!l->url_mu)
    l->url_mu = new0(sizeof *l->url_mu);
  tg_mutex *m = l->url_mu;
  if (fixed)
    tg_rwmutex_unlock(&l->mu);
  tg_mutex_lock(m);
  tg_yield();
  if (!fixed)
    tg_rwmutex_unlock(&l->mu);
}

static void url_unlock(struct remote_lock *l) {
  tg_rwmutex_rlock(&l->mu);
  tg_mutex_unlock(l->url_mu);
  tg_rwmutex_runlock(&l->mu);
}

struct getter {
  struct remote_lock *l;
  tg_waitgroup *wg;
  int delay_ms;
};

static void res_get_remote(void *p) { /* G2 */
  struct getter *g = p;
  tg_sleep(g->delay_ms * MS);
  url_lock(g->l);
  tg_sleep(10 * MS); /* the other getter takes L1 meanwhile */
  url_unlock(g->l);
  tg_waitgroup_done(g->wg);
}

static void g1(void *p) {
  (void)p;
  struct remote_lock *l = new0(sizeof *l);
  tg_waitgroup *wg = new0(sizeof *wg);
  for (int i = 0; i < 2; i++) {
    struct getter *g = new0(sizeof *g);
    *g = (struct getter){l, wg, i * 5};
    tg_waitgroup_add(wg, 1);
    GO(res_get_remote, g);
  }
  tg_waitgroup_wait(wg);
}

static void kernel(void) { GO(g1, NULL); }
