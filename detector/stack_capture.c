/* Stack capture: the calling thread's stack (libunwind's cached fast path,
 * frame pointers as the fallback), a signal's interrupted context, and a
 * goroutine parked in the context switch (its saved registers, then
 * libunwind, then its rbp chain).
 *
 * Convention shared with the symbolizer: every captured pc is a return
 * address (the instruction after a call), so tg__symbolize looks up pc-1.
 * A pc that is exact (the faulting instruction of a signal's interrupted
 * frame) is stored as pc+1 so that the same rule lands on it.
 *
 * This file does not call into the runtime: it only reads the struct tg_g
 * fields the caller hands over, so the stack module links on its own. */
#define UNW_LOCAL_ONLY
#include "stack.h"

#include "rt.h"

#include <errno.h>
#include <libunwind.h>
#include <string.h>
#include <sys/uio.h>
#include <ucontext.h>
#include <unistd.h>

/* A sane bound on one frame's size, used when a walk has no stack bounds:
 * a saved rbp further than this above the current one is garbage. */
#define TG_MAX_FRAME_BYTES (64u << 20)
/* The most frames a capture returns (deeper stacks are cut). */
#define TG_MAX_CAPTURE     512

/* Per-thread caching makes libunwind's local unwinder usable from signal
 * handlers (the global cache takes a lock). Set once, before main; libunwind
 * owns the state it changes. */
__attribute__((constructor)) static void stack_capture_init(void) {
  unw_set_caching_policy(unw_local_addr_space, UNW_CACHE_PER_THREAD);
}

/* Reads one word of our own memory without faulting: process_vm_readv on
 * ourselves returns EFAULT for an unmapped address instead of a SIGSEGV.
 * Only the frame-pointer fallbacks use it, when no stack bounds are known. */
static bool safe_read_word(uintptr_t addr, uintptr_t *out) {
  static _Atomic int unusable; /* set once if the syscall is unavailable */
  if (addr < 4096 || (addr & (sizeof(uintptr_t) - 1)) != 0)
    return false;
  if (!atomic_load_explicit(&unusable, memory_order_relaxed)) {
    struct iovec local = {out, sizeof *out};
    struct iovec remote = {(void *)addr, sizeof *out};
    int saved = errno;
    ssize_t r = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
    int err = errno;
    errno = saved;
    if (r == (ssize_t)sizeof *out)
      return true;
    if (r < 0 && (err == ENOSYS || err == EPERM))
      atomic_store_explicit(&unusable, 1, memory_order_relaxed);
    else
      return false;
  }
  /* No way to probe: trust the monotonic and size checks of the caller. */
  *out = *(const uintptr_t *)addr;
  return true;
}

/* Walks a frame-pointer chain starting at frame `fp` (fp[0] = the caller's
 * rbp, fp[1] = the return address into the caller). With bounds (lo < hi)
 * every frame must lie inside [lo, hi); without, reads are probed and each
 * step must go up by less than TG_MAX_FRAME_BYTES. */
static int walk_fp(uintptr_t fp, uintptr_t lo, uintptr_t hi, uintptr_t *pcs, int max, int skip) {
  bool bounded = lo < hi;
  int n = 0;
  while (n < max) {
    uintptr_t next, ret;
    if (bounded) {
      if (fp < lo || fp > hi - 2 * sizeof(uintptr_t) || (fp & (sizeof(uintptr_t) - 1)) != 0)
        break;
      next = ((const uintptr_t *)fp)[0];
      ret = ((const uintptr_t *)fp)[1];
    } else if (!safe_read_word(fp, &next) || !safe_read_word(fp + sizeof(uintptr_t), &ret)) {
      break;
    }
    if (ret < 4096)
      break;
    if (skip > 0)
      skip--;
    else
      pcs[n++] = ret;
    if (next <= fp || (!bounded && next - fp > TG_MAX_FRAME_BYTES))
      break;
    fp = next;
  }
  return n;
}

/* Unwinds with libunwind's stepping API from an initialised cursor, storing
 * the pc of each frame; a frame interrupted by a signal has an exact pc
 * (stored +1, see the top of this file). */
static int walk_cursor(unw_cursor_t *cursor, uintptr_t *pcs, int max, int skip, bool first_exact,
                       uintptr_t lo, uintptr_t hi) {
  int n = 0;
  bool exact = first_exact;
  while (n < max) {
    unw_word_t ip = 0, sp = 0;
    if (unw_get_reg(cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
      break;
    /* On a goroutine stack a frame outside the stack means the unwinder lost
     * its way (e.g. below the entry trampoline): stop before reading it. */
    if (lo < hi && (unw_get_reg(cursor, UNW_REG_SP, &sp) < 0 || sp < lo || sp > hi))
      break;
    if (skip > 0)
      skip--;
    else
      pcs[n++] = (uintptr_t)ip + (exact ? 1 : 0);
    exact = unw_is_signal_frame(cursor) > 0;
    if (unw_step(cursor) <= 0)
      break;
  }
  return n;
}

__attribute__((noinline)) int tg__stack_capture(uintptr_t *pcs, int max, int skip) {
  if (pcs == NULL || max <= 0)
    return 0;
  if (skip < 0)
    skip = 0;
  if (max > TG_MAX_CAPTURE)
    max = TG_MAX_CAPTURE;
  /* unw_backtrace starts a few frames inside libunwind; our caller's frame
   * is the one whose pc is our own return address. Its buffer is small on
   * purpose: this runs on goroutine and signal stacks. */
  enum { LEAD = 8, BUF = 136 };
  uintptr_t caller = (uintptr_t)__builtin_return_address(0);
  void *buf[BUF];
  int want = max + skip + LEAD < BUF ? max + skip + LEAD : BUF;
  int got = unw_backtrace(buf, want);
  for (int start = 0; start < got && start < LEAD; start++) {
    if ((uintptr_t)buf[start] != caller)
      continue;
    int n = 0;
    for (int i = start + skip; i < got && n < max; i++)
      pcs[n++] = (uintptr_t)buf[i];
    return n;
  }
  /* libunwind failed (no unwind info on the way): frame pointers. Our own
   * frame's fp[1] is `caller`, so the walk starts with the caller. */
  return walk_fp((uintptr_t)__builtin_frame_address(0), 0, 0, pcs, max, skip);
}

int tg__stack_capture_context(const void *ucontext, uintptr_t *pcs, int max) {
  if (ucontext == NULL || pcs == NULL || max <= 0)
    return 0;
  if (max > TG_MAX_CAPTURE)
    max = TG_MAX_CAPTURE;
  /* libunwind wants a writable context and keeps pointers into it while
   * stepping: a private copy. */
  unw_context_t uc;
  memcpy(&uc, ucontext, sizeof uc);
  greg_t *gr = uc.uc_mcontext.gregs;
  bool exact = true;
  uintptr_t ret;
  if ((uintptr_t)gr[REG_RIP] < 4096 && safe_read_word((uintptr_t)gr[REG_RSP], &ret)) {
    /* A call through a null function pointer: nothing at the pc, but the
     * call just pushed its return address. Start from the caller, as if
     * the call had returned. */
    gr[REG_RIP] = (greg_t)ret;
    gr[REG_RSP] += (greg_t)sizeof ret;
    exact = false;
  }
  unw_cursor_t cursor;
  int n = 0;
  if (unw_init_local2(&cursor, &uc, exact ? UNW_INIT_SIGNAL_FRAME : 0) == 0)
    n = walk_cursor(&cursor, pcs, max, 0, exact, 0, 0);
  if (n > 1)
    return n;
  /* The interrupted pc, then its rbp chain. */
  pcs[0] = (uintptr_t)gr[REG_RIP] + (exact ? 1 : 0);
  return 1 + walk_fp((uintptr_t)gr[REG_RBP], 0, 0, pcs + 1, max - 1, 0);
}

/* The context switch's save area at g->sp, lowest address first (8-byte
 * slots): see runtime/switch_amd64.S. */
enum {
  SAVED_FPU = 0, /* MXCSR (low 32 bits) + x87 control word */
  SAVED_R15,
  SAVED_R14,
  SAVED_R13,
  SAVED_R12,
  SAVED_RBX,
  SAVED_RBP,
  SAVED_RIP, /* return address into the switch's caller */
  SAVED_SLOTS
};

static bool g_saved_regs(const struct tg_g *g, const uintptr_t **slots) {
  if (g == NULL || g->sp == NULL)
    return false;
  const uintptr_t *sp = g->sp;
  /* A parked goroutine's save area lies inside its stack; without bounds
   * (the main goroutine) at least make sure it is readable. */
  if (g->stack_lo != NULL && g->stack_hi != NULL) {
    if ((const char *)sp < g->stack_lo || (const char *)(sp + SAVED_SLOTS) > g->stack_hi)
      return false;
  } else {
    uintptr_t probe;
    if (!safe_read_word((uintptr_t)sp, &probe) ||
        !safe_read_word((uintptr_t)(sp + SAVED_RIP), &probe))
      return false;
  }
  *slots = sp;
  return true;
}

/* The trampoline a new goroutine's first switch "returns" into
 * (runtime/switch_amd64.S). Weak: this module links without the runtime. */
extern void tg__ctx_start(void) __attribute__((weak));

/* A goroutine that has not run yet (no saved frame, or the one made for its
 * first switch) is shown as its function, as Go does: its entry pc, exact
 * (+1, see the top of this file). Returns -1 for a goroutine that has run. */
static int fresh_g(const struct tg_g *g, uintptr_t *pcs) {
  const uintptr_t *sp;
  bool fresh = g->sp == NULL;
  if (!fresh && tg__ctx_start != NULL && g_saved_regs(g, &sp))
    fresh = sp[SAVED_RIP] == (uintptr_t)tg__ctx_start;
  if (!fresh)
    return -1;
  if (g->fn == NULL)
    return 0;
  pcs[0] = (uintptr_t)g->fn + 1;
  return 1;
}

int tg__stack_capture_g_fp(const struct tg_g *g, uintptr_t *pcs, int max) {
  const uintptr_t *sp;
  if (g == NULL || pcs == NULL || max <= 0)
    return 0;
  int f = fresh_g(g, pcs);
  if (f >= 0)
    return f;
  if (!g_saved_regs(g, &sp))
    return 0;
  if (max > TG_MAX_CAPTURE)
    max = TG_MAX_CAPTURE;
  if (sp[SAVED_RIP] < 4096)
    return 0;
  pcs[0] = sp[SAVED_RIP];
  uintptr_t lo = 0, hi = 0;
  if (g->stack_lo != NULL && g->stack_hi != NULL) {
    lo = (uintptr_t)g->stack_lo;
    hi = (uintptr_t)g->stack_hi;
  }
  return 1 + walk_fp(sp[SAVED_RBP], lo, hi, pcs + 1, max - 1, 0);
}

int tg__stack_capture_g(const struct tg_g *g, uintptr_t *pcs, int max) {
  const uintptr_t *sp;
  if (g == NULL || pcs == NULL || max <= 0)
    return 0;
  int f = fresh_g(g, pcs);
  if (f >= 0)
    return f;
  if (!g_saved_regs(g, &sp))
    return 0;
  if (max > TG_MAX_CAPTURE)
    max = TG_MAX_CAPTURE;
  /* The registers as they are just after the switch returns to its caller:
   * rip = the return address, rsp = above the save area, and the
   * callee-saved ones. The others are dead across a call. */
  unw_context_t uc;
  memset(&uc, 0, sizeof uc);
  greg_t *gr = uc.uc_mcontext.gregs;
  gr[REG_RIP] = (greg_t)sp[SAVED_RIP];
  gr[REG_RSP] = (greg_t)(uintptr_t)(sp + SAVED_SLOTS);
  gr[REG_RBP] = (greg_t)sp[SAVED_RBP];
  gr[REG_RBX] = (greg_t)sp[SAVED_RBX];
  gr[REG_R12] = (greg_t)sp[SAVED_R12];
  gr[REG_R13] = (greg_t)sp[SAVED_R13];
  gr[REG_R14] = (greg_t)sp[SAVED_R14];
  gr[REG_R15] = (greg_t)sp[SAVED_R15];
  uintptr_t lo = 0, hi = 0;
  if (g->stack_lo != NULL && g->stack_hi != NULL) {
    lo = (uintptr_t)g->stack_lo;
    hi = (uintptr_t)g->stack_hi;
  }
  unw_cursor_t cursor;
  int n = 0;
  if (unw_init_local(&cursor, &uc) == 0)
    n = walk_cursor(&cursor, pcs, max, 0, false, lo, hi);
  if (n > 1)
    return n;
  return tg__stack_capture_g_fp(g, pcs, max);
}
