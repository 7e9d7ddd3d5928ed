/* Internal runtime interface shared by every runtime and detector source.
 *
 * The scheduler's model is Go's: G (goroutine), M (OS thread), P (processor:
 * the right to run Go code, with a local run queue). Every blocking primitive
 * is built from two calls:
 *
 *   tg__park(lock, reason, obj)  the running G stops; `lock` (held by the
 *                                caller, protecting the queue the G was put
 *                                on) is released only after the G's registers
 *                                are saved, so a waker that takes `lock` can
 *                                never resume a G that is still running.
 *   tg__ready(g)                 makes a parked G runnable (runnext of the
 *                                caller's P, so the woken G runs next).
 */
#ifndef TANGLE_RT_H
#define TANGLE_RT_H

#include "../detector/hooks.h"
#include "lock.h"
#include "tangle.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* Wait reasons, printed in Go's words. */
enum tg_wait_reason {
  TG_WAIT_NONE = 0,
  TG_WAIT_CHAN_RECV,
  TG_WAIT_CHAN_SEND,
  TG_WAIT_CHAN_RECV_NIL,
  TG_WAIT_CHAN_SEND_NIL,
  TG_WAIT_SELECT,
  TG_WAIT_SELECT_NO_CASES,
  TG_WAIT_SLEEP,
  TG_WAIT_MUTEX,
  TG_WAIT_RWMUTEX_R,
  TG_WAIT_RWMUTEX_W,
  TG_WAIT_WAITGROUP,
  TG_WAIT_COND,
  TG_WAIT_ONCE,
  TG_WAIT_SEM,
  TG_WAIT_IO,
  TG_WAIT_SYSCALL,
  TG_WAIT_LEAK_CHECK,
  TG_WAIT__COUNT
};
const char *tg__wait_reason_str(int reason);

enum tg_gstatus {
  TG_G_IDLE = 0, /* allocated, not started / on the free list */
  TG_G_RUNNABLE,
  TG_G_RUNNING,
  TG_G_WAITING,
  TG_G_SYSCALL,
  TG_G_DEAD,
};
const char *tg__gstatus_str(int status);

struct tg_g;
struct tg_chan;

/* A goroutine waiting in a queue: one per channel of a blocked select, one for
 * a plain channel operation or semaphore wait. Lives on the waiting G's stack
 * (it stays valid for as long as the G is parked). */
struct tg_sudog {
  struct tg_g *g;
  struct tg_sudog *next, *prev;
  void *elem; /* data to send, or where to receive */
  struct tg_chan *c;
  struct tg_sudog *waitlink; /* g->waiting: sudogs of one select */
  const void *addr;          /* sema: the address waited on */
  uint64_t ticket;           /* sema: handoff flag; cond: ticket */
  int64_t acquire_time;      /* when it started waiting (ns) */
  int32_t case_index;
  bool is_select;
  bool success; /* chan: completed by a real send/recv, not close */
  bool is_send; /* chan: the waiter sends (select cases differ) */
};

struct tg_waitq {
  struct tg_sudog *first, *last;
};
/* tg__waitq_enqueue, tg__waitq_dequeue (skips lost selects) and
 * tg__waitq_remove: runtime/waitq.h, included below. */

/* Timers (runtime/timer.c): per-P heaps; f runs on a scheduler thread, with
 * no P lock held, and must not block. tg__timer_del returns only once a
 * callback that was already running has finished, so after it the timer may
 * be freed or re-armed (unless called from its own callback). */
struct tg_rtimer {
  int64_t when;
  int64_t period;
  void (*f)(void *arg, int64_t now);
  void *arg;
  struct tg_p *p;      /* heap it is in, or NULL */
  int32_t heap_index;  /* valid while p != NULL (pending) */
  _Atomic int running; /* its callback is executing */
  struct tg_m *running_m;
};
void tg__timer_add(struct tg_rtimer *t, int64_t when);
bool tg__timer_del(struct tg_rtimer *t);               /* true if it was pending */
bool tg__timer_mod(struct tg_rtimer *t, int64_t when); /* true if it was pending */

/* Where a goroutine was created: the race build keeps the whole chain for
 * its reports; the normal build only the caller of tg_go, to keep a parked
 * goroutine small. */
#if TG_RACE_ENABLED
#define TG_CREATE_DEPTH 16
#else
#define TG_CREATE_DEPTH 1
#endif

struct tg_m;
struct tg_p;

/* Fields are ordered by when they are touched: the first two cache lines
 * hold everything a goroutine's spawn, first run and exit read or write
 * (the spawning P writes them, another P usually runs the goroutine, so
 * each line is a transfer between CPUs); the rest is for parking, timers,
 * dumps and the detectors. */
struct tg_g {
  void *sp; /* saved stack pointer: first field, used by the context switch */
  uint64_t id;
  tg_func fn;
  void *arg;
  char *stack_lo;         /* lowest usable address (above the guard) */
  char *stack_hi;         /* one past the top */
  struct tg_g *schedlink; /* run queue, global queue, free list */
  struct tg_m *m;
  /* second line */
  struct tg_m *lockedm; /* tg_lock_thread: runs only on this M */
  uint64_t parent_id;
  const void *wait_obj;
  size_t stack_size;
  _Atomic int status;
  int wait_reason;
  int saved_errno;
  int create_depth;
  bool is_main;
  bool is_g0;
  bool preempt;       /* sysmon asks it to yield at the next chance */
  bool stack_guarded; /* false: a canary at stack_lo stands in */
  bool in_allg;
  void *create_pcs[TG_CREATE_DEPTH];
  /* colder */
  int64_t wait_since;
  /* Bumped by every park, before its reason is written: the race build's
   * wait-for graph reads a channel wait from the park itself (waitfor.c,
   * chan_wait_of) and tells one park from the next by it. */
  _Atomic uint32_t park_seq;
  struct tg_g *all_next;              /* every goroutine struct ever made */
  struct tg_sudog *waiting;           /* sudogs of a parked select */
  struct tg_sudog *param;             /* the sudog that woke it */
  struct tg_rtimer sleep_timer;       /* tg_sleep and a select's TG_AFTER */
  void (*sleep_fire)(struct tg_g *g); /* what sleep_timer does when it fires */
  _Atomic uint32_t select_done;       /* a select's race to be woken */
#if TG_RACE_ENABLED
  void *race; /* detector's per-goroutine state */
  void *wf;   /* wait-for graph per-goroutine state */
#endif
};

#define TG_MAX_PROCS 256
struct tg_m {
  struct tg_g g0; /* scheduler context on the thread's own stack */
  struct tg_g *curg;
  struct tg_p *p;
  int id;
  bool spinning;
  bool spin_fruitless; /* its last spin found nothing it could take */
  _Atomic uint32_t park_futex;
  struct tg_m *idle_next;
  struct tg_p *next_p;         /* handed over by the M that woke it */
  struct tg_g *lockedg;        /* the goroutine locked to this thread */
  struct tg_g *pending_locked; /* to hand to its own M from g0 */
  /* What the G that switched away asked the next context to do once its
   * registers are saved. */
  tg__lock *after_unlock;
  void (*after_fn)(void *arg); /* e.g. unlock every channel of a select */
  void *after_arg;
  struct tg_g *after_ready; /* yield: requeue this G */
  struct tg_g *after_free;  /* exit: recycle this G and its stack */
  bool timers_due;          /* found due while parking: run after the switch */
  bool after_rare;          /* after_ready, after_free or timers_due is set */
  uint64_t rand_state;
  int *errno_loc; /* this thread's errno, which goroutines carry across threads */
  struct tg_m *all_next;
  /* Work stealing: each P's switch count and run-queue head when this M
   * last looked at it. */
  uint64_t steal_seen[TG_MAX_PROCS];
  uint64_t steal_seen_head[TG_MAX_PROCS];
};

#define TG_RUNQ_SIZE 256
struct tg_p {
  int id;
  _Atomic int status; /* TG_P_* */
  struct tg_m *m;
  struct tg_p *idle_next;
  /* What thieves read: kept off the owner's own line, so that a spinning M
   * polling for work does not steal the cache line the owner writes at
   * every switch. */
  _Alignas(64) _Atomic uint32_t runq_head;
  _Atomic uint32_t runq_tail;
  struct tg_g *_Atomic runnext;
  struct tg_g *_Atomic runq[TG_RUNQ_SIZE];
  /* The owner's line. */
  _Alignas(64) _Atomic uint64_t switches; /* bumps at every schedule: sysmon, runnext thieves */
  uint32_t gq_countdown;                  /* schedules until the global queue is looked at */
  _Atomic bool runq_first; /* sysmon: the queue starves behind runnext; take its head next */
  _Atomic uint32_t syscalltick;
  _Atomic int64_t timer0_when; /* earliest, or 0 when none */
  /* Goroutines created minus goroutines ended on this P, written by its
   * owner only (load + store, no read-modify-write): one shared counter
   * bounced between the spawning P and the P that ran the goroutines.
   * tg_num_goroutine sums them. */
  _Atomic int64_t ngo;
  /* timers */
  tg__lock timers_lock;
  struct tg_rtimer **timers;
  int ntimers, timers_cap;
  /* finished goroutine structs, and stacks, for reuse */
  struct tg_g *gfree;
  int ngfree;
  void *stack_cache; /* runtime/stack.c's free stacks */
  int nstack_cache;
};
enum { TG_P_IDLE = 0, TG_P_RUNNING, TG_P_SYSCALL, TG_P_DEAD };

/* The scheduler's shared state (runtime/sched.c owns it). */
struct tg_sched {
  tg__lock lock;
  _Atomic int gq_size; /* goroutines in the global run queue (sched.c) */
  struct tg_p *pidle;
  _Atomic int npidle;
  struct tg_m *midle;
  int nmidle;
  _Atomic int nmspinning;
  _Atomic int nnapping;     /* spinning Ms napping between looks for work */
  _Atomic uint32_t nap_seq; /* futex they nap on; bumped for global-queue work */
  int mcount;
  int nprocs;
  struct tg_p **allp;
  struct tg_m *allm;
  _Atomic int nsyscall;    /* goroutines inside tg_enter_blocking */
  _Atomic int nio_waiters; /* goroutines parked on the poller */
  _Atomic int ntimers;     /* pending runtime timers, all Ps */
  _Atomic int nwaking;     /* timer callbacks / poll results in flight */
  /* On its own cache line: the spawning P bumps it, and nothing the
   * other Ps write should share its line. */
  _Alignas(64) _Atomic uint64_t goid_gen;
  /* Goroutines counted outside any P (main, an exit without a P); the
   * rest are in each P's ngo. */
  _Atomic int ngoroutines;
  _Alignas(64) tg__lock allg_lock;
  struct tg_g *allg;          /* every live goroutine */
  _Atomic int64_t poll_until; /* when the polling M wakes up; 0: none polls */
  _Atomic bool polling;       /* an M sleeps in the poller */
  uint64_t seed;
};
extern struct tg_sched tg__sched;
/* Live goroutines (tg_num_goroutine without initializing the runtime). */
int tg__num_goroutine(void);

/* Thread-local state is reached only through these out-of-line accessors:
 * a goroutine can resume on another thread after any call that may park, and
 * compilers cache TLS addresses across calls they can see into. */
struct tg_m *tg__getm(void) __attribute__((noinline));
struct tg_g *tg__getg(void) __attribute__((noinline));
void tg__setm(struct tg_m *m) __attribute__((noinline));

/* The same read inlined, for the switch path: a volatile asm is executed
 * where it is written and never merged with another one, so unlike a C
 * TLS access it cannot be hoisted above a call that may migrate the
 * goroutine. Initial-exec TLS: libtangle is linked into executables. */
#if defined(__x86_64__)
extern __thread struct tg_m *tg__tls_m __attribute__((tls_model("initial-exec")));
static inline struct tg_m *tg__getm_fast(void) {
  struct tg_m *m;
  __asm__ volatile("movq tg__tls_m@gottpoff(%%rip), %0\n\tmovq %%fs:(%0), %0" : "=r"(m));
  return m;
}
#else
#define tg__getm_fast tg__getm
#endif
static inline struct tg_g *tg__getg_fast(void) {
  struct tg_m *m = tg__getm_fast();
  return m ? m->curg : NULL;
}

void tg__init(void);           /* idempotent; the constructor calls it */
struct tg_g *tg__main_g(void); /* goroutine 1 */
void tg__park(tg__lock *unlock, int reason, const void *obj);
/* Same, but fn(arg) runs after the switch instead of unlocking one lock. */
void tg__park_fn(void (*fn)(void *), void *arg, int reason, const void *obj);
void tg__ready(struct tg_g *g);
/* Ready from a context with no P (timer fired by an idle M, the poller). */
void tg__ready_global(struct tg_g *g);
uint32_t tg__fastrand(void);
/* A uniform value in [0, n) from tg__fastrand without a division
 * (Lemire's multiply-shift; Go's fastrandn). */
static inline uint32_t tg__fastrandn(uint32_t n) {
  return (uint32_t)(((uint64_t)tg__fastrand() * n) >> 32);
}
/* A clock for "waiting since" stamps on hot paths: a plain load of a value
 * sysmon refreshes at every wake-up (at least every 10 ms). */
extern _Atomic int64_t tg__coarse_clock;
int64_t tg__nanotime_coarse_slow(void);
/* How far tg__nanotime_coarse may lag: sysmon refreshes it at least every
 * 10 ms, plus slack for its own scheduling. */
#define TG_COARSE_LAG_NS (20 * TG_MILLISECOND)
static inline int64_t tg__nanotime_coarse(void) {
  int64_t t = atomic_load_explicit(&tg__coarse_clock, memory_order_relaxed);
  return t ? t : tg__nanotime_coarse_slow();
}
/* Arms g->sleep_timer so that fire(g) runs at `when`. Call it once g is
 * parked (from the after-switch function of tg__park_fn), so that fire can
 * never ready a goroutine that is still running; cancel once awake. */
void tg__sleep_timer_arm(struct tg_g *g, int64_t when, void (*fire)(struct tg_g *g));
void tg__sleep_timer_cancel(struct tg_g *g);
uint64_t tg__seed(void);

/* Runtime failures. */
_Noreturn void tg__fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void tg__throw_deadlock(void);
void tg__print_goroutine(int fd, struct tg_g *g, bool with_stack);
void tg__write_all(int fd, const char *s, size_t n);
void tg__fdprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Options (runtime/options.c): TANGLE_OPTIONS, parsed once at start-up. */
struct tg_options {
  size_t stack_size;
  bool halt_on_error;
  int exitcode;
  const char *log_path;
  int format; /* 0 text, 1 json */
  int leaks;  /* 0 off, 1 warn, 2 error, 3 all */
  int starvation;
  int64_t starvation_ms;
  bool deadlock;
  int64_t history_size;
  const char *suppressions;
  uint64_t seed;
  bool seed_set;
};
extern struct tg_options tg__opts;
void tg__options_parse(void);

/* Netpoll (runtime/netpoll.c): the idle M that waits for the next timer
 * sleeps in epoll; breaking wakes it. */
void tg__netpoll_init(void);
/* Wait up to delay ns (<0: forever, 0: don't block); readies what is ready.
 * Returns how many goroutines were readied. */
int tg__netpoll(int64_t delay);
void tg__netpoll_break(void);
/* Run timers of p that are due; returns when the next is due (0: none). */
int64_t tg__timers_run(struct tg_p *p, int64_t now);
int64_t tg__timers_earliest(void);

/* Stacks (runtime/stack.c): a goroutine gets one when it first runs and
 * gives it back when it finishes; P-local caches make that cheap. */
bool tg__stack_get(struct tg_p *p, struct tg_g *g);
void tg__stack_put(struct tg_p *p, struct tg_g *g);
size_t tg__stack_default_size(void);

#include "waitq.h"

#endif
