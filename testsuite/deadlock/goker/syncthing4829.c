/* syncthing#4829 (Resource, double locking): clearAddresses holds the
 * mapping's write lock while notify read-locks it. Fix: notify after
 * releasing it. */
#include "goker.h"

struct mapping {
  tg_rwmutex mut; /* L2 */
  int naddresses;
};

struct service {
  tg_rwmutex mut; /* L1 */
  struct mapping *m;
};

static void notify(struct mapping *m) {
  tg_rwmutex_rlock(&m->mut);
  tg_rwmutex_runlock(&m->mut);
}

static void clear_addresses(struct mapping *m) {
  tg_rwmutex_lock(&m->mut);
  int removed = m->naddresses;
  m->naddresses = 0;
  if (fixed)
    tg_rwmutex_unlock(&m->mut);
  if (removed > 0)
    notify(m);
  if (!fixed)
    tg_rwmutex_unlock(&m->mut);
}

static void g1(void *p) {
  (void)p;
  struct service *s = new0(sizeof *s);
  tg_rwmutex_lock(&s->mut); /* NewMapping */
  s->m = new0(sizeof *s->m);
  tg_rwmutex_unlock(&s->mut);
  s->m->naddresses = 1;
  tg_rwmutex_lock(&s->mut); /* RemoveMapping */
  clear_addresses(s->m);
  tg_rwmutex_unlock(&s->mut);
}

static void kernel(void) { GO(g1, NULL); }
