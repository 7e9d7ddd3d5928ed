/* moby#4951 (Resource, AB-BA): DeleteDevice holds the device set's lock and
 * then the device's; to wait for removal it drops the set's lock and takes
 * it again while still holding the device's. A second deletion of the same
 * device holds the set's lock and waits for the device's. Fix: the device
 * lock is taken first, so the set's lock is never waited for while it is
 * held. */
#include "goker.h"

struct dev_info {
  tg_mutex lock;
};

struct device_set {
  tg_mutex mu;
  struct dev_info *info1;
};

static void remove_device_and_wait(struct device_set *d) {
  tg_mutex_unlock(&d->mu);
  tg_sleep(10 * MS);
  tg_mutex_lock(&d->mu);
}

struct del {
  struct device_set *d;
  int delay_ms;
};

static void delete_device(void *p) {
  struct del *x = p;
  struct device_set *d = x->d;
  tg_sleep(x->delay_ms * MS);
  if (fixed) {
    tg_mutex_lock(&d->info1->lock);
    tg_mutex_lock(&d->mu);
  } else {
    tg_mutex_lock(&d->mu);
    tg_mutex_lock(&d->info1->lock); /* lookupDevice("info1") */
  }
  tg_yield();
  remove_device_and_wait(d); /* deleteDevice */
  tg_mutex_unlock(&d->info1->lock);
  tg_mutex_unlock(&d->mu);
}

static void kernel(void) {
  struct device_set *d = new0(sizeof *d);
  d->info1 = new0(sizeof *d->info1);
  for (int i = 0; i < 2; i++) {
    struct del *x = new0(sizeof *x);
    *x = (struct del){d, i * 3};
    GO(delete_device, x);
  }
}
