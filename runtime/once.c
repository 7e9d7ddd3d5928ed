/* tg_once: Go's sync.Once. done_ is set only after fn returned, under m_, so
 * a caller that sees done_ == 0 takes m_ and waits for the running fn: every
 * caller returns after fn finished, not merely after it started. A recursive
 * Do on the same Once waits on m_ held by itself: a deadlock, as in Go, left
 * to the deadlock detectors. */
#include "sema.h"

static void once_slow(tg_once *o, tg_func fn, void *arg, const void *pc) {
  tg__mutex_lock_as(&o->m_, o, TG_WAIT_ONCE, TG_RES_ONCE);
  /* Held like a lock while fn runs, so the wait-for graph sees who the
   * other callers wait for. */
  tg__wf_lock_acquired(o, TG_RES_ONCE, pc);
  (void)pc;
  if (__atomic_load_n(&o->done_, __ATOMIC_SEQ_CST) == 0) {
    fn(arg);
    tg__race_release(o); /* fn happens before every Do's return */
    __atomic_store_n(&o->done_, 1, __ATOMIC_SEQ_CST);
  }
  tg__wf_lock_released(o, TG_RES_ONCE);
  tg__mutex_unlock_raw(&o->m_);
}

void tg_once_do(tg_once *o, tg_func fn, void *arg) {
  if (__builtin_expect(__atomic_load_n(&o->done_, __ATOMIC_ACQUIRE) == 0, 0))
    once_slow(o, fn, arg, __builtin_return_address(0));
  tg__race_acquire(o);
}
