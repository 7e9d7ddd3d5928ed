/* cockroach#6181 (Resource, RWR deadlock): LookupRangeDescriptor read-locks
 * the range cache and, to print it, String read-locks it again; another
 * lookup that finished its read section queues for the write lock in
 * between. Fix: print with stringLocked, under the lock already held. */
#include "goker.h"

struct cache {
  tg_rwmutex mu;
};

static void to_string(struct cache *c) {
  tg_rwmutex_rlock(&c->mu);
  tg_rwmutex_runlock(&c->mu);
}

struct lookup {
  struct cache *c;
  tg_waitgroup *wg;
  int delay_ms;
};

static void lookup_range_descriptor(void *p) { /* G2, G3 */
  struct lookup *l = p;
  tg_sleep(l->delay_ms * MS);
  tg_rwmutex_rlock(&l->c->mu);
  tg_sleep(l->delay_ms ? 1 * MS : 100 * MS); /* wide: a loaded machine */
  if (!fixed)
    to_string(l->c);
  tg_rwmutex_runlock(&l->c->mu);
  tg_rwmutex_lock(&l->c->mu);
  tg_rwmutex_unlock(&l->c->mu);
  tg_waitgroup_done(l->wg);
}

static void g1(void *p) {
  (void)p;
  struct cache *c = new0(sizeof *c);
  tg_waitgroup *wg = new0(sizeof *wg);
  for (int i = 0; i < 2; i++) {
    struct lookup *l = new0(sizeof *l);
    *l = (struct lookup){c, wg, i * 5};
    tg_waitgroup_add(wg, 1);
    GO(lookup_range_descriptor, l);
  }
  tg_waitgroup_wait(wg);
}

static void kernel(void) { GO(g1, NULL); }
