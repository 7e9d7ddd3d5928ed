/* kubernetes#10182 (Mixed, Channel & Lock): SetPodStatus holds
 * podStatusesLock while it sends on podStatusChannel; the status manager's
 * loop, which receives from it, takes podStatusesLock (DeletePodStatus)
 * between two receives. Fix: send after releasing the lock. */
#include "goker.h"

struct status_manager {
  tg_rwmutex lock;
  tg_chan *ch;
};

static void sync_loop(void *p) { /* G1 */
  struct status_manager *s = p;
  for (int i = 0; i < 2; i++) {
    tg_chan_recv(s->ch, NULL); /* syncBatch */
    tg_sleep(5 * MS);          /* runtime.Gosched() */
    tg_rwmutex_lock(&s->lock); /* DeletePodStatus */
    tg_rwmutex_unlock(&s->lock);
  }
}

struct setter {
  struct status_manager *s;
  int delay_ms;
};

static void set_pod_status(void *p) { /* G2, G3 */
  struct setter *x = p;
  tg_sleep(x->delay_ms * MS);
  bool v = true;
  tg_rwmutex_lock(&x->s->lock);
  if (fixed) {
    tg_rwmutex_unlock(&x->s->lock);
    tg_chan_send(x->s->ch, &v);
    return;
  }
  tg_chan_send(x->s->ch, &v);
  tg_rwmutex_unlock(&x->s->lock);
}

static void kernel(void) {
  struct status_manager *s = new0(sizeof *s);
  s->ch = tg_chan_make(sizeof(bool), 0);
  GO(sync_loop, s);
  for (int i = 0; i < 2; i++) {
    struct setter *x = new0(sizeof *x);
    *x = (struct setter){s, 1 + 2 * i};
    GO(set_pod_status, x);
  }
}
