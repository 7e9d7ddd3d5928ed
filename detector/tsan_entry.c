/* The ThreadSanitizer instrumentation ABI (gcc 12, clang 14): every plain
 * memory access and function entry/exit of a program compiled with
 * -fsanitize=thread lands here (race build only; the normal library has
 * none of these symbols).
 *
 * The fast path of an access is: the running goroutine's state, the shadow
 * address by arithmetic, and a compare of the four cells with what this
 * access would store (race_fast.h). Everything else is race_access.c. */
#ifdef TANGLE_RACE
#include "history.h"
#include "race_fast.h"
#include "race_state.h"
#include "rt.h"

#define TSAN_API __attribute__((visibility("default")))
#define PC()     ((uintptr_t)__builtin_return_address(0))

/* Not seen this epoch: renewed (race_fast.h) or the slow path. Out of
 * line, so that the seen case saves no registers. */
static __attribute__((noinline)) void access_more(struct tg_race_g *r, uintptr_t a, unsigned size,
                                                  bool write, uintptr_t pc) {
  if (!tg__fast_renew_access(r, a, size, write, pc))
    tg__race_access_slow(r, a, size, write, false, pc, true);
}

/* An access within one word, not seen this epoch: `want` is the cell it
 * leaves, sh its word's primary pair (touched), ev its history event
 * (history.h: kind, size and address in one word, so that everything
 * travels in registers), i what tg__fast_renew_same gave. A renewal whose
 * history part is full; else a wider cell of ours of this epoch
 * (tg__fast_covered: nothing to do), the general rule, the slow path.
 * Covered accesses are the rarer case (the fields of a struct just written
 * whole): tested first, they cost every renewal its test, 3% of
 * ping-pong's instructions. When both hold (our cell of an older epoch and
 * a wider one of this epoch), the renewal rewrites the older cell: a
 * redundant cell, not a wrong one. */
static __attribute__((noinline)) void access_renew_rest(struct tg_race_g *r, uint64_t *sh,
                                                        uint64_t want, uint64_t ev, uintptr_t pc,
                                                        int i) {
  uintptr_t a = TG_HIST_EV_ADDR(ev);
  unsigned size = TG_HIST_EV_SIZE(ev);
  bool write = TG_HIST_EV_WRITE(ev);
  /* Renewed, and the history part is full. */
  if (i >= 0) {
    tg__hist_put_access(r, ev, pc); /* before the cell (race_fast.h) */
    __atomic_store_n(tg__cell_ptr(sh, i), want, __ATOMIC_RELEASE);
    if (a < r->stack_touched && a >= r->stack_lo)
      r->stack_touched = a & ~(uintptr_t)7;
    return;
  }
  if (tg__fast_covered(sh, want))
    return;
  /* A word with no primary cell (fresh memory, a new goroutine's stack)
   * goes straight to the slow path unless no other goroutine runs: the
   * general rule would mostly send it there after loading four cells. */
  if (((sh[0] | sh[1]) || tg__race_alone()) && tg__race_renew_rest(r, a, size, write, pc))
    return;
  tg__race_access_slow(r, a, size, write, false, pc, true);
}

/* The renewal as it nearly always comes (tg__fast_renew_same): a cell of
 * ours this access supersedes, and no other cell can conflict. No call but
 * the tail call to the rest, so that it saves few registers. */
static __attribute__((noinline)) void access_renew(struct tg_race_g *r, uint64_t *sh, uint64_t want,
                                                   uint64_t ev, uintptr_t pc) {
  int i = tg__fast_renew_same(r, sh, want, !(want & TG_CELL_READ),
                              tg__shadow_touched(tg__cell_ptr(sh, TG_SHADOW_PRIMARY)));
  if (__builtin_expect(i < 0 || r->tpos + 2 > r->tend, 0)) {
    access_renew_rest(r, sh, want, ev, pc, i); /* also a new history part */
    return;
  }
  r->tpos[0] = ev; /* tg__hist_put_access, before the cell (race_fast.h) */
  r->tpos[1] = pc;
  r->tpos += 2;
  __atomic_store_n(tg__cell_ptr(sh, i), want, __ATOMIC_RELEASE);
  uintptr_t a = TG_HIST_EV_ADDR(ev);
  if (a < r->stack_touched && a >= r->stack_lo)
    r->stack_touched = a & ~(uintptr_t)7;
}

/* A 16-byte access (vectorized code) to two whole words of one shadow
 * page, not seen this epoch: `want` is the cell it leaves in each. Both
 * renewed as usual, or both words empty (the first sweep over fresh
 * memory) while no other goroutine runs, in a few compares; the rest
 * through the general rule or the slow path. */
static __attribute__((noinline)) void access16_renew(struct tg_race_g *r, uintptr_t a, uint64_t *sh,
                                                     uint64_t want, bool write, uintptr_t pc) {
  uint64_t *s2 = tg__cell_ptr(sh, TG_SHADOW_PRIMARY);
  bool secondary = tg__shadow_touched(s2);
  int i = tg__fast_renew_same(r, sh, want, write, secondary), j = -1;
  bool fresh = false;
  if (i >= 0)
    j = tg__fast_renew_same(r, sh + TG_SHADOW_PRIMARY, want, write, secondary);
  else if (!secondary && !(sh[0] | sh[1] | sh[2] | sh[3]) && tg__race_alone())
    i = j = 0, fresh = true; /* as tg__fast_renew_cells gives for an empty word */
  if (__builtin_expect(i < 0 || j < 0, 0)) {
    if (!tg__race_renew_rest(r, a, 16, write, pc))
      tg__race_access_slow(r, a, 16, write, false, pc, true);
    return;
  }
  tg__hist_access(r, a, 16, write, false, pc); /* before the cells (race_fast.h) */
  __atomic_store_n(tg__cell_ptr(sh, i), want, __ATOMIC_RELEASE);
  __atomic_store_n(tg__cell_ptr(sh + TG_SHADOW_PRIMARY, j), want, __ATOMIC_RELEASE);
  if (fresh && !tg__race_alone()) { /* stored as alone (race_fast.h) */
    tg__race_recheck(r, a, 8, write, pc);
    tg__race_recheck(r, a + 8, 8, write, pc);
  }
  if (a < r->stack_touched && a >= r->stack_lo)
    r->stack_touched = a & ~(uintptr_t)7;
}

static inline __attribute__((always_inline)) void
access_g(struct tg_race_g *r, uintptr_t a, unsigned size, bool write, uintptr_t pc) {
  uint64_t fast = r->fast;
  if (size == 16 && __builtin_expect(fast && !(a & 15), 1)) {
    /* Two words whose primary pairs share a shadow page. */
    uint64_t *sh = tg__shadow_of(a);
    if (__builtin_expect(!tg__shadow_touched(sh), 0)) {
      access_more(r, a, size, write, pc); /* it touches the fresh page first */
      return;
    }
    uint64_t cur = fast | (uint64_t)0xff << TG_CELL_MASK_SHIFT;
    if (__builtin_expect(tg__fast_seen(sh, cur, write), 1) &&
        __builtin_expect(tg__fast_seen(sh + TG_SHADOW_PRIMARY, cur, write), 1))
      return;
    access16_renew(r, a, sh, cur | (write ? 0 : TG_CELL_READ), write, pc);
    return;
  }
  if (size == 16 || __builtin_expect(!fast || (a & 7) + size > 8, 0)) {
    if (!tg__fast_seen_access(r, a, size, write))
      access_more(r, a, size, write, pc);
    return;
  }
  /* tg__fast_seen_access, keeping what the renewal needs. */
  uint64_t *sh = tg__shadow_of(a);
  if (__builtin_expect(!tg__shadow_touched(sh), 0)) {
    access_more(r, a, size, write, pc); /* it touches the fresh page first */
    return;
  }
  uint64_t cur = fast | (uint64_t)(((1u << size) - 1) << (a & 7)) << TG_CELL_MASK_SHIFT;
  if (__builtin_expect(tg__fast_seen(sh, cur, write), 1))
    return;
  access_renew(r, sh, cur | (write ? 0 : TG_CELL_READ), tg__hist_access_ev(a, size, write, false),
               pc);
}

static inline __attribute__((always_inline)) void access_n(uintptr_t a, unsigned size, bool write,
                                                           uintptr_t pc) {
  struct tg_race_g *r = tg__race_cur();
  if (__builtin_expect(r != NULL, 1))
    access_g(r, a, size, write, pc);
}

void tg__race_access_word(struct tg_race_g *r, uintptr_t a, unsigned size, bool write,
                          uintptr_t pc) {
  access_g(r, a, size, write, pc);
}

TSAN_API void __tsan_init(void) {
  tg__init();
  tg__race_init();
}

TSAN_API void __tsan_read1(void *a) {
  access_n((uintptr_t)a, 1, false, PC());
}
TSAN_API void __tsan_read2(void *a) {
  access_n((uintptr_t)a, 2, false, PC());
}
TSAN_API void __tsan_read4(void *a) {
  access_n((uintptr_t)a, 4, false, PC());
}
TSAN_API void __tsan_read8(void *a) {
  access_n((uintptr_t)a, 8, false, PC());
}
TSAN_API void __tsan_read16(void *a) {
  access_n((uintptr_t)a, 16, false, PC());
}
TSAN_API void __tsan_write1(void *a) {
  access_n((uintptr_t)a, 1, true, PC());
}
TSAN_API void __tsan_write2(void *a) {
  access_n((uintptr_t)a, 2, true, PC());
}
TSAN_API void __tsan_write4(void *a) {
  access_n((uintptr_t)a, 4, true, PC());
}
TSAN_API void __tsan_write8(void *a) {
  access_n((uintptr_t)a, 8, true, PC());
}
TSAN_API void __tsan_write16(void *a) {
  access_n((uintptr_t)a, 16, true, PC());
}

TSAN_API void __tsan_unaligned_read2(const void *a) {
  access_n((uintptr_t)a, 2, false, PC());
}
TSAN_API void __tsan_unaligned_read4(const void *a) {
  access_n((uintptr_t)a, 4, false, PC());
}
TSAN_API void __tsan_unaligned_read8(const void *a) {
  access_n((uintptr_t)a, 8, false, PC());
}
TSAN_API void __tsan_unaligned_read16(const void *a) {
  access_n((uintptr_t)a, 16, false, PC());
}
TSAN_API void __tsan_unaligned_write2(void *a) {
  access_n((uintptr_t)a, 2, true, PC());
}
TSAN_API void __tsan_unaligned_write4(void *a) {
  access_n((uintptr_t)a, 4, true, PC());
}
TSAN_API void __tsan_unaligned_write8(void *a) {
  access_n((uintptr_t)a, 8, true, PC());
}
TSAN_API void __tsan_unaligned_write16(void *a) {
  access_n((uintptr_t)a, 16, true, PC());
}

/* Volatile accesses (gcc --param tsan-distinguish-volatile=1, clang -mllvm
 * -tsan-distinguish-volatile): plain accesses to the memory model. */
TSAN_API void __tsan_volatile_read1(void *a) {
  access_n((uintptr_t)a, 1, false, PC());
}
TSAN_API void __tsan_volatile_read2(void *a) {
  access_n((uintptr_t)a, 2, false, PC());
}
TSAN_API void __tsan_volatile_read4(void *a) {
  access_n((uintptr_t)a, 4, false, PC());
}
TSAN_API void __tsan_volatile_read8(void *a) {
  access_n((uintptr_t)a, 8, false, PC());
}
TSAN_API void __tsan_volatile_read16(void *a) {
  access_n((uintptr_t)a, 16, false, PC());
}
TSAN_API void __tsan_volatile_write1(void *a) {
  access_n((uintptr_t)a, 1, true, PC());
}
TSAN_API void __tsan_volatile_write2(void *a) {
  access_n((uintptr_t)a, 2, true, PC());
}
TSAN_API void __tsan_volatile_write4(void *a) {
  access_n((uintptr_t)a, 4, true, PC());
}
TSAN_API void __tsan_volatile_write8(void *a) {
  access_n((uintptr_t)a, 8, true, PC());
}
TSAN_API void __tsan_volatile_write16(void *a) {
  access_n((uintptr_t)a, 16, true, PC());
}
TSAN_API void __tsan_unaligned_volatile_read2(void *a) {
  access_n((uintptr_t)a, 2, false, PC());
}
TSAN_API void __tsan_unaligned_volatile_read4(void *a) {
  access_n((uintptr_t)a, 4, false, PC());
}
TSAN_API void __tsan_unaligned_volatile_read8(void *a) {
  access_n((uintptr_t)a, 8, false, PC());
}
TSAN_API void __tsan_unaligned_volatile_read16(void *a) {
  access_n((uintptr_t)a, 16, false, PC());
}
TSAN_API void __tsan_unaligned_volatile_write2(void *a) {
  access_n((uintptr_t)a, 2, true, PC());
}
TSAN_API void __tsan_unaligned_volatile_write4(void *a) {
  access_n((uintptr_t)a, 4, true, PC());
}
TSAN_API void __tsan_unaligned_volatile_write8(void *a) {
  access_n((uintptr_t)a, 8, true, PC());
}
TSAN_API void __tsan_unaligned_volatile_write16(void *a) {
  access_n((uintptr_t)a, 16, true, PC());
}

/* The _pc variants carry the pc themselves (clang's -tsan-instrument-... with
 * explicit pcs, and hand-written annotations). */
TSAN_API void __tsan_read1_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 1, false, (uintptr_t)pc);
}
TSAN_API void __tsan_read2_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 2, false, (uintptr_t)pc);
}
TSAN_API void __tsan_read4_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 4, false, (uintptr_t)pc);
}
TSAN_API void __tsan_read8_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 8, false, (uintptr_t)pc);
}
TSAN_API void __tsan_read16_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 16, false, (uintptr_t)pc);
}
TSAN_API void __tsan_write1_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 1, true, (uintptr_t)pc);
}
TSAN_API void __tsan_write2_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 2, true, (uintptr_t)pc);
}
TSAN_API void __tsan_write4_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 4, true, (uintptr_t)pc);
}
TSAN_API void __tsan_write8_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 8, true, (uintptr_t)pc);
}
TSAN_API void __tsan_write16_pc(void *a, void *pc) {
  access_n((uintptr_t)a, 16, true, (uintptr_t)pc);
}

static inline void range(const void *a, size_t n, bool write, uintptr_t pc) {
  struct tg_race_g *r = tg__race_cur();
  if (r && n)
    tg__race_access_range(r, (uintptr_t)a, n, write, pc);
}

TSAN_API void __tsan_read_range(void *a, unsigned long n) {
  range(a, n, false, PC());
}
TSAN_API void __tsan_write_range(void *a, unsigned long n) {
  range(a, n, true, PC());
}
TSAN_API void __tsan_read_range_pc(void *a, unsigned long n, void *pc) {
  range(a, n, false, (uintptr_t)pc);
}
TSAN_API void __tsan_write_range_pc(void *a, unsigned long n, void *pc) {
  range(a, n, true, (uintptr_t)pc);
}

/* C++ virtual table pointer updates: a write like any other. */
TSAN_API void __tsan_vptr_update(void **vptr, void *value) {
  if (*vptr != value)
    access_n((uintptr_t)vptr, 8, true, PC());
}
TSAN_API void __tsan_vptr_read(void **vptr) {
  access_n((uintptr_t)vptr, 8, false, PC());
}

/* ---- shadow call stack ------------------------------------------------ */

static __attribute__((noinline)) void grow_stack(struct tg_race_g *r) {
  uint32_t cap = r->stk_cap ? r->stk_cap * 2 : 8;
  uintptr_t *s = __libc_realloc(r->stk, cap * sizeof *s);
  if (!s)
    tg__fatal("race detector: out of memory for a call stack");
  r->stk = s;
  r->stk_cap = cap;
}

TSAN_API void __tsan_func_entry(void *pc) {
  struct tg_race_g *r = tg__race_cur();
  if (__builtin_expect(!r, 0))
    return;
  /* Trace first: a new history part's header snapshots the stack as it
   * was before this call. */
  tg__hist_put1(r, TG_EV(TG_EV_ENTRY) | (uintptr_t)pc);
  /* How deep the goroutine's stack went, not only where it accessed: its
   * locals may be written by other goroutines it handed them to, and all
   * of that shadow must go when the stack passes to another goroutine.
   * This frame lies below every local of the instrumented caller. (The
   * main goroutine has no stack bounds: stack_touched stays 0.) */
  uintptr_t frame = (uintptr_t)__builtin_frame_address(0);
  if (__builtin_expect(frame < r->stack_touched, 0) && frame >= r->stack_lo)
    r->stack_touched = frame & ~(uintptr_t)7;
  if (__builtin_expect(r->depth == r->stk_cap, 0))
    grow_stack(r);
  r->stk[r->depth++] = (uintptr_t)pc;
}

TSAN_API void __tsan_func_exit(void) {
  struct tg_race_g *r = tg__race_cur();
  if (__builtin_expect(!r || !r->depth, 0))
    return;
  r->depth--;
  if (__builtin_expect(r->depth < r->wf_mark, 0))
    tg__wf_keep_stacks(r); /* stk[0, mark) is still intact: no push since */
  /* A call that left nothing in the history (every access it made was
   * already recorded this epoch) is taken back out: a hot loop calling a
   * small function does not flush older accesses out of the history. */
  uint64_t *p = r->tpos;
  if (p && p > r->tend - TG_PART_WORDS && p[-1] == (TG_EV(TG_EV_ENTRY) | r->stk[r->depth]))
    r->tpos = p - 1;
  else
    tg__hist_put1(r, TG_EV(TG_EV_EXIT));
}

/* ---- TSan's annotation entry points ------------------------------------ */

TSAN_API void __tsan_acquire(void *addr) {
  tg__race_acquire(addr);
}
TSAN_API void __tsan_release(void *addr) {
  tg__race_release_merge(addr);
}

void tg__race_ignore(int delta);
TSAN_API void __tsan_ignore_thread_begin(void) {
  tg__race_ignore(1);
}
TSAN_API void __tsan_ignore_thread_end(void) {
  tg__race_ignore(-1);
}
#endif
