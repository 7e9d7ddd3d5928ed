/* The race detector's internal state, shared by the detector's race*.c,
 * tsan_*.c, history.c and malloc.c (race build only).
 *
 * Per goroutine (struct tg_g's `race` field) a tg_race_g: its slot and
 * epoch (clock.h), what it knows of other slots, its shadow call stack and
 * its cursor in its slot's access history. It is small (about 150 bytes
 * plus the call stack, grown on demand) so that a million parked goroutines
 * stay cheap. */
#ifndef TANGLE_RACE_STATE_H
#define TANGLE_RACE_STATE_H

#include "clock.h"
#include "rt.h"
#include "shadow.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_g;

struct tg_race_g {
  /* (slot << 32 | epoch): what a cell holds for this goroutine's accesses
   * in the current epoch, or 0 when accesses must take the slow path (no
   * slot yet, or ignoring). First field: the fast path reads only it. */
  uint64_t fast;
  uint32_t slot, epoch;
  struct tg_vc *vc; /* knowledge of other slots; may be shared */
  /* One entry beyond vc, not yet folded into it: the creator's epoch, or
   * the extra entry of a clock the goroutine took by reference. */
  uint32_t ov_slot, ov_epoch;
  /* A slot and epoch (a cell's TG_CELL_AT bits) this goroutine was found
   * to know: its clock only grows, so it knows it for good, and the next
   * renewal next to that cell (main's write of a global every goroutine
   * reads) skips the lookup. 0 when none. */
  uint64_t known_at;
  uint64_t *tpos, *tend; /* write cursor in its slot's history */
  uintptr_t *stk;        /* shadow call stack: call sites, outermost first */
  uint32_t depth, stk_cap;
  int ignore;   /* tg_race_ignore_begin nesting, and the detector's own work */
  bool no_slot; /* every slot taken: accesses are checked, not recorded */
  struct tg_g *g;
  uint64_t gid;
  uintptr_t stack_lo, stack_hi; /* its goroutine stack (0 for the main one) */
  uintptr_t stack_touched;      /* lowest address whose shadow may be set: its own
                                 * accesses, and its deepest instrumented frame */
  struct tg_vc *fence_rel;      /* its clock at the last release fence */
  struct tg_vc *acq_pending;    /* clocks seen by relaxed loads, for acquire fences */
  struct tg_race_g *free_next;
  /* The wait-for graph keeps the acquisition stacks of held locks as a
   * depth into stk (waitfor.c): before a function return drops the stack
   * below wf_mark, those frames are copied out (tg__wf_keep_stacks). */
  uint32_t wf_mark;
  /* Its wait-for node (waitfor.c), once a mutex hook found it. */
  struct wf_g *wf;
};
/* Copies the frames of g's lazily recorded held locks out of its shadow
 * call stack (waitfor.c); run by g itself. */
void tg__wf_keep_stacks(struct tg_race_g *r);

/* A slot: one timeline of epochs, held by one goroutine at a time. */
struct tg_slot {
  uint32_t epoch;       /* the last epoch a finished holder used */
  uint32_t first_epoch; /* the current holder's first epoch */
  uint64_t gid;         /* holder's goroutine id; 0 when free */
  struct tg_race_g *holder;
  struct tg_trace *trace; /* access history (history.c) */
  /* Its last holders, to name the goroutine of an access whose history is
   * gone: ring of (first epoch, goroutine id). */
  struct {
    uint32_t first_epoch;
    uint64_t gid;
  } past[8];
  uint32_t npast;
};
/* Indexed by slot; owned by race.c, entries changed under its slot lock
 * (trace cursors by the holder only). */
extern struct tg_slot tg__slots[TG_MAX_SLOTS];

void tg__race_init(void); /* idempotent */
bool tg__race_ready(void);

/* The running goroutine's detector state, or NULL when accesses are not
 * tracked (before initialization, on a scheduler thread, on a thread the
 * runtime does not run): hooks.h's tg__race_tls_cur. None of the
 * detector's entry points can park, so reading thread-local storage
 * directly is safe here (see runtime/tls.c). */
static inline struct tg_race_g *tg__race_cur(void) {
  return (struct tg_race_g *)tg__race_tls_cur;
}
/* The running thread's M, cached: an M stays bound to its thread for
 * life, so unlike the goroutine it can be remembered. */
extern __thread struct tg_m *tg__race_m __attribute__((tls_model("initial-exec")));
struct tg_m *tg__race_m_slow(void);

/* Whether no other goroutine can be running right now: every other P idle
 * and no goroutine outside the scheduler in a blocking section. Then no
 * access can be simultaneous with this one, and a shadow store needs no
 * barrier. (A P that wakes afterwards goes through the scheduler's atomics
 * before its goroutine touches memory.) */
static inline bool tg__race_alone(void) {
  return tg__sched.nprocs - atomic_load_explicit(&tg__sched.npidle, memory_order_relaxed) <= 1 &&
         !atomic_load_explicit(&tg__sched.nsyscall, memory_order_relaxed);
}

/* Slow path of every access: [addr, addr+size) within one 8-byte word. */
void tg__race_access_slow(struct tg_race_g *r, uintptr_t addr, unsigned size, bool write,
                          bool atomic, uintptr_t pc, bool traced);
/* An access of 1, 2, 4 or 8 bytes within one word, by the runtime on the
 * goroutine's behalf (a channel's closed flag, a small element): the
 * instrumentation's own path (tsan_entry.c). */
void tg__race_access_word(struct tg_race_g *r, uintptr_t addr, unsigned size, bool write,
                          uintptr_t pc);
/* Any range: traced once, checked word by word. */
void tg__race_access_range(struct tg_race_g *r, uintptr_t addr, size_t size, bool write,
                           uintptr_t pc);

/* Slots given back and not yet taken again (a hint, read without the
 * lock): a goroutine that found none tries again once there are some. */
extern _Atomic uint32_t tg__race_free_slots;

/* Clocks of the running goroutine (race.c). */
bool tg__race_attach_slot(struct tg_race_g *r);
void tg__race_tick(struct tg_race_g *r);
void tg__race_refresh_fast(struct tg_race_g *r);
static inline uint32_t tg__race_knows(const struct tg_race_g *r, uint32_t slot) {
  if (slot == r->slot)
    return r->epoch;
  uint32_t v = tg__vc_get(r->vc, slot);
  if (slot == r->ov_slot && r->ov_epoch > v)
    v = r->ov_epoch;
  return v;
}
/* Sync objects: clocks attached to addresses (race_sync.c). */
void tg__race_sync_acquire(struct tg_race_g *r, uintptr_t addr);
void tg__race_sync_release(struct tg_race_g *r, uintptr_t addr, bool merge);
/* The same for a mutex's lock and unlock, by its holder (race_sync.c). */
void tg__race_mutex_acquire(struct tg_race_g *r, uintptr_t addr);
void tg__race_mutex_release(struct tg_race_g *r, uintptr_t addr);
void tg__race_sync_free_range(uintptr_t addr, size_t n);
/* Atomic operations run under their address's lock, so that the value an
 * operation reads and the clock it acquires are consistent. */
enum { TG_ATOMIC_LOAD, TG_ATOMIC_STORE, TG_ATOMIC_RMW };
tg__lock *tg__race_atomic_lock(uintptr_t addr);
/* With that lock held, after the operation: its synchronization by memory
 * order (mo: C11's, 0 relaxed .. 5 seq_cst). True if it released (the
 * caller ticks once the lock is dropped). */
bool tg__race_atomic_sync(struct tg_race_g *r, uintptr_t addr, int kind, int mo);
/* The running goroutine's logical clock, materialized into a vc. */
void tg__race_clock_into(const struct tg_race_g *r, struct tg_vc **dst, bool merge);
/* Happens-before through a sync object's clock: acquire joins it into the
 * goroutine; store replaces it (sharing the goroutine's vc when `share`),
 * merge joins the goroutine into it. */
void tg__race_clock_acquire(struct tg_race_g *r, const struct tg_clock *c);
void tg__race_clock_store(const struct tg_race_g *r, struct tg_clock *dst, bool share);
void tg__race_clock_merge(const struct tg_race_g *r, struct tg_clock *dst);
/* Makes a clock's base private with its extra entries folded in. */
void tg__race_clock_fold(struct tg_clock *c);

/* A race between the current access and a shadow cell (race_report.c). */
void tg__race_found(struct tg_race_g *r, uintptr_t addr, unsigned size, bool write, bool atomic,
                    uintptr_t pc, uint64_t cell);

/* Whether a goroutine id still runs (its slot is still held by it). */
bool tg__race_goroutine_alive(uint32_t slot, uint64_t gid);

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

#endif
