/* tg_cond: Go's sync.Cond, on a ticket-based notify list (runtime's
 * notifyList).
 *
 * A waiter takes a ticket (wait_++) while still holding the mutex, then
 * unlocks and parks. notify_ is the ticket of the next waiter to be woken:
 * Signal wakes exactly that ticket, so the goroutine that started waiting
 * first is woken first, and a Signal that comes between a waiter's Unlock and
 * its park is not lost (the waiter sees its ticket already notified and does
 * not park). Tickets are 32-bit and compared modulo 2^32. */
#include "sema.h"

#include <assert.h>

struct cond_waiter {
  struct tg_g *g;
  uint32_t ticket;
  struct cond_waiter *next;
};

static_assert(sizeof(tg__lock) == sizeof(uint32_t), "tg_cond.lock_ holds a tg__lock");

static inline tg__lock *cond_lock(tg_cond *c) {
  return (tg__lock *)&c->lock_;
}

/* a before b, modulo 2^32 */
static inline bool ticket_less(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) < 0;
}

void tg_cond_init(tg_cond *c, tg_mutex *m) {
  *c = (tg_cond)TG_COND_INIT(m);
}

void tg_cond_wait(tg_cond *c) {
  if (!c->l_)
    tg_panic("sync: Cond used without a mutex (tg_cond_init)");
  uint32_t t = __atomic_fetch_add(&c->wait_, 1, __ATOMIC_SEQ_CST);
  tg_mutex_unlock(c->l_);

  tg__lock_acquire(cond_lock(c));
  if (ticket_less(t, __atomic_load_n(&c->notify_, __ATOMIC_SEQ_CST))) {
    tg__lock_release(cond_lock(c)); /* already signaled */
  } else {
    struct cond_waiter w = {.g = tg__getg(), .ticket = t};
    if (c->tail_)
      ((struct cond_waiter *)c->tail_)->next = &w;
    else
      c->head_ = &w;
    c->tail_ = &w;
    tg__wf_wait_begin(c, TG_RES_COND);
    tg__park(cond_lock(c), TG_WAIT_COND, c);
    tg__wf_wait_end(c, TG_RES_COND);
  }
  tg__race_acquire(c);
  tg__mutex_lock_at(c->l_, __builtin_return_address(0));
}

static bool nobody_waits(tg_cond *c) {
  return __atomic_load_n(&c->wait_, __ATOMIC_SEQ_CST) ==
         __atomic_load_n(&c->notify_, __ATOMIC_SEQ_CST);
}

void tg_cond_signal(tg_cond *c) {
  tg__race_release_merge(c);
  if (nobody_waits(c))
    return;
  tg__lock_acquire(cond_lock(c));
  uint32_t t = c->notify_;
  if (t == __atomic_load_n(&c->wait_, __ATOMIC_SEQ_CST)) {
    tg__lock_release(cond_lock(c));
    return;
  }
  __atomic_store_n(&c->notify_, t + 1, __ATOMIC_SEQ_CST);
  /* The waiter with ticket t may not have queued yet (it is between its
   * Unlock and taking cond_lock): then it finds its ticket notified. */
  struct cond_waiter *prev = NULL;
  for (struct cond_waiter *w = c->head_; w; prev = w, w = w->next) {
    if (w->ticket != t)
      continue;
    if (prev)
      prev->next = w->next;
    else
      c->head_ = w->next;
    if (c->tail_ == w)
      c->tail_ = prev;
    struct tg_g *g = w->g;
    tg__lock_release(cond_lock(c));
    tg__ready(g);
    return;
  }
  tg__lock_release(cond_lock(c));
}

void tg_cond_broadcast(tg_cond *c) {
  tg__race_release_merge(c);
  if (nobody_waits(c))
    return;
  tg__lock_acquire(cond_lock(c));
  struct cond_waiter *w = c->head_;
  c->head_ = c->tail_ = NULL;
  __atomic_store_n(&c->notify_, __atomic_load_n(&c->wait_, __ATOMIC_SEQ_CST), __ATOMIC_SEQ_CST);
  tg__lock_release(cond_lock(c));
  while (w) {
    /* Read next before readying: the record is on a stack that may be gone
     * as soon as its goroutine runs. */
    struct cond_waiter *next = w->next;
    tg__ready(w->g);
    w = next;
  }
}
