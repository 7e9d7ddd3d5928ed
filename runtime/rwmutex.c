/* tg_rwmutex: Go's sync.RWMutex.
 *
 * reader_count_ counts readers holding or waiting for the lock; a writer
 * subtracts MAX_READERS from it, which makes it negative: arriving readers
 * see that and park on reader_sema_, so a waiting writer is not starved by a
 * stream of readers. reader_wait_ counts the readers the writer still waits
 * for (those active when it announced itself); the last of them wakes it on
 * writer_sema_. Writers exclude each other with the inner mutex w_.
 *
 * Detector edges: Unlock -> RLock and Lock on the rwmutex's address;
 * RUnlock -> Lock on a second address (rw + 1), so readers do not
 * synchronize with each other, as in Go. */
#include "sema.h"

#define MAX_READERS (1 << 30)

static inline const void *reader_addr(tg_rwmutex *rw) {
  return (const char *)rw + 1;
}

void tg_rwmutex_rlock(tg_rwmutex *rw) {
  if (__atomic_add_fetch(&rw->reader_count_, 1, __ATOMIC_SEQ_CST) < 0) {
    /* A writer is pending: wait for it to finish. */
    tg__semacquire(&rw->reader_sema_, false, TG_WAIT_RWMUTEX_R, rw, TG_RES_RWMUTEX_R);
  }
  tg__race_acquire(rw);
  tg__wf_lock_acquired(rw, TG_RES_RWMUTEX_R, __builtin_return_address(0));
}

bool tg_rwmutex_tryrlock(tg_rwmutex *rw) {
  int32_t c = __atomic_load_n(&rw->reader_count_, __ATOMIC_SEQ_CST);
  for (;;) {
    if (c < 0)
      return false;
    if (__atomic_compare_exchange_n(&rw->reader_count_, &c, c + 1, false, __ATOMIC_SEQ_CST,
                                    __ATOMIC_SEQ_CST))
      break;
  }
  tg__race_acquire(rw);
  tg__wf_lock_tried(rw, TG_RES_RWMUTEX_R, __builtin_return_address(0));
  return true;
}

void tg_rwmutex_runlock(tg_rwmutex *rw) {
  tg__wf_lock_released(rw, TG_RES_RWMUTEX_R);
  tg__race_release_merge(reader_addr(rw));
  int32_t r = __atomic_sub_fetch(&rw->reader_count_, 1, __ATOMIC_SEQ_CST);
  if (r >= 0)
    return;
  /* Either a writer is pending, or there was no reader to unlock. */
  if (r + 1 == 0 || r + 1 == -MAX_READERS)
    tg__fatal("sync: RUnlock of unlocked RWMutex");
  if (__atomic_sub_fetch(&rw->reader_wait_, 1, __ATOMIC_SEQ_CST) == 0)
    tg__semrelease(&rw->writer_sema_, false); /* the last reader lets the writer in */
}

void tg_rwmutex_lock(tg_rwmutex *rw) {
  tg__mutex_lock_as(&rw->w_, rw, TG_WAIT_RWMUTEX_W, TG_RES_RWMUTEX_W);
  /* Announce the writer; r is the number of readers still inside. */
  int32_t r = __atomic_sub_fetch(&rw->reader_count_, MAX_READERS, __ATOMIC_SEQ_CST) + MAX_READERS;
  if (r != 0 && __atomic_add_fetch(&rw->reader_wait_, r, __ATOMIC_SEQ_CST) != 0)
    tg__semacquire(&rw->writer_sema_, false, TG_WAIT_RWMUTEX_W, rw, TG_RES_RWMUTEX_W);
  tg__race_acquire(rw);
  tg__race_acquire(reader_addr(rw));
  tg__wf_lock_acquired(rw, TG_RES_RWMUTEX_W, __builtin_return_address(0));
}

bool tg_rwmutex_trylock(tg_rwmutex *rw) {
  if (!tg__mutex_trylock_raw(&rw->w_))
    return false;
  int32_t zero = 0;
  if (!__atomic_compare_exchange_n(&rw->reader_count_, &zero, -MAX_READERS, false, __ATOMIC_SEQ_CST,
                                   __ATOMIC_SEQ_CST)) {
    tg__mutex_unlock_raw(&rw->w_);
    return false;
  }
  tg__race_acquire(rw);
  tg__race_acquire(reader_addr(rw));
  tg__wf_lock_tried(rw, TG_RES_RWMUTEX_W, __builtin_return_address(0));
  return true;
}

void tg_rwmutex_unlock(tg_rwmutex *rw) {
  tg__wf_lock_released(rw, TG_RES_RWMUTEX_W);
  tg__race_release(rw);
  /* Let readers in again; r is the number of readers that queued meanwhile. */
  int32_t r = __atomic_add_fetch(&rw->reader_count_, MAX_READERS, __ATOMIC_SEQ_CST);
  if (r >= MAX_READERS)
    tg__fatal("sync: Unlock of unlocked RWMutex");
  for (int32_t i = 0; i < r; i++)
    tg__semrelease(&rw->reader_sema_, false);
  tg__mutex_unlock_raw(&rw->w_);
}
