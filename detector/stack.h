/* Stacks: capture (libunwind, or the frame-pointer chain of a parked
 * goroutine) and symbolization (libdw: function, file, line, inlined frames),
 * used by panics, goroutine dumps and every detector report, in both builds. */
#ifndef TANGLE_STACK_H
#define TANGLE_STACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_g;

/* One symbolized frame. Strings are owned by the symbolizer's cache and live
 * until the process ends. */
struct tg_frame {
  uintptr_t pc;
  const char *function; /* "?" when unknown */
  const char *file;     /* NULL when unknown */
  int line;             /* 0 when unknown */
  bool inlined;         /* an inlined call inside the next (outer) frame */
};

/* Every pc of a captured stack is a return address: the symbolizer looks up
 * pc-1, the call instruction. An exact pc (the faulting instruction of a
 * signal, a goroutine's entry) is stored as pc+1 for that reason. */

/* Return addresses of the calling thread's stack, innermost first, skipping
 * `skip` frames above the caller. Async-signal-safe enough for crash handlers.
 * (skip 0: pcs[0] is in the caller. About 120 ns for 16 frames; at most 128
 * frames.) Skip at most 1, the caller itself: the frames above it are the
 * physical ones, and a tail call anywhere in the runtime's chain leaves out
 * a frame the count assumed, so a larger skip drops the program's own frame.
 * The printers hide the runtime's frames at the top anyway (stack_print.c). */
int tg__stack_capture(uintptr_t *pcs, int max, int skip);
/* The stack interrupted by a signal, from the handler's ucontext_t (third
 * argument of an SA_SIGINFO handler): the faulting frame first. */
int tg__stack_capture_context(const void *ucontext, uintptr_t *pcs, int max);
/* The stack of a goroutine parked in the context switch (its registers are
 * saved at g->sp; see runtime/switch_amd64.S for the layout). Must not be
 * called on a running goroutine. */
int tg__stack_capture_g(const struct tg_g *g, uintptr_t *pcs, int max);
/* The frame-pointer fallback of tg__stack_capture_g alone (for tests). */
int tg__stack_capture_g_fp(const struct tg_g *g, uintptr_t *pcs, int max);
/* Symbolizes one return address into its frames, innermost (inlined) first;
 * returns how many were written (at least 1). Thread-safe, cached per pc
 * (a cached pc costs a few ns; a miss runs libdw on a stack of its own, so
 * small goroutine stacks are fine). */
int tg__symbolize(uintptr_t pc, struct tg_frame *out, int max);
/* Same for an exact instruction address (e.g. a function's entry), not a
 * return address. */
int tg__symbolize_exact(uintptr_t pc, struct tg_frame *out, int max);
/* True while the calling thread runs the symbolizer (libdw), whose memory
 * accesses (memcpy and friends included) are not the program's. */
bool tg__symbolizer_active(void);
/* Symbolizes a captured stack as tg__stack_print shows it: runtime-internal
 * frames at the top skipped (tg__*, __tsan_*, static functions of runtime/
 * and detector/; public tg_* API frames stay), cut at the goroutine or
 * thread entry. Returns how many frames were written. For JSON reports and
 * suppression matching. */
int tg__stack_frames(const uintptr_t *pcs, int n, struct tg_frame *out, int max);
/* A source file path as frames show it: normalised, and relative to the
 * working directory at start-up when it lies under it. Interned (lives
 * forever). */
const char *tg__stack_path(const char *path);
/* Writes "  function() file:line\n" lines (Go's layout, inlined frames
 * included), indented by two spaces; stops at the runtime's goroutine entry. */
void tg__stack_print(int fd, const uintptr_t *pcs, int n);
/* Same, into a buffer; returns the length written (truncates safely). */
size_t tg__stack_format(char *buf, size_t cap, const uintptr_t *pcs, int n);

#endif
