/* Slow paths of the runtime's internal lock (runtime/lock.h): a three-state
 * futex mutex (Drepper, "Futexes Are Tricky"), after a short spin because
 * the critical sections it protects are a few dozen instructions. */
#include "lock.h"
#include "futex.h"

void tg__lock_slow(tg__lock *l) {
  for (int i = 0; i < 64; i++) {
    uint32_t z = 0;
    if (atomic_load_explicit(&l->v, memory_order_relaxed) == 0 &&
        atomic_compare_exchange_weak_explicit(&l->v, &z, 1, memory_order_acquire,
                                              memory_order_relaxed))
      return;
    tg__cpu_relax();
  }
  while (atomic_exchange_explicit(&l->v, 2, memory_order_acquire) != 0)
    tg__futex_wait(&l->v, 2, -1);
}

void tg__unlock_slow(tg__lock *l) {
  tg__futex_wake(&l->v, 1);
}
