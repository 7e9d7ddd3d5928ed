/* tg_mutex: Go's sync.Mutex design.
 *
 * state_ packs: bit 0 locked, bit 1 woken (a waiter is awake and competing,
 * so Unlock need not wake another), bit 2 starving, the rest the number of
 * parked waiters. sema_ is the address-keyed semaphore the waiters park on.
 *
 * Normal mode: waiters queue FIFO but a woken waiter competes with arriving
 * goroutines, which usually win (they are already on a CPU); that is fast.
 * A waiter that fails to get the lock for more than 1 ms switches the mutex to
 * starvation mode: Unlock hands the lock straight to the first waiter, and
 * newcomers queue at the tail without trying. The last waiter, or one that
 * waited less than 1 ms, switches back to normal mode. */
#include "sema.h"

#include <unistd.h>

enum {
  MUTEX_LOCKED = 1,
  MUTEX_WOKEN = 2,
  MUTEX_STARVING = 4,
  MUTEX_WAITER_SHIFT = 3,
};
#define STARVATION_THRESHOLD_NS (1 * TG_MILLISECOND)
#define SPIN_ITERATIONS         4
#define SPIN_PAUSES             30

static int32_t load_state(tg_mutex *m) {
  return __atomic_load_n(&m->state_, __ATOMIC_SEQ_CST);
}

static bool cas_state(tg_mutex *m, int32_t old, int32_t new) {
  return __atomic_compare_exchange_n(&m->state_, &old, new, false, __ATOMIC_SEQ_CST,
                                     __ATOMIC_SEQ_CST);
}

/* Number of online CPUs, read once. Global mutable state owned by this file:
 * a benign race (every thread computes the same value). */
static int ncpu_cached;

static int ncpu(void) {
  int n = __atomic_load_n(&ncpu_cached, __ATOMIC_RELAXED);
  if (n == 0) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    n = c > 0 ? (int)c : 1;
    __atomic_store_n(&ncpu_cached, n, __ATOMIC_RELAXED);
  }
  return n;
}

/* Spinning pays only when the holder runs on another CPU and will release
 * soon: a few rounds, on a multicore machine, with another P running (the
 * holder may be there) and nothing else queued on our own P. */
static bool can_spin(int iter) {
  if (iter >= SPIN_ITERATIONS || ncpu() <= 1)
    return false;
  int nprocs = tg__sched.nprocs;
  if (nprocs <= atomic_load(&tg__sched.npidle) + atomic_load(&tg__sched.nmspinning) + 1)
    return false;
  struct tg_m *mp = tg__getm();
  struct tg_p *p = mp ? mp->p : NULL;
  if (!p)
    return false;
  if (atomic_load(&p->runq_head) != atomic_load(&p->runq_tail) || atomic_load(&p->runnext))
    return false;
  return true;
}

static void do_spin(void) {
  for (int i = 0; i < SPIN_PAUSES; i++) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#else
    __asm__ __volatile__("" ::: "memory");
#endif
  }
}

static void lock_slow(tg_mutex *m, const void *obj, int reason, enum tg_res_kind kind) {
  int64_t wait_start = 0;
  bool starving = false;
  bool awoke = false; /* we were woken from the semaphore and hold MUTEX_WOKEN */
  int iter = 0;
  int32_t old = load_state(m);
  for (;;) {
    /* Spin while it is held in normal mode; in starvation mode the lock goes
     * to the first waiter, spinning would be pointless. Setting WOKEN tells
     * Unlock not to wake a parked waiter while we are about to take it. */
    if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == MUTEX_LOCKED && can_spin(iter)) {
      if (!awoke && (old & MUTEX_WOKEN) == 0 && (old >> MUTEX_WAITER_SHIFT) != 0 &&
          cas_state(m, old, old | MUTEX_WOKEN))
        awoke = true;
      do_spin();
      iter++;
      old = load_state(m);
      continue;
    }
    int32_t new = old;
    if ((old & MUTEX_STARVING) == 0)
      new |= MUTEX_LOCKED; /* newcomers do not take a starving mutex */
    if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) != 0)
      new += 1 << MUTEX_WAITER_SHIFT;
    /* Switch to starvation mode only while it is locked: an unlocked
     * starving mutex would expect a waiter to hand over to. */
    if (starving && (old & MUTEX_LOCKED) != 0)
      new |= MUTEX_STARVING;
    if (awoke) {
      if ((new &MUTEX_WOKEN) == 0)
        tg__fatal("sync: inconsistent mutex state");
      new &= ~MUTEX_WOKEN;
    }
    if (!cas_state(m, old, new)) {
      old = load_state(m);
      continue;
    }
    if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) == 0)
      return; /* locked it with the CAS */
    /* Queued: a goroutine that already waited goes to the front. */
    bool lifo = wait_start != 0;
    if (wait_start == 0)
      wait_start = tg_now();
    tg__semacquire(&m->sema_, lifo, reason, obj, kind);
    starving = starving || tg_now() - wait_start > STARVATION_THRESHOLD_NS;
    old = load_state(m);
    if ((old & MUTEX_STARVING) != 0) {
      /* Handed over to us: the mutex is ours, unlocked in state_ with our
       * waiter count still in it. */
      if ((old & (MUTEX_LOCKED | MUTEX_WOKEN)) != 0 || (old >> MUTEX_WAITER_SHIFT) == 0)
        tg__fatal("sync: inconsistent mutex state");
      int32_t delta = MUTEX_LOCKED - (1 << MUTEX_WAITER_SHIFT);
      /* Leave starvation mode when we did not really starve, or were the
       * last waiter: staying would serialize every later Lock. */
      if (!starving || (old >> MUTEX_WAITER_SHIFT) == 1)
        delta -= MUTEX_STARVING;
      __atomic_add_fetch(&m->state_, delta, __ATOMIC_SEQ_CST);
      return;
    }
    awoke = true;
    iter = 0;
  }
}

/* Whether goroutines wait for the mutex (the race build's wait-for graph
 * times the holds that someone waits on). */
static inline bool mutex_busy(int32_t state) {
  return (state >> MUTEX_WAITER_SHIFT) != 0 || (state & MUTEX_STARVING);
}

static inline bool lock_fast(tg_mutex *m) {
  return cas_state(m, 0, MUTEX_LOCKED);
}

void tg__mutex_lock_as(tg_mutex *m, const void *obj, int reason, enum tg_res_kind kind) {
  if (__builtin_expect(!lock_fast(m), 0))
    lock_slow(m, obj, reason, kind);
}

bool tg__mutex_trylock_raw(tg_mutex *m) {
  int32_t old = load_state(m);
  if ((old & (MUTEX_LOCKED | MUTEX_STARVING)) != 0)
    return false;
  /* Fails when another goroutine is about to take it: TryLock does not wait. */
  return cas_state(m, old, old | MUTEX_LOCKED);
}

static void unlock_slow(tg_mutex *m, int32_t new) {
  if (((new + MUTEX_LOCKED) & MUTEX_LOCKED) == 0)
    tg__fatal("sync: unlock of unlocked mutex");
  if ((new &MUTEX_STARVING) != 0) {
    /* Hand the lock to the first waiter; it runs at once. LOCKED stays clear:
     * the waiter sets it, and newcomers see STARVING and queue. */
    tg__semrelease(&m->sema_, true);
    return;
  }
  int32_t old = new;
  for (;;) {
    /* Nobody to wake, or someone already took, woke or holds it. */
    if ((old >> MUTEX_WAITER_SHIFT) == 0 ||
        (old & (MUTEX_LOCKED | MUTEX_WOKEN | MUTEX_STARVING)) != 0)
      return;
    int32_t want = (old - (1 << MUTEX_WAITER_SHIFT)) | MUTEX_WOKEN;
    if (cas_state(m, old, want)) {
      tg__semrelease(&m->sema_, false);
      return;
    }
    old = load_state(m);
  }
}

void tg__mutex_unlock_raw(tg_mutex *m) {
  int32_t new = __atomic_sub_fetch(&m->state_, MUTEX_LOCKED, __ATOMIC_SEQ_CST);
  if (__builtin_expect(new != 0, 0))
    unlock_slow(m, new);
}

void tg__mutex_lock_at(tg_mutex *m, const void *pc) {
  tg__mutex_lock_as(m, m, TG_WAIT_MUTEX, TG_RES_MUTEX);
  tg__race_lock_acquired(m, pc, TG_RACE_ENABLED && mutex_busy(load_state(m)));
}

void tg_mutex_lock(tg_mutex *m) {
  tg__mutex_lock_at(m, __builtin_return_address(0));
}

bool tg_mutex_trylock(tg_mutex *m) {
  if (!tg__mutex_trylock_raw(m))
    return false;
  tg__race_acquire(m);
  tg__wf_lock_tried(m, TG_RES_MUTEX, __builtin_return_address(0));
  return true;
}

void tg_mutex_unlock(tg_mutex *m) {
  /* Whether it is locked at all: the race build's release trusts the
   * caller to hold it (race_sync.c, lookup_held), and an unlocked one only
   * gets its misuse report before unlock_slow's fatal error. */
  int32_t state = TG_RACE_ENABLED ? load_state(m) : 0;
  bool busy = mutex_busy(state);
  bool later = tg__race_lock_releasing(m, state & MUTEX_LOCKED, busy);
  tg__mutex_unlock_raw(m);
  if (later)
    tg__race_lock_release_done(m, busy);
}
