/* moby#36114 (Resource, double locking): hotAddVHDsAtStart holds the
 * service VM's lock and calls hotRemoveVHDsAtStart, which locks it again.
 * Fix: call the variant that expects the lock held. */
#include "goker.h"

struct svm {
  tg_mutex mu;
};

static void hot_remove_locked(struct svm *s) { (void)s; }

static void hot_remove(struct svm *s) {
  tg_mutex_lock(&s->mu);
  hot_remove_locked(s);
  tg_mutex_unlock(&s->mu);
}

static void hot_add(void *p) {
  struct svm *s = p;
  tg_mutex_lock(&s->mu);
  if (fixed)
    hot_remove_locked(s);
  else
    hot_remove(s);
  tg_mutex_unlock(&s->mu);
}

static void kernel(void) { GO(hot_add, new0(sizeof(struct svm))); }
