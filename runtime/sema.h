/* Internal interface of the sync layer (runtime/sema.c, mutex.c, context.c).
 *
 * The address-keyed semaphore is the one place where sync primitives park:
 * a goroutine waits until the 32-bit counter at `addr` is positive and then
 * decrements it, as Go's runtime_Semacquire does. Any integer field of a
 * user-visible struct can serve as a semaphore; nothing is allocated. */
#ifndef TANGLE_SEMA_H
#define TANGLE_SEMA_H

#include "rt.h"

#include <stdbool.h>
#include <stdint.h>

/* Waits until *addr > 0, then decrements it. lifo puts the goroutine at the
 * front of addr's queue (a mutex waiter that already waited once). reason,
 * obj and kind describe the wait for diagnostics and the wait-for graph: obj
 * is the user-visible object (the mutex, not its sema field). */
void tg__semacquire(uint32_t *addr, bool lifo, int reason, const void *obj, enum tg_res_kind kind);
/* Increments *addr and wakes the first waiter, if any. handoff: the woken
 * waiter gets the count directly and runs next (mutex starvation mode). */
void tg__semrelease(uint32_t *addr, bool handoff);
/* How many goroutines wait on addr (tests and diagnostics). */
int tg__sema_nwait(const uint32_t *addr);

/* The mutex without detector hooks, for primitives built on a mutex
 * (rwmutex, once): they report their own edges on their own address. The
 * wait is attributed to obj/reason/kind. */
void tg__mutex_lock_as(tg_mutex *m, const void *obj, int reason, enum tg_res_kind kind);
void tg__mutex_unlock_raw(tg_mutex *m);
/* tg_mutex_lock on behalf of a runtime function called from `pc` (the lock's
 * "acquired at" stack starts there: Cond.Wait's relock is the caller's). */
void tg__mutex_lock_at(tg_mutex *m, const void *pc);
bool tg__mutex_trylock_raw(tg_mutex *m);

/* Contexts currently allocated (not counting Background and TODO): lets a
 * test show that create/release cycles do not leak. Released contexts stay
 * allocated for a while in a quarantine (context.c): a ring per P and a
 * shared one, at most TG__CTX_QUARANTINE in all. Exact only when no context
 * is being created or freed. */
int64_t tg__ctx_live(void);
#define TG__CTX_QUARANTINE_PER_P  64
#define TG__CTX_QUARANTINE_SHARED 256
#define TG__CTX_QUARANTINE        (TG__CTX_QUARANTINE_SHARED + 256 * TG__CTX_QUARANTINE_PER_P)

/* Objects cached in pool p for the P with id pid (-1: the shared overflow
 * stack). Not synchronized: tests only. */
int tg__pool_cached(tg_pool *p, int pid);

/* Goroutines queued in a weighted semaphore (tests and diagnostics). */
int tg__sem_nwaiters(tg_sem *s);

#endif
