/* kubernetes#62464 (Resource, RWR deadlock): GetCPUSetOrDefault holds the
 * state's read lock while GetCPUSet read-locks it again; RemoveContainer's
 * SetDefaultCPUSet queues for the write lock in between. Fix: the inner
 * accessors run under the outer read lock without locking again. */
#include "goker.h"

struct state {
  tg_rwmutex mu;
};

static void get_cpu_set(struct state *s) {
  tg_sleep(20 * MS); /* runtime.Gosched(): the writer queues */
  if (!fixed)
    tg_rwmutex_rlock(&s->mu);
  if (!fixed)
    tg_rwmutex_runlock(&s->mu);
}

static void reconcile_state(void *p) { /* G1: GetCPUSetOrDefault */
  struct state *s = p;
  tg_rwmutex_rlock(&s->mu);
  get_cpu_set(s);
  tg_rwmutex_runlock(&s->mu);
}

static void remove_container(void *p) { /* G2 */
  struct state *s = p;
  tg_sleep(5 * MS);
  tg_rwmutex_rlock(&s->mu); /* GetDefaultCPUSet */
  tg_rwmutex_runlock(&s->mu);
  tg_rwmutex_lock(&s->mu); /* SetDefaultCPUSet */
  tg_yield();
  tg_rwmutex_unlock(&s->mu);
}

static void kernel(void) {
  struct state *s = new0(sizeof *s);
  GO(reconcile_state, s);
  GO(remove_container, s);
}
