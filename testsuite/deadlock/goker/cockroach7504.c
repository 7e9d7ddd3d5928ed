/* cockroach#7504 (Resource, AB-BA): AcquireByName locks the table-name
 * cache (L2) and then a lease (L1); Release holds the lease (L1) while
 * removing it from the name cache (L2). Fix: the lease's lock is released
 * before it is removed from the cache. */
#include "goker.h"

struct lease {
  tg_mutex mu; /* L1 */
};

struct name_cache {
  tg_mutex mu; /* L2 */
  struct lease *tables[2];
};

struct table_state {
  tg_mutex mu; /* L3 */
  struct name_cache *nc;
  struct lease *active[2];
};

static void cache_get(struct name_cache *c, int id) {
  tg_mutex_lock(&c->mu);
  struct lease *l = c->tables[id];
  if (l) {
    tg_mutex_lock(&l->mu);
    tg_mutex_unlock(&l->mu);
  }
  tg_mutex_unlock(&c->mu);
}

static void cache_remove(struct name_cache *c, struct lease *l) {
  tg_mutex_lock(&c->mu);
  tg_yield();
  for (int i = 0; i < 2; i++)
    if (c->tables[i] == l)
      c->tables[i] = NULL;
  tg_mutex_unlock(&c->mu);
}

static void release(void *p) { /* G2 */
  struct table_state *t = p;
  tg_mutex_lock(&t->mu);
  struct lease *s = t->active[0];
  tg_mutex_lock(&s->mu);
  tg_yield();
  if (fixed)
    tg_mutex_unlock(&s->mu);
  cache_remove(t->nc, s); /* removeLease */
  if (!fixed)
    tg_mutex_unlock(&s->mu);
  tg_mutex_unlock(&t->mu);
}

static void acquire_by_name(void *p) { /* G1 */
  cache_get(p, 0);
}

static void kernel(void) {
  struct name_cache *nc = new0(sizeof *nc);
  struct table_state *ts = new0(sizeof *ts);
  ts->nc = nc;
  for (int i = 0; i < 2; i++)
    nc->tables[i] = ts->active[i] = new0(sizeof(struct lease));
  GO(acquire_by_name, nc);
  GO(release, ts);
}
