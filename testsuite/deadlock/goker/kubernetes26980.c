/* kubernetes#26980 (Mixed, Channel & Lock): the listener's pop holds its
 * lock while it waits for stopCh; the test's helper needs that lock before
 * it can signal the test, which only closes stopCh after the helper
 * signalled. Fix: pop waits for stopCh without the lock. (The Go test
 * unlocks the helper's lock from another goroutine; here the helper
 * unlocks it itself.) */
#include "goker.h"

struct listener {
  tg_rwmutex lock;
  tg_cond cond;
  int pending;
};

struct pop_arg {
  struct listener *pl;
  tg_chan *stop;
};

static void pop(void *p) {
  struct pop_arg *a = p;
  tg_rwmutex_lock(&a->pl->lock);
  tg_yield();
  if (a->pl->pending > 0) {
    if (fixed)
      tg_rwmutex_unlock(&a->pl->lock);
    tg_chan_recv(a->stop, NULL); /* select { case <-stopCh: return } */
    if (!fixed)
      tg_rwmutex_unlock(&a->pl->lock);
    return;
  }
  tg_rwmutex_unlock(&a->pl->lock);
}

struct helper_arg {
  struct listener *pl;
  tg_chan *result;
};

static void helper(void *p) {
  struct helper_arg *h = p;
  tg_rwmutex_lock(&h->pl->lock);
  tg_chan_close(h->result);
  tg_rwmutex_unlock(&h->pl->lock);
}

static void g(void *p) {
  (void)p;
  struct listener *pl = new0(sizeof *pl);
  struct pop_arg *a = new0(sizeof *a);
  a->pl = pl;
  a->stop = tg_chan_make(0, 0);
  tg_rwmutex_lock(&pl->lock); /* add(1) */
  pl->pending++;
  tg_rwmutex_unlock(&pl->lock);
  GO(pop, a);
  tg_sleep(20 * MS); /* pop holds the lock */
  struct helper_arg *h = new0(sizeof *h);
  h->pl = pl;
  h->result = tg_chan_make(0, 0);
  GO(helper, h);
  tg_chan_recv(h->result, NULL);
  tg_chan_close(a->stop); /* defer close(stopCh) */
}

static void kernel(void) { GO(g, NULL); }
