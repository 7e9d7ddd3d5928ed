/* moby#17176 (Resource, double locking): cleanupDeletedDevices returns
 * without unlocking when there are no deleted devices; the goroutine that
 * next locks the device set waits for a holder that has moved on, and
 * later exited. Fix: unlock on that path. */
#include "goker.h"

struct device_set {
  tg_mutex mu;
  int nr_deleted;
};

static int cleanup_deleted_devices(struct device_set *d) {
  tg_mutex_lock(&d->mu);
  if (d->nr_deleted == 0) {
    if (fixed)
      tg_mutex_unlock(&d->mu);
    return 0; /* missing devices.Unlock() */
  }
  tg_mutex_unlock(&d->mu);
  return -1;
}

struct locker {
  struct device_set *d;
  tg_chan *done;
};

static void lock_it(void *p) {
  struct locker *l = p;
  tg_mutex_lock(&l->d->mu);
  bool v = true;
  tg_case cs[] = {TG_SEND(l->done, &v)};
  tg_select_nb(cs, 1);
  tg_mutex_unlock(&l->d->mu);
}

static void test_release(void *p) {
  (void)p;
  struct device_set *d = new0(sizeof *d);
  cleanup_deleted_devices(d);
  struct locker *l = new0(sizeof *l);
  *l = (struct locker){d, tg_chan_make(sizeof(bool), 1)};
  GO(lock_it, l);
  tg_case cs[] = {TG_AFTER(TG_MILLISECOND), TG_RECV(l->done, NULL, NULL)};
  tg_select(cs, 2);
}

static void kernel(void) { GO(test_release, NULL); }
