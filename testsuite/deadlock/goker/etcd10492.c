/* etcd#10492 (Resource, double locking): Renew holds the lessor's lock while
 * it calls the checkpointer, and Checkpoint locks it again. Fix: call the
 * checkpointer after releasing the lock. */
#include "goker.h"

struct lessor;
typedef void (*checkpointer)(struct lessor *);

struct lessor {
  tg_rwmutex mu;
  checkpointer cp;
};

static void checkpoint(struct lessor *le) {
  tg_rwmutex_lock(&le->mu);
  tg_rwmutex_unlock(&le->mu);
}

static void renew(struct lessor *le) {
  tg_rwmutex_lock(&le->mu);
  checkpointer cp = le->cp;
  if (fixed) {
    tg_rwmutex_unlock(&le->mu);
    if (cp)
      cp(le);
    return;
  }
  if (cp)
    cp(le);
  tg_rwmutex_unlock(&le->mu);
}

static void g1(void *p) {
  (void)p;
  struct lessor *le = new0(sizeof *le);
  tg_rwmutex_lock(&le->mu); /* SetCheckpointer */
  le->cp = checkpoint;
  tg_rwmutex_unlock(&le->mu);
  tg_rwmutex_lock(&le->mu);
  tg_rwmutex_unlock(&le->mu);
  renew(le);
}

static void kernel(void) { GO(g1, NULL); }
