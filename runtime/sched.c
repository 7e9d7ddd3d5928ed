/* The M:N scheduler, after Go's runtime/proc.go.
 *
 * G: goroutine. M: OS thread. P: processor, the right to run goroutines,
 * with a local run queue (a lock-free ring the owner pushes to and any M
 * steals half of) and a `runnext` slot: a goroutine readied by the running
 * one runs next on the same P, so a hand-off through a channel costs one
 * switch and stays in cache. A global queue takes overflow and goroutines
 * readied from threads without a P; every 61st schedule looks there first so
 * nothing starves.
 *
 * Switches go straight from one goroutine to the next when the P has work;
 * only an M with nothing to run falls back to its scheduler context (g0, on
 * the thread's own stack), where it spins a little looking for work to
 * steal, then sleeps on a futex. One idle M at a time sleeps in the poller
 * instead, with a timeout at the next timer, so timers and I/O wake the
 * program. */
#include "rt.h"

#include "ctxswitch.h"
#include "futex.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifdef TANGLE_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#define G0_STACK_SIZE     ((size_t)1 << 20)
#define GFREE_LOCAL_MAX   64
#define SPIN_STEAL_ROUNDS 4
#define SPIN_NS                                                                                    \
  1000000 /* how long an idle M keeps looking (busy, then napping) before it sleeps                \
           */

/* The scheduler's shared state: see struct tg_sched. Fields are protected by
 * tg__sched.lock unless atomic. */
struct tg_sched tg__sched;

/* The process's first thread and goroutine; owned by the runtime. */
static struct tg_m m0;
static struct tg_g g_main;
/* Global free list of finished goroutines, under tg__sched.lock: a stack
 * of whole chains as a P let them go, so that a P refilling takes one chain
 * without walking it. Walking it meant one dependent cache miss per
 * goroutine struct (the other CPU had just written each) with the lock held:
 * a quarter of spawn+join's time when one P spawns and another runs them. */
struct gfree_chain {
  struct tg_g *head;
  int n;
};
static struct gfree_chain *gfree_chains;
static size_t gfree_chains_cap;
static _Atomic size_t gfree_nchains; /* written under the lock, peeked without */
/* Read at every spawn (init_state, through tg__init) and every schedule
 * (target_procs, tg_maxprocs's target): on a line of their own, away from
 * the free list that both Ps write. */
static struct {
  _Alignas(64) _Atomic int init_state; /* 0 not started, 1 in progress, 2 done */
  _Atomic int target_procs;
  char pad[64 - 2 * sizeof(int)];
} read_mostly;
static _Atomic int npdead; /* Ps retired by tg_maxprocs */

bool tg__stack_canary_dead(const struct tg_g *g);
void tg__signals_init(void);
void tg__signals_thread_init(void);
void tg__sysmon_start(void);
_Noreturn void tg__stack_overflow(struct tg_g *g);

/* ---- random numbers --------------------------------------------------- */

static inline uint64_t rand_next(uint64_t *s) {
  /* splitmix64: one state word, good enough for scheduling choices. */
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint32_t tg__fastrand(void) {
  struct tg_m *m = tg__getm_fast();
  if (!m) {
    static _Atomic uint64_t fallback; /* threads outside the runtime */
    uint64_t s = atomic_fetch_add(&fallback, 0x9E3779B97F4A7C15ULL);
    return (uint32_t)rand_next(&s);
  }
  return (uint32_t)rand_next(&m->rand_state);
}

uint64_t tg__seed(void) {
  return tg__sched.seed;
}

int64_t tg_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * TG_SECOND + ts.tv_nsec;
}

/* Refreshed by sysmon; 0 until it runs. */
_Atomic int64_t tg__coarse_clock;

int64_t tg__nanotime_coarse_slow(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (int64_t)ts.tv_sec * TG_SECOND + ts.tv_nsec;
}

/* ---- local run queues (Go's runqput/runqget/runqgrab) ----------------- */

static bool runq_empty(struct tg_p *p) {
  for (;;) {
    uint32_t h = atomic_load_explicit(&p->runq_head, memory_order_acquire);
    uint32_t t = atomic_load_explicit(&p->runq_tail, memory_order_acquire);
    struct tg_g *next = atomic_load_explicit(&p->runnext, memory_order_acquire);
    if (t == atomic_load_explicit(&p->runq_tail, memory_order_acquire))
      return h == t && next == NULL;
  }
}

/* The global run queue: a ring of goroutine pointers that grows by
 * doubling, under tg__sched.lock (owned by this file). A ring and not a
 * list through the goroutines' schedlink: taking a batch then copies
 * pointers instead of walking 128 goroutine structs that another CPU has
 * just written, one cache miss after the other with the lock held (that
 * walk was the largest cost of spawn+join on two Ps). */
static struct tg_g **gq_ring;
static uint32_t gq_cap, gq_first; /* gq_cap: 0 or a power of two */

static void globrunq_put_locked(struct tg_g *const *gs, int n) {
  uint32_t size = (uint32_t)atomic_load_explicit(&tg__sched.gq_size, memory_order_relaxed);
  if (size + (uint32_t)n > gq_cap) {
    uint32_t cap = gq_cap ? gq_cap : 256;
    while (cap < size + (uint32_t)n)
      cap *= 2;
    struct tg_g **ring = malloc(cap * sizeof *ring);
    if (!ring)
      tg__fatal("out of memory growing the global run queue");
    for (uint32_t i = 0; i < size; i++)
      ring[i] = gq_ring[(gq_first + i) & (gq_cap - 1)];
    free(gq_ring);
    gq_ring = ring;
    gq_cap = cap;
    gq_first = 0;
  }
  for (int i = 0; i < n; i++)
    gq_ring[(gq_first + size + (uint32_t)i) & (gq_cap - 1)] = gs[i];
  atomic_fetch_add(&tg__sched.gq_size, n);
}

/* The ring is full: move half of it and g to the global queue. */
static bool runq_put_slow(struct tg_p *p, struct tg_g *g, uint32_t h, uint32_t t) {
  enum { N = TG_RUNQ_SIZE / 2 };
  struct tg_g *batch[N + 1];
  if (t - h != TG_RUNQ_SIZE)
    return false;
  for (uint32_t i = 0; i < N; i++)
    batch[i] = atomic_load_explicit(&p->runq[(h + i) % TG_RUNQ_SIZE], memory_order_relaxed);
  if (!atomic_compare_exchange_strong_explicit(&p->runq_head, &h, h + N, memory_order_release,
                                               memory_order_relaxed))
    return false;
  batch[N] = g;
  tg__lock_acquire(&tg__sched.lock);
  globrunq_put_locked(batch, N + 1);
  tg__lock_release(&tg__sched.lock);
  return true;
}

/* Owner only. next: put g in runnext, kicking the old one to the tail. */
__attribute__((always_inline)) static inline void runq_put(struct tg_p *p, struct tg_g *g,
                                                           bool next) {
  if (next) {
    g = atomic_exchange_explicit(&p->runnext, g, memory_order_acq_rel);
    if (!g)
      return;
  }
  for (;;) {
    uint32_t h = atomic_load_explicit(&p->runq_head, memory_order_acquire);
    uint32_t t = atomic_load_explicit(&p->runq_tail, memory_order_relaxed);
    if (t - h < TG_RUNQ_SIZE) {
      atomic_store_explicit(&p->runq[t % TG_RUNQ_SIZE], g, memory_order_relaxed);
      atomic_store_explicit(&p->runq_tail, t + 1, memory_order_release);
      return;
    }
    if (runq_put_slow(p, g, h, t))
      return;
  }
}

/* Owner only: the head of the queue, runnext aside. */
__attribute__((always_inline)) static inline struct tg_g *runq_pop(struct tg_p *p) {
  for (;;) {
    uint32_t h = atomic_load_explicit(&p->runq_head, memory_order_acquire);
    uint32_t t = atomic_load_explicit(&p->runq_tail, memory_order_relaxed);
    if (t == h)
      return NULL;
    struct tg_g *g = atomic_load_explicit(&p->runq[h % TG_RUNQ_SIZE], memory_order_relaxed);
    if (atomic_compare_exchange_weak_explicit(&p->runq_head, &h, h + 1, memory_order_release,
                                              memory_order_relaxed)) {
      /* The ones after it were usually made on another CPU (a spawner's
       * queue, stolen): start fetching the first two lines (rt.h) of the
       * one after next while g and the next run (one goroutine's run is
       * shorter than a line's trip between CPUs). A stale pointer (stolen
       * meanwhile) is harmless to a prefetch. */
      if (h + 1 != t) {
        uint32_t ahead = h + 2 != t ? h + 2 : h + 1;
        char *next =
            (char *)atomic_load_explicit(&p->runq[ahead % TG_RUNQ_SIZE], memory_order_relaxed);
        __builtin_prefetch(next, 1);
        __builtin_prefetch(next + 64, 1);
      }
      return g;
    }
  }
}

/* Owner only: runnext, else the queue's head; the queue first, once, when
 * sysmon saw it starve behind runnext. */
__attribute__((always_inline)) static inline struct tg_g *runq_get(struct tg_p *p) {
  if (__builtin_expect(atomic_load_explicit(&p->runq_first, memory_order_relaxed), 0)) {
    atomic_store_explicit(&p->runq_first, false, memory_order_relaxed);
    struct tg_g *g = runq_pop(p);
    if (g)
      return g;
  }
  struct tg_g *next = atomic_load_explicit(&p->runnext, memory_order_relaxed);
  if (next && atomic_compare_exchange_strong_explicit(&p->runnext, &next, NULL,
                                                      memory_order_acq_rel, memory_order_relaxed))
    return next;
  return runq_pop(p);
}

/* A short queue that its P is working through is left to it: the owner
 * gets to those goroutines within microseconds, and moving them would split
 * a chain of hand-offs (a pipeline, a ping-pong) over two threads, which
 * then wake each other through the kernel. A thief takes it once it sees
 * the queue not moving (its head where it was at this M's last look: the
 * P is stuck on one goroutine, or busy handing off between two others
 * through runnext), or when it is long. The runnext slot alone is left to
 * a P that keeps switching. */
#define STEAL_SHORT_QUEUE 4

/* Whether p2's value `now` moved since this M's last full look (the last
 * round of its previous steal_work, at least a backoff pause or a nap ago);
 * the last round records it. */
static bool seen_moved(uint64_t *seen, uint64_t now, bool record) {
  bool moved = now != *seen;
  if (record)
    *seen = now;
  return moved;
}

/* Takes half of p2's queue into batch. With steal_next, may take p2's
 * runnext, but only from a P that has not switched since this M's last
 * look: a G readied by a goroutine that is about to block belongs on that
 * P, and a P cycling through a hand-off (a ping-pong) runs its runnext
 * itself; a P stuck on one goroutine is robbed, or its runnext could wait
 * behind a goroutine that never yields. No busy wait for it: the interval
 * between looks is the wait (Go sleeps 3 µs). */
static int runq_grab(struct tg_m *m, struct tg_p *p2, struct tg_g **batch, bool steal_next) {
  bool running = atomic_load_explicit(&p2->status, memory_order_relaxed) == TG_P_RUNNING;
  bool switching =
      m && running &&
      seen_moved(&m->steal_seen[p2->id], atomic_load_explicit(&p2->switches, memory_order_relaxed),
                 steal_next);
  bool draining =
      m && running &&
      seen_moved(&m->steal_seen_head[p2->id],
                 atomic_load_explicit(&p2->runq_head, memory_order_relaxed), steal_next);
  for (;;) {
    uint32_t h = atomic_load_explicit(&p2->runq_head, memory_order_acquire);
    uint32_t t = atomic_load_explicit(&p2->runq_tail, memory_order_acquire);
    uint32_t n = t - h;
    if (n > 0 && n <= STEAL_SHORT_QUEUE && draining)
      return 0;
    n = n - n / 2;
    if (n == 0) {
      if (!steal_next || switching)
        return 0;
      struct tg_g *next = atomic_load_explicit(&p2->runnext, memory_order_acquire);
      if (!next)
        return 0;
      if (!atomic_compare_exchange_strong_explicit(&p2->runnext, &next, NULL, memory_order_acq_rel,
                                                   memory_order_relaxed))
        continue;
      batch[0] = next;
      return 1;
    }
    if (n > TG_RUNQ_SIZE / 2)
      continue; /* read an inconsistent h/t pair */
    for (uint32_t i = 0; i < n; i++)
      batch[i] = atomic_load_explicit(&p2->runq[(h + i) % TG_RUNQ_SIZE], memory_order_relaxed);
    if (atomic_compare_exchange_strong_explicit(&p2->runq_head, &h, h + n, memory_order_release,
                                                memory_order_relaxed))
      return (int)n;
  }
}

static struct tg_g *runq_steal(struct tg_m *m, struct tg_p *p2, bool steal_next) {
  struct tg_p *p = m->p;
  struct tg_g *batch[TG_RUNQ_SIZE / 2 + 1];
  int n = runq_grab(m, p2, batch, steal_next);
  if (n == 0)
    return NULL;
  for (int i = 1; i < n; i++)
    runq_put(p, batch[i], false);
  return batch[0];
}

static struct tg_g *globrunq_get_locked(struct tg_p *p, int max) {
  int size = atomic_load(&tg__sched.gq_size);
  if (size == 0)
    return NULL;
  int n = size / tg__sched.nprocs + 1;
  if (n > size)
    n = size;
  if (max > 0 && n > max)
    n = max;
  if (n > TG_RUNQ_SIZE / 2)
    n = TG_RUNQ_SIZE / 2;
  struct tg_g *g = gq_ring[gq_first];
  for (int i = 1; i < n; i++)
    runq_put(p, gq_ring[(gq_first + (uint32_t)i) & (gq_cap - 1)], false);
  gq_first = (gq_first + (uint32_t)n) & (gq_cap - 1);
  atomic_fetch_sub(&tg__sched.gq_size, n);
  return g;
}

/* ---- idle Ps and Ms ------------------------------------------------------ */

/* Ps live as long as the process; aligned so that their cache-line split
 * (rt.h) holds. */
static struct tg_p *p_alloc(int id) {
  struct tg_p *p = aligned_alloc(64, (sizeof *p + 63) & ~(size_t)63);
  if (!p)
    tg__fatal("out of memory");
  memset(p, 0, sizeof *p);
  p->id = id;
  p->gq_countdown = 61;
  return p;
}

static void pidle_put_locked(struct tg_p *p) {
  atomic_store(&p->status, TG_P_IDLE);
  p->m = NULL;
  p->idle_next = tg__sched.pidle;
  tg__sched.pidle = p;
  atomic_fetch_add(&tg__sched.npidle, 1);
}

static struct tg_p *pidle_get_locked(void) {
  struct tg_p *p;
  while ((p = tg__sched.pidle)) {
    tg__sched.pidle = p->idle_next;
    atomic_fetch_sub(&tg__sched.npidle, 1);
    if (p->id < atomic_load(&read_mostly.target_procs))
      return p;
    atomic_store(&p->status, TG_P_DEAD); /* retired by tg_maxprocs */
    atomic_fetch_add(&npdead, 1);
  }
  return NULL;
}

static void acquirep(struct tg_m *m, struct tg_p *p) {
  m->p = p;
  p->m = m;
  atomic_store(&p->status, TG_P_RUNNING);
}

static void *mstart(void *arg);

static void newm(struct tg_p *p, bool spinning) {
  struct tg_m *m = calloc(1, sizeof *m);
  if (!m)
    tg__fatal("out of memory creating a thread");
  tg__lock_acquire(&tg__sched.lock);
  m->id = tg__sched.mcount++;
  m->all_next = tg__sched.allm;
  tg__sched.allm = m;
  tg__lock_release(&tg__sched.lock);
  m->rand_state = tg__sched.seed ^ ((uint64_t)m->id * 0x9E3779B97F4A7C15ULL);
  m->next_p = p;
  m->spinning = spinning;
  m->g0.is_g0 = true;
  m->g0.id = 0;
  m->curg = &m->g0;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, G0_STACK_SIZE);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t th;
  int err = pthread_create(&th, &attr, mstart, m);
  pthread_attr_destroy(&attr);
  if (err)
    tg__fatal("pthread_create failed: %s", strerror(err));
}

/* Runs p on an idle M (woken), or a new one. Called without sched.lock;
 * `locked` says the caller holds it and it is released here. */
static void run_p_on_m(struct tg_p *p, bool spinning, bool locked) {
  if (!locked)
    tg__lock_acquire(&tg__sched.lock);
  struct tg_m *m = tg__sched.midle;
  if (m) {
    tg__sched.midle = m->idle_next;
    tg__sched.nmidle--;
  }
  tg__lock_release(&tg__sched.lock);
  if (!m) {
    newm(p, spinning);
    return;
  }
  m->next_p = p;
  m->spinning = spinning;
  atomic_store_explicit(&m->park_futex, 1, memory_order_release);
  tg__futex_wake(&m->park_futex, 1);
}

/* Gets an idle P running on some M: a sleeping one if any, else a new one. */
static void startm(bool spinning) {
  tg__lock_acquire(&tg__sched.lock);
  struct tg_p *p = pidle_get_locked();
  if (!p) {
    tg__lock_release(&tg__sched.lock);
    if (spinning)
      atomic_fetch_sub(&tg__sched.nmspinning, 1);
    return;
  }
  run_p_on_m(p, spinning, true);
}

/* Something became runnable: make sure an idle P will look for it. */
static void wakep(void) {
  if (atomic_load_explicit(&tg__sched.npidle, memory_order_relaxed) == 0)
    return;
  if (atomic_load_explicit(&tg__sched.nmspinning, memory_order_relaxed) != 0)
    return;
  int zero = 0;
  if (!atomic_compare_exchange_strong(&tg__sched.nmspinning, &zero, 1))
    return;
  startm(true);
}

/* Sleeps until startm hands this M a P. Called with sched.lock held. */
static void stopm_locked(struct tg_m *m) {
  atomic_store_explicit(&m->park_futex, 0, memory_order_relaxed);
  m->idle_next = tg__sched.midle;
  tg__sched.midle = m;
  tg__sched.nmidle++;
  tg__lock_release(&tg__sched.lock);
  while (atomic_load_explicit(&m->park_futex, memory_order_acquire) == 0)
    tg__futex_wait(&m->park_futex, 0, -1);
  acquirep(m, m->next_p);
  m->next_p = NULL;
}

/* ---- switching ---------------------------------------------------------- */

static void gfree_put(struct tg_p *p, struct tg_g *g);
static void ready_global_fn(void *arg);

/* The rarer requests of after_switch: a yield's requeue, an exit's
 * recycling, timers found due while parking. */
static void __attribute__((noinline)) after_switch_rare(struct tg_m *m) {
  m->after_rare = false;
  if (m->after_ready) {
    struct tg_g *g = m->after_ready;
    m->after_ready = NULL;
    if (g->preempt) { /* sysmon's request: let everyone else have a turn */
      g->preempt = false;
      tg__lock_acquire(&tg__sched.lock);
      globrunq_put_locked(&g, 1);
      tg__lock_release(&tg__sched.lock);
    } else {
      runq_put(m->p, g, false);
    }
  }
  if (m->after_free) {
    struct tg_g *g = m->after_free;
    m->after_free = NULL;
    gfree_put(m->p, g);
  }
  if (m->timers_due) {
    m->timers_due = false;
    if (m->p)
      tg__timers_run(m->p, tg_now());
  }
}

/* Runs, in the context that was switched to, what the G that switched away
 * asked for once its registers were saved. */
__attribute__((always_inline)) static inline void after_switch(struct tg_m *m) {
  if (m->after_unlock) {
    tg__lock *l = m->after_unlock;
    m->after_unlock = NULL;
    tg__lock_release(l);
  }
  if (m->after_fn) {
    void (*fn)(void *) = m->after_fn;
    m->after_fn = NULL;
    fn(m->after_arg);
  }
  if (__builtin_expect(m->after_rare, 0))
    after_switch_rare(m);
}

void tg__goroutine_entry(void *arg);

#ifdef TANGLE_ASAN
/* AddressSanitizer must be told about every stack switch, or it mistakes the
 * goroutine stacks for overflows of the thread stack. */
static void asan_stack_bounds(struct tg_g *g, const void **lo, size_t *size) {
  if (g->stack_lo) {
    *lo = g->stack_lo;
    *size = g->stack_size;
  } else {
    *lo = NULL;
    *size = 0;
  }
}
#endif

__attribute__((always_inline)) static inline void switch_to(struct tg_m *m, struct tg_g *from,
                                                            struct tg_g *to) {
  if (to->sp == NULL) { /* a goroutine that has not run yet */
    if (!to->stack_lo && !tg__stack_get(m->p, to))
      tg__fatal("out of memory allocating a goroutine stack");
    to->sp = tg__ctx_make(to->stack_hi, tg__goroutine_entry, to);
  }
  if (!from->stack_guarded && tg__stack_canary_dead(from))
    tg__stack_overflow(from);
  m->curg = to;
  TG__RACE_SWITCHED_TO(to);
  to->m = m;
  if (!to->is_g0)
    atomic_store_explicit(&to->status, TG_G_RUNNING, memory_order_relaxed);
  from->saved_errno = *m->errno_loc;
#ifdef TANGLE_ASAN
  void *fake = NULL;
  const void *lo;
  size_t size;
  asan_stack_bounds(to, &lo, &size);
  __sanitizer_start_switch_fiber(from->status == TG_G_DEAD ? NULL : &fake, lo, size);
#endif
  tg__ctx_switch(&from->sp, to->sp);
#ifdef TANGLE_ASAN
  __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
  struct tg_m *now_m = tg__getm_fast(); /* not m: the goroutine may have moved */
  *now_m->errno_loc = from->saved_errno;
  after_switch(now_m);
}

/* Local work only: what a parking goroutine switches to directly. */
/* parking: the caller may hold the lock of the queue it parks in, and a
 * timer may fire into that very channel, so due timers are only noted here
 * and run by the next context once the lock is released. */
__attribute__((always_inline)) static inline struct tg_g *runnable_local(struct tg_m *m,
                                                                         bool parking) {
  struct tg_p *p = m->p;
  atomic_store_explicit(&p->switches, p->switches + 1, memory_order_relaxed);
  if (atomic_load_explicit(&p->timer0_when, memory_order_relaxed) != 0) {
    int64_t now = tg_now();
    if (atomic_load_explicit(&p->timer0_when, memory_order_relaxed) <= now) {
      if (parking)
        m->timers_due = m->after_rare = true;
      else
        tg__timers_run(p, now);
    }
  }
  if (__builtin_expect(--p->gq_countdown == 0, 0) &&
      (p->gq_countdown = 61, atomic_load_explicit(&tg__sched.gq_size, memory_order_relaxed))) {
    tg__lock_acquire(&tg__sched.lock);
    struct tg_g *g = globrunq_get_locked(p, 1);
    tg__lock_release(&tg__sched.lock);
    if (g)
      return g;
  }
  if (p->id >= atomic_load_explicit(&read_mostly.target_procs, memory_order_relaxed))
    return NULL; /* this P is being retired: go through the scheduler */
  return runq_get(p);
}

/* What a goroutine that stops running switches to: the next local goroutine
 * if this M may run it, else the scheduler context (g0), which deals with
 * goroutines locked to threads. */
__attribute__((always_inline)) static inline struct tg_g *next_to_run(struct tg_m *m,
                                                                      struct tg_g *g) {
  if (g->lockedm) {
    /* Its M must not run anything else: g0 gives the P away and waits.
     * Cleared before the G can be readied (the lock protecting its queue
     * is released after the switch), so the wake-up cannot be lost. */
    atomic_store_explicit(&m->park_futex, 0, memory_order_relaxed);
    return &m->g0;
  }
  struct tg_g *next = runnable_local(m, true);
  if (next && next->lockedm && next->lockedm != m) {
    m->pending_locked = next;
    return &m->g0;
  }
  return next ? next : &m->g0;
}

/* The running goroutine stops; once its registers are saved, the next
 * context releases `unlock` or runs fn(arg). */
__attribute__((always_inline)) static inline void park(tg__lock *unlock, void (*fn)(void *),
                                                       void *arg, int reason, const void *obj) {
  struct tg_m *m = tg__getm_fast();
  struct tg_g *g = m ? m->curg : NULL;
  if (!g || g->is_g0)
    tg__fatal("tangle: a blocking operation outside a goroutine (a thread the runtime does not "
              "run, or the scheduler itself)");
#if TG_RACE_ENABLED /* only the wait-for graph reads it */
  /* Only g writes park_seq: no locked add. */
  atomic_store_explicit(&g->park_seq, atomic_load_explicit(&g->park_seq, memory_order_relaxed) + 1,
                        memory_order_relaxed);
  atomic_signal_fence(memory_order_release);
#endif
  g->wait_reason = reason;
  g->wait_obj = obj;
  g->wait_since = tg__nanotime_coarse();
  atomic_store_explicit(&g->status, TG_G_WAITING, memory_order_release);
  m->after_unlock = unlock;
  m->after_fn = fn;
  m->after_arg = arg;
  switch_to(m, g, next_to_run(m, g));
  g->wait_reason = TG_WAIT_NONE;
  g->wait_obj = NULL;
}

void tg__park(tg__lock *unlock, int reason, const void *obj) {
  park(unlock, NULL, NULL, reason, obj);
}

void tg__park_fn(void (*fn)(void *), void *arg, int reason, const void *obj) {
  park(NULL, fn, arg, reason, obj);
}

void tg__ready_global(struct tg_g *g) {
  atomic_store_explicit(&g->status, TG_G_RUNNABLE, memory_order_relaxed);
  tg__lock_acquire(&tg__sched.lock);
  globrunq_put_locked(&g, 1);
  tg__lock_release(&tg__sched.lock);
  /* Work no P owns (I/O, a timer fired without a P): a napping spinning M
   * would make wakep do nothing, and the work would wait for its nap. */
  if (atomic_load(&tg__sched.nnapping)) {
    atomic_fetch_add(&tg__sched.nap_seq, 1);
    tg__futex_wake(&tg__sched.nap_seq, 1);
  }
  wakep();
  /* An M asleep in the poller owns no P but may be the only one that can
   * take this goroutine. */
  if (atomic_load(&tg__sched.npidle) == tg__sched.nprocs)
    tg__netpoll_break();
}

void tg__ready(struct tg_g *g) {
  struct tg_m *m = tg__getm_fast();
  if (!m || !m->p || m->curg->is_g0) {
    tg__ready_global(g);
    return;
  }
  atomic_store_explicit(&g->status, TG_G_RUNNABLE, memory_order_relaxed);
  runq_put(m->p, g, true);
  wakep();
}

/* ---- finding work (Go's findRunnable) ----------------------------------- */

static bool any_runq_nonempty(void) {
  for (int i = 0; i < tg__sched.nprocs; i++) {
    struct tg_p *p = tg__sched.allp[i];
    if (p && !runq_empty(p))
      return true;
  }
  return false;
}

static bool all_quiet_locked(void);

static struct tg_g *steal_work(struct tg_m *m) {
  struct tg_p *p = m->p;
  int n = tg__sched.nprocs;
  for (int round = 0; round < SPIN_STEAL_ROUNDS; round++) {
    bool last = round == SPIN_STEAL_ROUNDS - 1;
    uint32_t start = tg__fastrandn((uint32_t)n);
    for (int i = 0; i < n; i++) {
      struct tg_p *p2 = tg__sched.allp[(start + i) % n];
      if (!p2 || p2 == p)
        continue;
      if (last && atomic_load_explicit(&p2->timer0_when, memory_order_relaxed)) {
        int64_t now = tg_now();
        if (atomic_load_explicit(&p2->timer0_when, memory_order_relaxed) <= now) {
          tg__timers_run(p2, now);
          struct tg_g *g = runq_get(p);
          if (g)
            return g;
        }
      }
      struct tg_g *g = runq_steal(m, p2, last);
      if (g)
        return g;
    }
  }
  return NULL;
}

static struct tg_g *find_runnable_inner(struct tg_m *m) {
top:;
  struct tg_p *p = m->p;
  struct tg_g *g;
  if (p->id >= atomic_load(&read_mostly.target_procs))
    goto drop; /* tg_maxprocs retired this P */
  if ((g = runnable_local(m, false)))
    return g;
  if (atomic_load_explicit(&tg__sched.gq_size, memory_order_relaxed)) {
    tg__lock_acquire(&tg__sched.lock);
    g = globrunq_get_locked(p, 0);
    tg__lock_release(&tg__sched.lock);
    if (g)
      return g;
  }
  if (atomic_load_explicit(&tg__sched.nio_waiters, memory_order_relaxed) &&
      !atomic_load(&tg__sched.polling)) {
    atomic_fetch_add(&tg__sched.nwaking, 1);
    tg__netpoll(0);
    atomic_fetch_sub(&tg__sched.nwaking, 1);
    if ((g = runnable_local(m, false)))
      return g;
  }
  /* Spin looking for work to steal, but keep the number of spinning Ms at
   * most half the busy Ps: spinning burns a CPU. */
  int busy = tg__sched.nprocs - atomic_load(&tg__sched.npidle);
  if (m->spinning || 2 * atomic_load(&tg__sched.nmspinning) < busy) {
    if (!m->spinning) {
      m->spinning = true;
      atomic_fetch_add(&tg__sched.nmspinning, 1);
    }
    int64_t deadline = tg_now() + SPIN_NS;
    /* Back from a fruitless spin (the re-check below found only work its
     * own P is getting through): straight to napping. */
    int spin_pause = m->spin_fruitless ? 1024 : 16;
    m->spin_fruitless = false;
    do {
      if ((g = steal_work(m)) || (g = runnable_local(m, false)))
        goto found_spinning;
      if (atomic_load_explicit(&tg__sched.gq_size, memory_order_relaxed)) {
        tg__lock_acquire(&tg__sched.lock);
        g = globrunq_get_locked(p, 0);
        tg__lock_release(&tg__sched.lock);
        if (g)
          goto found_spinning;
      }
      /* Back off: every look at the other Ps' queues pulls their cache
       * lines away from the threads that own them. */
      if (spin_pause < 1024) {
        for (int i = 0; i < spin_pause; i++)
          tg__cpu_relax();
        spin_pause *= 2;
      } else {
        /* Still counted as spinning (so wakep does not wake yet another
         * M), but napping (tg__ready_global cuts the nap short): what is
         * left to look at belongs to Ps that keep switching, and a thread
         * that shares a CPU with them must not take it from them. Go's
         * spinning M sleeps the same way before it steals a runnext. */
        uint32_t seq = atomic_load(&tg__sched.nap_seq);
        atomic_fetch_add(&tg__sched.nnapping, 1);
        if (!atomic_load(&tg__sched.gq_size))
          tg__futex_wait(&tg__sched.nap_seq, seq, 5000);
        atomic_fetch_sub(&tg__sched.nnapping, 1);
      }
    } while (tg_now() < deadline);
  }

drop:
  /* Nothing to do: give the P back and sleep. */
  tg__lock_acquire(&tg__sched.lock);
  if (p->id < atomic_load(&read_mostly.target_procs) && atomic_load(&tg__sched.gq_size)) {
    g = globrunq_get_locked(p, 0);
    tg__lock_release(&tg__sched.lock);
    if (g)
      goto found_spinning;
    goto top;
  }
  /* Work a retired P still holds goes to the global queue. */
  while ((g = runq_get(p)))
    globrunq_put_locked(&g, 1);
  m->p = NULL;
  pidle_put_locked(p);
  if (all_quiet_locked())
    tg__throw_deadlock();
  tg__lock_release(&tg__sched.lock);
  /* A retired P may have left work on the global queue: someone must
   * take it. */
  if (atomic_load(&tg__sched.gq_size))
    wakep();

  if (m->spinning) {
    m->spinning = false;
    atomic_fetch_sub(&tg__sched.nmspinning, 1);
    /* Go's rule: re-check after dropping the spinning count, or work
     * readied just now (whose wakep saw us spinning) would be lost. */
    if (any_runq_nonempty() || atomic_load(&tg__sched.gq_size)) {
      tg__lock_acquire(&tg__sched.lock);
      struct tg_p *p2 = pidle_get_locked();
      tg__lock_release(&tg__sched.lock);
      if (p2) {
        acquirep(m, p2);
        m->spinning = true;
        m->spin_fruitless = true;
        atomic_fetch_add(&tg__sched.nmspinning, 1);
        goto top;
      }
    }
  }

  /* One idle M waits in the poller, until the next timer. */
  bool f = false;
  if (atomic_compare_exchange_strong(&tg__sched.polling, &f, true)) {
    int64_t when = tg__timers_earliest();
    int64_t delay = -1;
    if (when) {
      delay = when - tg_now();
      if (delay < 0)
        delay = 0;
    }
    atomic_store(&tg__sched.poll_until, when ? when : INT64_MAX);
    tg__netpoll(delay);
    atomic_store(&tg__sched.poll_until, 0);
    atomic_store(&tg__sched.polling, false);
    tg__lock_acquire(&tg__sched.lock);
    struct tg_p *p2 = pidle_get_locked();
    if (p2) {
      tg__lock_release(&tg__sched.lock);
      acquirep(m, p2);
      /* Timers of idle Ps are run by whoever gets there first. */
      int64_t now = tg_now();
      for (int i = 0; i < tg__sched.nprocs; i++) {
        struct tg_p *pt = tg__sched.allp[i];
        if (pt && atomic_load(&pt->timer0_when) && atomic_load(&pt->timer0_when) <= now)
          tg__timers_run(pt, now);
      }
      goto top;
    }
    stopm_locked(m);
    goto top;
  }
  tg__lock_acquire(&tg__sched.lock);
  stopm_locked(m);
  goto top;

found_spinning:
  return g;
}

/* Whatever path found the work, an M that was spinning stops counting as
 * spinning; if it was the last one, another is woken to keep looking (Go's
 * resetspinning). Leaving the count up would make wakep believe someone is
 * looking when nobody is. */
static struct tg_g *find_runnable(struct tg_m *m) {
  struct tg_g *g = find_runnable_inner(m);
  if (m->spinning) {
    m->spinning = false;
    if (atomic_fetch_sub(&tg__sched.nmspinning, 1) == 1)
      wakep();
  }
  return g;
}
/* Nothing can ever run again: every P idle, nobody in a blocking call,
 * no timer pending or firing, nobody waiting on I/O. An M asleep in the
 * poller does not count: with no timer and no I/O waiter, nothing wakes it
 * but new work, and there is none. Goroutines the poller readies stay
 * counted in nio_waiters until they run. */
static bool all_quiet_locked(void) {
  if (atomic_load(&tg__sched.npidle) + atomic_load(&npdead) != tg__sched.nprocs)
    return false;
  if (atomic_load(&tg__sched.nsyscall) || atomic_load(&tg__sched.nio_waiters) ||
      atomic_load(&tg__sched.ntimers) || atomic_load(&tg__sched.nwaking) ||
      atomic_load(&tg__sched.gq_size))
    return false;
  return !any_runq_nonempty();
}

/* The scheduler loop of an M, on its own stack (g0). */
/* Gives p to another M if it has work, else makes it idle. */
static void handoffp(struct tg_p *p) {
  /* Pending timers and I/O need an M to wait for them in the poller, if
   * none does already (Go's handoffp/wakeNetPoller). */
  bool poller_needed = !atomic_load(&tg__sched.polling) &&
                       (atomic_load(&tg__sched.ntimers) || atomic_load(&tg__sched.nio_waiters));
  if (!runq_empty(p) || atomic_load(&tg__sched.gq_size) || poller_needed) {
    run_p_on_m(p, false, false);
    return;
  }
  tg__lock_acquire(&tg__sched.lock);
  pidle_put_locked(p);
  if (all_quiet_locked())
    tg__throw_deadlock();
  tg__lock_release(&tg__sched.lock);
}

/* g is locked to another M: give it that M, with our P. */
static void startlockedm(struct tg_m *m, struct tg_g *g) {
  struct tg_m *lm = g->lockedm;
  struct tg_p *p = m->p;
  m->p = NULL;
  p->m = NULL;
  lm->next_p = p;
  atomic_store_explicit(&lm->park_futex, 1, memory_order_release);
  tg__futex_wake(&lm->park_futex, 1);
}

/* This M's locked goroutine stopped running: let others use the P and wait
 * until the goroutine is ready again (its waker hands us a P). */
static void stoplockedm(struct tg_m *m) {
  struct tg_p *p = m->p;
  m->p = NULL;
  handoffp(p);
  while (atomic_load_explicit(&m->park_futex, memory_order_acquire) == 0)
    tg__futex_wait(&m->park_futex, 0, -1);
  acquirep(m, m->next_p);
  m->next_p = NULL;
}

static _Noreturn void schedule_loop(struct tg_m *m) {
  for (;;) {
    after_switch(m);
    if (!m->p) { /* came back from a blocking call that lost its P */
      if (m->lockedg) {
        /* Its locked goroutine went to the global queue; whoever takes it
         * hands this thread a P (startlockedm). */
        while (atomic_load_explicit(&m->park_futex, memory_order_acquire) == 0)
          tg__futex_wait(&m->park_futex, 0, -1);
        acquirep(m, m->next_p);
        m->next_p = NULL;
        switch_to(m, &m->g0, m->lockedg);
        continue;
      }
      tg__lock_acquire(&tg__sched.lock);
      stopm_locked(m);
    }
    struct tg_g *g;
    if (m->pending_locked) {
      g = m->pending_locked;
      m->pending_locked = NULL;
      startlockedm(m, g);
      tg__lock_acquire(&tg__sched.lock);
      stopm_locked(m);
      continue;
    }
    if (m->lockedg) {
      stoplockedm(m);
      switch_to(m, &m->g0, m->lockedg);
      continue;
    }
    g = find_runnable(m);
    if (g->lockedm && g->lockedm != m) {
      startlockedm(m, g);
      tg__lock_acquire(&tg__sched.lock);
      stopm_locked(m);
      continue;
    }
    switch_to(m, &m->g0, g);
  }
}

static void *mstart(void *arg) {
  struct tg_m *m = arg;
  tg__setm(m);
  tg__signals_thread_init();
  acquirep(m, m->next_p);
  m->next_p = NULL;
  schedule_loop(m);
}

static void m0_g0_entry(void *arg) {
#ifdef TANGLE_ASAN
  __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
  schedule_loop(arg);
}

/* ---- goroutines ---------------------------------------------------------- */

static void p_count_goroutines(struct tg_p *p, int64_t d) {
  atomic_store_explicit(&p->ngo, atomic_load_explicit(&p->ngo, memory_order_relaxed) + d,
                        memory_order_relaxed);
}

static void gfree_put(struct tg_p *p, struct tg_g *g) {
  tg__stack_put(p, g);
  g->sp = NULL;
  g->schedlink = p->gfree;
  p->gfree = g;
  if (++p->ngfree <= GFREE_LOCAL_MAX)
    return;
  /* Half goes to the global stack as one chain: the most recently freed
   * half stays (its lines are in this CPU's cache). */
  struct tg_g *keep = p->gfree;
  for (int i = 1; i < GFREE_LOCAL_MAX / 2; i++)
    keep = keep->schedlink;
  struct gfree_chain c = {keep->schedlink, p->ngfree - GFREE_LOCAL_MAX / 2};
  keep->schedlink = NULL;
  p->ngfree = GFREE_LOCAL_MAX / 2;
  tg__lock_acquire(&tg__sched.lock);
  size_t n = atomic_load_explicit(&gfree_nchains, memory_order_relaxed);
  if (n == gfree_chains_cap) {
    size_t cap = gfree_chains_cap ? 2 * gfree_chains_cap : 64;
    struct gfree_chain *a = realloc(gfree_chains, cap * sizeof *a);
    if (!a) { /* keep them local rather than fail an exit */
      tg__lock_release(&tg__sched.lock);
      keep->schedlink = c.head;
      p->ngfree += c.n;
      return;
    }
    gfree_chains = a;
    gfree_chains_cap = cap;
  }
  gfree_chains[n] = c;
  atomic_store_explicit(&gfree_nchains, n + 1, memory_order_relaxed);
  tg__lock_release(&tg__sched.lock);
}

static struct tg_g *gfree_get(struct tg_p *p) {
  if (!p->gfree && atomic_load_explicit(&gfree_nchains, memory_order_relaxed)) {
    tg__lock_acquire(&tg__sched.lock);
    size_t n = atomic_load_explicit(&gfree_nchains, memory_order_relaxed);
    if (n) {
      struct gfree_chain c = gfree_chains[n - 1];
      atomic_store_explicit(&gfree_nchains, n - 1, memory_order_relaxed);
      p->gfree = c.head;
      p->ngfree = c.n;
    }
    tg__lock_release(&tg__sched.lock);
  }
  struct tg_g *g = p->gfree;
  if (g) {
    struct tg_g *next = g->schedlink;
    p->gfree = next;
    p->ngfree--;
    /* The next spawn's struct was usually last written by the CPU that ran
     * it: fetch the two lines a spawn writes while this one goes on. */
    if (next) {
      __builtin_prefetch(next, 1);
      __builtin_prefetch((char *)next + 64, 1);
    }
  }
  return g;
}

static void allg_add(struct tg_g *g) {
  tg__lock_acquire(&tg__sched.allg_lock);
  g->all_next = tg__sched.allg;
  tg__sched.allg = g;
  g->in_allg = true;
  tg__lock_release(&tg__sched.allg_lock);
}

/* The creation stack: the caller's return address always; in the race
 * build the frame-pointer chain too (instrumented code keeps frame
 * pointers), bounded by the creator's stack so a foreign rbp cannot fault. */
static void capture_creation(struct tg_g *parent, struct tg_g *g, void *ret, void *frame) {
  g->create_pcs[0] = ret;
  g->create_depth = 1;
#if TG_RACE_ENABLED
  char *lo = parent->stack_lo, *hi = parent->stack_hi;
  if (!lo) { /* main goroutine: the thread stack, bounded loosely */
    lo = (char *)frame - 1;
    hi = (char *)frame + (8 << 20);
  }
  void **fp = frame;
  fp = (void **)fp[0]; /* skip tg_go's own frame */
  while (g->create_depth < TG_CREATE_DEPTH && (char *)fp > lo && (char *)fp + 16 <= hi &&
         ((uintptr_t)fp & 7) == 0) {
    void *pc = fp[1];
    if (!pc)
      break;
    g->create_pcs[g->create_depth++] = pc;
    void **next = fp[0];
    if (next <= fp)
      break;
    fp = next;
  }
#else
  (void)parent;
  (void)frame;
#endif
}

__attribute__((noinline)) uint64_t tg_go(tg_func fn, void *arg) {
  tg__init();
  struct tg_m *m = tg__getm_fast(); /* nothing here can park */
  if (!m || !m->p || m->curg->is_g0)
    tg__fatal("tg_go called from a thread the runtime does not run");
  struct tg_g *parent = m->curg;
  struct tg_g *g = gfree_get(m->p);
  if (!g) {
    /* A batch at a time: one allocation header for many goroutines. */
    enum { BATCH = 64 };
    struct tg_g *batch = calloc(BATCH, sizeof *batch);
    if (!batch)
      tg__fatal("out of memory creating a goroutine");
    for (int i = 1; i < BATCH; i++) {
      batch[i].schedlink = m->p->gfree;
      m->p->gfree = &batch[i];
      m->p->ngfree++;
    }
    g = &batch[0];
  }
  bool fresh = !g->in_allg;
  g->sp = NULL;
  g->fn = fn;
  g->arg = arg;
  g->id = atomic_fetch_add_explicit(&tg__sched.goid_gen, 1, memory_order_relaxed) + 1;
  g->parent_id = parent->id;
  g->wait_reason = TG_WAIT_NONE;
  g->wait_obj = NULL;
  g->preempt = false;
  capture_creation(parent, g, __builtin_return_address(0), __builtin_frame_address(0));
  atomic_store_explicit(&g->status, TG_G_RUNNABLE, memory_order_relaxed);
  if (fresh)
    allg_add(g);
  p_count_goroutines(m->p, 1);
  tg__race_go_create(parent, g);
  runq_put(m->p, g, true);
  wakep();
  return g->id;
}

static _Noreturn void goexit_now(struct tg_g *g) {
  tg__race_go_end(g);
  atomic_store_explicit(&g->status, TG_G_DEAD, memory_order_release);
  struct tg_m *m = tg__getm_fast();
  if (m->p)
    p_count_goroutines(m->p, -1);
  else
    atomic_fetch_sub_explicit(&tg__sched.ngoroutines, 1, memory_order_relaxed);
  if (g->lockedm) { /* exiting unlocks */
    g->lockedm = NULL;
    m->lockedg = NULL;
  }
  if (!g->is_main)
    m->after_free = g, m->after_rare = true;
  switch_to(m, g, next_to_run(m, g));
  __builtin_unreachable();
}

/* First code of every goroutine. */
void tg__goroutine_entry(void *arg) {
  struct tg_g *g = arg;
#ifdef TANGLE_ASAN
  __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
  after_switch(tg__getm());
  tg__race_go_start(g);
  g->fn(g->arg);
  goexit_now(tg__getg());
}

void tg_lock_thread(void) {
  tg__init();
  struct tg_m *m = tg__getm();
  struct tg_g *g = m ? m->curg : NULL;
  if (!g || g->is_g0)
    return;
  g->lockedm = m;
  m->lockedg = g;
}

void tg_unlock_thread(void) {
  struct tg_m *m = tg__getm();
  struct tg_g *g = m ? m->curg : NULL;
  if (!g || g->is_g0 || g->lockedm != m)
    return;
  g->lockedm = NULL;
  m->lockedg = NULL;
}

uint64_t tg_self(void) {
  struct tg_g *g = tg__getg();
  return g && !g->is_g0 ? g->id : 0;
}

void tg_goexit(void) {
  struct tg_g *g = tg__getg();
  if (!g || g->is_g0)
    tg__fatal("tg_goexit called outside a goroutine");
  goexit_now(g);
}

void tg_yield(void) {
  struct tg_m *m = tg__getm();
  if (!m || !m->p)
    return;
  struct tg_g *g = m->curg;
  if (g->lockedm) {
    /* Requeued globally once switched out; its M waits to get it back. */
    atomic_store_explicit(&g->status, TG_G_RUNNABLE, memory_order_relaxed);
    atomic_store_explicit(&m->park_futex, 0, memory_order_relaxed);
    m->after_fn = ready_global_fn;
    m->after_arg = g;
    switch_to(m, g, &m->g0);
    return;
  }
  struct tg_g *next = runnable_local(m, true);
  if (!next) {
    if (!atomic_load_explicit(&tg__sched.gq_size, memory_order_relaxed))
      return; /* nothing else wants this P */
    tg__lock_acquire(&tg__sched.lock);
    next = globrunq_get_locked(m->p, 1);
    tg__lock_release(&tg__sched.lock);
    if (!next)
      return;
  }
  if (next->lockedm && next->lockedm != m) {
    /* Its own thread must run it: g0 hands that thread our P. */
    m->pending_locked = next;
    next = &m->g0;
  }
  atomic_store_explicit(&g->status, TG_G_RUNNABLE, memory_order_relaxed);
  /* Go puts a yielding goroutine on the global queue so that it runs after
   * everything else; the local tail is enough and keeps it cheap. */
  m->after_ready = g, m->after_rare = true;
  switch_to(m, g, next);
}

int tg_num_goroutine(void) {
  tg__init();
  return tg__num_goroutine();
}

int tg__num_goroutine(void) {
  /* Ps are never freed and allp only grows (tg_maxprocs), so every count
   * is in allp[0..nprocs). A sum taken while goroutines come and go is a
   * snapshot of no single instant, as Go's NumGoroutine. */
  int64_t n = atomic_load(&tg__sched.ngoroutines);
  int np = __atomic_load_n(&tg__sched.nprocs, __ATOMIC_ACQUIRE);
  for (int i = 0; i < np; i++) {
    struct tg_p *p = __atomic_load_n(&tg__sched.allp[i], __ATOMIC_ACQUIRE);
    if (p) /* being added by tg_maxprocs: nothing counted on it yet */
      n += atomic_load_explicit(&p->ngo, memory_order_relaxed);
  }
  return n < 0 ? 0 : (int)n;
}

int tg_maxprocs(int n) {
  tg__init();
  int old = atomic_load(&read_mostly.target_procs);
  if (n < 1 || n == old)
    return old;
  if (n > TG_MAX_PROCS)
    n = TG_MAX_PROCS;
  tg__lock_acquire(&tg__sched.lock);
  for (int i = tg__sched.nprocs; i < n; i++) {
    struct tg_p *p = p_alloc(i);
    __atomic_store_n(&tg__sched.allp[i], p, __ATOMIC_RELEASE); /* tg__num_goroutine */
    pidle_put_locked(p);
  }
  for (int i = 0; i < n && i < tg__sched.nprocs; i++) {
    struct tg_p *p = tg__sched.allp[i];
    if (atomic_load(&p->status) == TG_P_DEAD) {
      atomic_fetch_sub(&npdead, 1);
      pidle_put_locked(p);
    }
  }
  if (n > tg__sched.nprocs)
    __atomic_store_n(&tg__sched.nprocs, n, __ATOMIC_RELEASE);
  /* Ps at or above n retire themselves: running ones at their next
   * schedule, idle ones when next taken from the idle list. */
  atomic_store(&read_mostly.target_procs, n);
  tg__lock_release(&tg__sched.lock);
  wakep();
  return old;
}

/* ---- blocking system calls --------------------------------------------- */

static void ready_global_fn(void *arg) {
  tg__ready_global(arg);
}

/* The goroutine leaves the count of those in blocking calls only once it
 * is on the global queue: in between, with every P idle, the global
 * deadlock check would see nothing that can run. */
static void ready_after_syscall_fn(void *arg) {
  tg__ready_global(arg);
  atomic_fetch_sub(&tg__sched.nsyscall, 1);
}

void tg_enter_blocking(void) {
  struct tg_m *m = tg__getm();
  if (!m || !m->p)
    return;
  struct tg_g *g = m->curg;
  struct tg_p *p = m->p;
  atomic_fetch_add(&tg__sched.nsyscall, 1);
  atomic_store_explicit(&g->status, TG_G_SYSCALL, memory_order_relaxed);
  g->wait_reason = TG_WAIT_SYSCALL;
  g->wait_since = tg__nanotime_coarse();
  atomic_fetch_add(&p->syscalltick, 1);
  /* The P stays attached, marked as in a syscall: sysmon hands it to
   * another thread if the call lasts (Go's entersyscall/retake). */
  atomic_store(&p->status, TG_P_SYSCALL);
}

void tg_exit_blocking(void) {
  struct tg_m *m = tg__getm();
  if (!m)
    return;
  struct tg_g *g = m->curg;
  struct tg_p *p = m->p;
  if (!p || atomic_load(&p->status) != TG_P_SYSCALL) {
    /* Not inside tg_enter_blocking on this thread: nothing to undo. */
    if (atomic_load_explicit(&g->status, memory_order_relaxed) != TG_G_SYSCALL)
      return;
  }
  int s = TG_P_SYSCALL;
  if (p && atomic_compare_exchange_strong(&p->status, &s, TG_P_RUNNING)) {
    /* Fast path: nobody took the P. */
    atomic_fetch_sub(&tg__sched.nsyscall, 1);
    atomic_store_explicit(&g->status, TG_G_RUNNING, memory_order_relaxed);
    g->wait_reason = TG_WAIT_NONE;
    return;
  }
  /* sysmon handed our P away: get an idle one, or queue the goroutine and
   * let this thread join the idle Ms. */
  m->p = NULL;
  tg__lock_acquire(&tg__sched.lock);
  struct tg_p *p2 = pidle_get_locked();
  g->wait_reason = TG_WAIT_NONE;
  if (p2) {
    atomic_fetch_sub(&tg__sched.nsyscall, 1);
    tg__lock_release(&tg__sched.lock);
    acquirep(m, p2);
    atomic_store_explicit(&g->status, TG_G_RUNNING, memory_order_relaxed);
    return;
  }
  tg__lock_release(&tg__sched.lock);
  atomic_store_explicit(&g->status, TG_G_RUNNABLE, memory_order_relaxed);
  if (g->lockedm) /* cleared before the goroutine is published */
    atomic_store_explicit(&m->park_futex, 0, memory_order_relaxed);
  /* Queue the goroutine only once its registers are saved, then let this
   * thread's scheduler context sleep until it is handed a P. */
  m->after_fn = ready_after_syscall_fn;
  m->after_arg = g;
  switch_to(m, g, &m->g0);
}

/* sysmon's retake: a P stuck in a blocking call for more than 20 µs goes
 * to another thread. Returns true if it took it. */
bool tg__retake_syscall_p(struct tg_p *p, uint32_t seen_tick) {
  if (atomic_load(&p->syscalltick) != seen_tick)
    return false;
  int s = TG_P_SYSCALL;
  if (!atomic_compare_exchange_strong(&p->status, &s, TG_P_IDLE))
    return false;
  struct tg_g *g;
  tg__lock_acquire(&tg__sched.lock);
  /* Its queued goroutines go global so whoever picks up can run them. */
  while ((g = runq_get(p)))
    globrunq_put_locked(&g, 1);
  p->m = NULL;
  p->idle_next = tg__sched.pidle;
  tg__sched.pidle = p;
  atomic_fetch_add(&tg__sched.npidle, 1);
  tg__lock_release(&tg__sched.lock);
  startm(false);
  return true;
}

void tg__wakep(void) {
  wakep();
}

/* ---- start-up ------------------------------------------------------------ */

static int procs_from_env(void) {
  const char *names[] = {"TANGLE_MAXPROCS", "GOMAXPROCS"};
  for (int i = 0; i < 2; i++) {
    const char *v = getenv(names[i]);
    if (!v || !*v)
      continue;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 1) {
      tg__fdprintf(2, "tangle: %s=%s: expected a positive integer\n", names[i], v);
      _exit(2);
    }
    return n > TG_MAX_PROCS ? TG_MAX_PROCS : (int)n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > TG_MAX_PROCS ? TG_MAX_PROCS : (int)n;
}

void tg__init(void) {
  if (atomic_load_explicit(&read_mostly.init_state, memory_order_acquire) == 2)
    return;
  int zero = 0;
  if (!atomic_compare_exchange_strong(&read_mostly.init_state, &zero, 1)) {
    while (atomic_load_explicit(&read_mostly.init_state, memory_order_acquire) != 2)
      tg__cpu_relax();
    return;
  }
  tg__options_parse();
  tg__sched.seed =
      tg__opts.seed_set ? tg__opts.seed : ((uint64_t)tg_now() ^ (uint64_t)getpid() << 32);
  int n = procs_from_env();
  tg__sched.nprocs = n;
  atomic_store(&read_mostly.target_procs, n);
  tg__sched.allp = calloc(TG_MAX_PROCS, sizeof *tg__sched.allp);
  if (!tg__sched.allp)
    tg__fatal("out of memory");
  for (int i = 0; i < n; i++) {
    struct tg_p *p = p_alloc(i);
    tg__sched.allp[i] = p;
  }
  for (int i = n - 1; i >= 1; i--)
    pidle_put_locked(tg__sched.allp[i]);

  m0.id = tg__sched.mcount++;
  tg__sched.allm = &m0;
  m0.rand_state = tg__sched.seed;
  m0.g0.is_g0 = true;
  /* m0's scheduler context needs a stack of its own: the thread's stack is
   * the main goroutine's. */
  void *st = mmap(NULL, G0_STACK_SIZE, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (st == MAP_FAILED)
    tg__fatal("cannot allocate the scheduler stack");
  m0.g0.stack_lo = st;
  m0.g0.stack_hi = (char *)st + G0_STACK_SIZE;
  m0.g0.stack_size = G0_STACK_SIZE;
  m0.g0.stack_guarded = true;
  m0.g0.sp = tg__ctx_make(m0.g0.stack_hi, m0_g0_entry, &m0);

  g_main.id = 1;
  g_main.is_main = true;
  g_main.stack_guarded = true;
  atomic_store(&g_main.status, TG_G_RUNNING);
  atomic_store(&tg__sched.goid_gen, 1);
  atomic_store(&tg__sched.ngoroutines, 1);
  allg_add(&g_main);
  g_main.m = &m0;
  m0.curg = &g_main;
  acquirep(&m0, tg__sched.allp[0]);
  tg__setm(&m0);
  tg__netpoll_init();
  tg__signals_init();
  atomic_store_explicit(&read_mostly.init_state, 2, memory_order_release);
  tg__race_go_start(&g_main);
  tg__sysmon_start();
}

struct tg_g *tg__main_g(void) {
  return &g_main;
}

__attribute__((constructor(101))) static void tg__ctor(void) {
  tg__init();
}
