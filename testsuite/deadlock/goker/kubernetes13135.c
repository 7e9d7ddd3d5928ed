/* kubernetes#13135 (Resource, AB-BA): the cacher's startCaching holds the
 * cacher's lock while the reflector replaces the watch cache's contents
 * (watch cache lock); an Add on the watch cache holds its lock while it
 * calls the cacher's processEvent (cacher lock). Fix: the watch cache calls
 * the event handler after releasing its own lock. */
#include "goker.h"

struct cacher {
  tg_mutex mu;
  tg_waitgroup initialized;
  tg_once init_once;
  tg_rwmutex wc_mu; /* the watch cache's */
  tg_chan *stop;
};

static void init_done(void *p) { tg_waitgroup_done(&((struct cacher *)p)->initialized); }

static void on_replace(struct cacher *c) {
  tg_once_do(&c->init_once, init_done, c);
  tg_mutex_unlock(&c->mu);
}

static void replace(struct cacher *c) { /* reflector.ListAndWatch -> syncWith */
  tg_rwmutex_lock(&c->wc_mu);
  on_replace(c);
  tg_rwmutex_unlock(&c->wc_mu);
}

static void start_caching(struct cacher *c) {
  tg_mutex_lock(&c->mu);
  replace(c);
}

static void until_stopped(void *p) { /* G2: Util(startCaching, 0, stop) */
  struct cacher *c = p;
  for (;;) {
    tg_case cs[] = {TG_RECV(c->stop, NULL, NULL)};
    if (tg_select_nb(cs, 1) == 0)
      return;
    start_caching(c);
    tg_sleep(1 * MS);
  }
}

static void add(void *p) { /* G3: watchCache.Add -> processEvent */
  struct cacher *c = p;
  tg_rwmutex_lock(&c->wc_mu);
  if (fixed)
    tg_rwmutex_unlock(&c->wc_mu);
  tg_mutex_lock(&c->mu); /* onEvent: cacher.processEvent */
  tg_mutex_unlock(&c->mu);
  if (!fixed)
    tg_rwmutex_unlock(&c->wc_mu);
}

static void g(void *p) {
  (void)p;
  struct cacher *c = new0(sizeof *c);
  c->stop = tg_chan_make(0, 0);
  tg_waitgroup_add(&c->initialized, 1);
  GO(until_stopped, c);
  tg_waitgroup_wait(&c->initialized); /* NewCacher */
  GO(add, c);
  tg_sleep(10 * MS);
  tg_chan_close(c->stop);
}

static void kernel(void) { GO(g, NULL); }
