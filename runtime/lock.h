/* The runtime's own short-hold lock: spin briefly, then sleep on a futex.
 * Used for run queues, channels, timers, the semaphore table; never held
 * across a park except as the "unlock after switch" argument of tg__park. */
#ifndef TANGLE_LOCK_H
#define TANGLE_LOCK_H

#include <stdatomic.h>
#include <stdint.h>

typedef struct {
  _Atomic uint32_t v; /* 0 unlocked, 1 locked, 2 locked with sleepers */
} tg__lock;

void tg__lock_slow(tg__lock *l);
void tg__unlock_slow(tg__lock *l);

static inline void tg__lock_acquire(tg__lock *l) {
  uint32_t z = 0;
  if (__builtin_expect(atomic_compare_exchange_strong_explicit(&l->v, &z, 1, memory_order_acquire,
                                                               memory_order_relaxed),
                       1))
    return;
  tg__lock_slow(l);
}

static inline void tg__lock_release(tg__lock *l) {
  if (__builtin_expect(atomic_exchange_explicit(&l->v, 0, memory_order_release) == 1, 1))
    return;
  tg__unlock_slow(l);
}

static inline int tg__lock_try(tg__lock *l) {
  uint32_t z = 0;
  return atomic_compare_exchange_strong_explicit(&l->v, &z, 1, memory_order_acquire,
                                                 memory_order_relaxed);
}

#endif
