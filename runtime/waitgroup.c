/* tg_waitgroup: Go's sync.WaitGroup.
 *
 * state_ holds the counter (high 32 bits, signed) and the number of waiters
 * (low 32 bits) in one word, so Add can see atomically whether it brought the
 * counter to zero with waiters present. The Add that does resets the word to
 * zero before waking them: the group can be reused at once, and a waiter that
 * finds the word non-zero after waking knows it was reused too early. */
#include "sema.h"

static inline uint64_t load_state(tg_waitgroup *wg) {
  return __atomic_load_n(&wg->state_, __ATOMIC_SEQ_CST);
}

void tg_waitgroup_add(tg_waitgroup *wg, int64_t delta) {
  if (delta < 0)
    tg__race_release_merge(wg); /* Done happens before the Wait it releases */
  uint64_t state = __atomic_add_fetch(&wg->state_, (uint64_t)delta << 32, __ATOMIC_SEQ_CST);
  int32_t v = (int32_t)(state >> 32);
  uint32_t w = (uint32_t)state;
  if (v < 0)
    tg_panic("sync: negative WaitGroup counter");
  /* The first Add of a round raced a Wait that had already parked. */
  if (w != 0 && delta > 0 && v == (int32_t)delta)
    tg_panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  if (v > 0 || w == 0)
    return;
  /* Counter is 0 with waiters: nobody may touch the word any more (an Add now
   * would be the misuse just checked), so check it did not change. */
  if (load_state(wg) != state)
    tg_panic("sync: WaitGroup misuse: Add called concurrently with Wait");
  __atomic_store_n(&wg->state_, 0, __ATOMIC_SEQ_CST);
  for (; w != 0; w--)
    tg__semrelease(&wg->sema_, false);
}

void tg_waitgroup_done(tg_waitgroup *wg) {
  tg_waitgroup_add(wg, -1);
}

void tg_waitgroup_wait(tg_waitgroup *wg) {
  uint64_t state = load_state(wg);
  for (;;) {
    if ((int32_t)(state >> 32) == 0)
      break; /* counter is zero: nothing to wait for */
    if (__atomic_compare_exchange_n(&wg->state_, &state, state + 1, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST)) {
      tg__semacquire(&wg->sema_, false, TG_WAIT_WAITGROUP, wg, TG_RES_WAITGROUP);
      if (load_state(wg) != 0)
        tg_panic("sync: WaitGroup is reused before previous Wait has returned");
      break;
    }
  }
  tg__race_acquire(wg);
}
