/* The stack module: capture (libunwind, signal contexts, a parked
 * goroutine's saved registers, the frame-pointer fallback), symbolization
 * (function, file, line, inlined frames), and Go-style printing. Expected
 * lines come from __LINE__ at the call sites. */
#include "rt.h"
#include "stack.h"

#include <tangle.h>

/* cmocka needs these first, in this order. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
// clang-format on

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXPCS 64

/* Written by the capturing functions: the line of the call that captured
 * (or of the call to the next level). One test runs at a time. */
static int line_capture, line_call_l3, line_call_l2, line_call_l1;
static int line_inline_capture, line_inline_call;

/* Keeps a call from being a tail call, so its frame stays on the stack. */
#define NO_TAIL() __asm__ volatile("" ::: "memory")

__attribute__((noinline)) static int level3(uintptr_t *pcs, int max) {
  int n = (line_capture = __LINE__, tg__stack_capture(pcs, max, 0));
  NO_TAIL();
  return n;
}

__attribute__((noinline)) static int level2(uintptr_t *pcs, int max) {
  int n = (line_call_l3 = __LINE__, level3(pcs, max));
  NO_TAIL();
  return n;
}

__attribute__((noinline)) static int level1(uintptr_t *pcs, int max) {
  int n = (line_call_l2 = __LINE__, level2(pcs, max));
  NO_TAIL();
  return n;
}

static bool ends_with(const char *s, const char *suffix) {
  if (s == NULL)
    return false;
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The outermost frame of pc, i.e. the physical function it returns into. */
static struct tg_frame outer_frame(uintptr_t pc) {
  struct tg_frame fr[16];
  int n = tg__symbolize(pc, fr, 16);
  assert_true(n >= 1);
  return fr[n - 1];
}

static void assert_frame(const struct tg_frame *f, const char *fn, int line) {
  assert_string_equal(f->function, fn);
  assert_non_null(f->file);
  assert_true(ends_with(f->file, "test_stack.c"));
  assert_int_equal(f->line, line);
}

/* Runs first, so that it pays for loading the debug info: a goroutine's
 * stack (64 KiB by default) is far smaller than what libdw needs. */
static void *symbolize_small_stack(void *arg) {
  struct tg_frame f;
  bool ok = true;
  ok &= tg__symbolize_exact((uintptr_t)&level1, &f, 1) == 1 && strcmp(f.function, "level1") == 0;
  ok &= tg__symbolize_exact((uintptr_t)&getpid, &f, 1) == 1 && strstr(f.function, "getpid");
  ok &= tg__symbolize_exact((uintptr_t)&pthread_create, &f, 1) == 1;
  uintptr_t pcs[MAXPCS];
  int n = level1(pcs, MAXPCS);
  char buf[2048];
  ok &= n > 0 && tg__stack_format(buf, sizeof buf, pcs, n) > 0;
  *(bool *)arg = ok;
  return NULL;
}

static void test_symbolize_on_small_stack(void **state) {
  (void)state;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 << 10);
  pthread_t t;
  bool ok = false;
  assert_int_equal(pthread_create(&t, &attr, symbolize_small_stack, &ok), 0);
  pthread_join(t, NULL);
  pthread_attr_destroy(&attr);
  assert_true(ok);
}

static void test_capture_chain_in_order(void **state) {
  (void)state;
  uintptr_t pcs[MAXPCS];
  int n = (line_call_l1 = __LINE__, level1(pcs, MAXPCS));
  NO_TAIL();
  assert_true(n >= 4);
  struct tg_frame f;
  f = outer_frame(pcs[0]);
  assert_frame(&f, "level3", line_capture);
  f = outer_frame(pcs[1]);
  assert_frame(&f, "level2", line_call_l3);
  f = outer_frame(pcs[2]);
  assert_frame(&f, "level1", line_call_l2);
  f = outer_frame(pcs[3]);
  assert_frame(&f, "test_capture_chain_in_order", line_call_l1);
  /* Below us: cmocka, then the process entry. */
  bool saw_main = false;
  for (int i = 4; i < n; i++)
    if (strcmp(outer_frame(pcs[i]).function, "main") == 0)
      saw_main = true;
  assert_true(saw_main);
}

__attribute__((noinline)) static int capture_skipping_one(uintptr_t *pcs, int max) {
  int n = tg__stack_capture(pcs, max, 1);
  NO_TAIL();
  return n;
}

static void test_capture_skip_and_max(void **state) {
  (void)state;
  uintptr_t pcs[MAXPCS];
  int line = __LINE__ + 1;
  int n = capture_skipping_one(pcs, MAXPCS);
  NO_TAIL();
  assert_true(n >= 1);
  struct tg_frame f = outer_frame(pcs[0]);
  assert_frame(&f, "test_capture_skip_and_max", line);

  uintptr_t two[3] = {0, 0, 0xdead};
  assert_int_equal(level1(two, 2), 2);
  assert_int_equal(two[2], 0xdead); /* never writes past max */
  assert_string_equal(outer_frame(two[0]).function, "level3");
  assert_string_equal(outer_frame(two[1]).function, "level2");
  assert_int_equal(tg__stack_capture(pcs, 0, 0), 0);
}

/* Inlined even without optimisation: DWARF records it as an inlined
 * subroutine of its caller. */
__attribute__((always_inline)) static inline int inlined_capture(uintptr_t *pcs, int max) {
  return (line_inline_capture = __LINE__, tg__stack_capture(pcs, max, 0));
}

__attribute__((noinline)) static int calls_inlined(uintptr_t *pcs, int max) {
  int n = (line_inline_call = __LINE__, inlined_capture(pcs, max));
  NO_TAIL();
  return n;
}

static void test_inlined_frames(void **state) {
  (void)state;
  uintptr_t pcs[MAXPCS];
  int n = calls_inlined(pcs, MAXPCS);
  assert_true(n >= 2);
  struct tg_frame fr[8];
  int m = tg__symbolize(pcs[0], fr, 8);
  assert_int_equal(m, 2);
  assert_int_equal(fr[0].pc, pcs[0]);
  assert_frame(&fr[0], "inlined_capture", line_inline_capture);
  assert_true(fr[0].inlined);
  assert_frame(&fr[1], "calls_inlined", line_inline_call);
  assert_false(fr[1].inlined);

  /* Room for one frame only: the physical frame is what a caller must not
   * lose track of, so the one frame left is not marked inlined. */
  m = tg__symbolize(pcs[0], fr, 1);
  assert_int_equal(m, 1);
  assert_false(fr[0].inlined);

  /* Printed: both, innermost first. */
  char buf[4096];
  tg__stack_format(buf, sizeof buf, pcs, n);
  char *a = strstr(buf, "  inlined_capture() ");
  char *b = strstr(buf, "  calls_inlined() ");
  assert_non_null(a);
  assert_non_null(b);
  assert_true(a < b);
}

static void test_symbolize_exact_function_entry(void **state) {
  (void)state;
  struct tg_frame f;
  assert_int_equal(tg__symbolize_exact((uintptr_t)&level2, &f, 1), 1);
  assert_string_equal(f.function, "level2");
  assert_true(ends_with(f.file, "test_stack.c"));
  /* A library function without our debug info: the symbol table. */
  assert_int_equal(tg__symbolize_exact((uintptr_t)&tg__stack_format, &f, 1), 1);
  assert_string_equal(f.function, "tg__stack_format");
  assert_false(tg__symbolizer_active()); /* only while libdw runs */
}

static void test_unknown_pc(void **state) {
  (void)state;
  static const uintptr_t bad[] = {0, 1, 0x10, (uintptr_t)-1, (uintptr_t)-4096};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct tg_frame f;
    assert_int_equal(tg__symbolize(bad[i], &f, 1), 1);
    assert_string_equal(f.function, "?");
    assert_null(f.file);
    assert_int_equal(f.line, 0);
  }
  /* A heap address: mapped, but no code. */
  char *heap = malloc(64);
  struct tg_frame f;
  assert_int_equal(tg__symbolize((uintptr_t)heap + 8, &f, 1), 1);
  assert_null(f.file);
  free(heap);
  char buf[128];
  uintptr_t pcs[] = {0x10};
  size_t len = tg__stack_format(buf, sizeof buf, pcs, 1);
  assert_string_equal(buf, "  0x10\n");
  assert_int_equal(len, strlen(buf));
}

static void test_format_lines_and_truncation(void **state) {
  (void)state;
  uintptr_t pcs[MAXPCS];
  int n = (line_call_l1 = __LINE__, level1(pcs, MAXPCS));
  NO_TAIL();
  char full[8192];
  size_t flen = tg__stack_format(full, sizeof full, pcs, n);
  assert_int_equal(flen, strlen(full));
  /* Go's layout, first line exactly, innermost first, up to our test. */
  struct tg_frame f = outer_frame(pcs[0]);
  char expect[1024];
  snprintf(expect, sizeof expect, "  level3() %s:%d\n", f.file, line_capture);
  assert_true(strncmp(full, expect, strlen(expect)) == 0);
  char *l2 = strstr(full, "  level2() ");
  char *l1 = strstr(full, "  level1() ");
  char *t = strstr(full, "  test_format_lines_and_truncation() ");
  assert_true(l2 != NULL && l1 != NULL && t != NULL && l2 < l1 && l1 < t);
  snprintf(expect, sizeof expect, ":%d\n", line_call_l1);
  assert_non_null(strstr(t, expect));
  /* The process entry is not shown, nor anything below it. */
  assert_null(strstr(full, "__libc_start"));
  assert_null(strstr(full, "_start()"));

  /* Every smaller buffer: whole lines of the full text, NUL-terminated,
   * never a byte past cap. */
  for (size_t cap = 0; cap <= flen + 1; cap++) {
    char buf[8192 + 16];
    memset(buf, 'Z', sizeof buf);
    size_t len = tg__stack_format(buf, cap, pcs, n);
    for (size_t i = cap; i < sizeof buf; i++)
      assert_int_equal(buf[i], 'Z');
    if (cap == 0) {
      assert_int_equal(len, 0);
      continue;
    }
    assert_true(len < cap);
    assert_int_equal(buf[len], '\0');
    assert_true(strncmp(buf, full, len) == 0);
    assert_true(len == 0 || buf[len - 1] == '\n');
  }
  assert_int_equal(tg__stack_format(full, sizeof full, pcs, 0), 0);
  assert_string_equal(full, "");
}

/* Named like a runtime function: its frame must be hidden at the top. */
__attribute__((noinline)) int tg__test_internal_capture(uintptr_t *pcs, int max) {
  int n = tg__stack_capture(pcs, max, 0);
  NO_TAIL();
  return n;
}

__attribute__((noinline)) static int user_calls_runtime(uintptr_t *pcs, int max) {
  int n = tg__test_internal_capture(pcs, max);
  NO_TAIL();
  return n;
}

static void test_runtime_frames_hidden_at_top(void **state) {
  (void)state;
  uintptr_t pcs[MAXPCS];
  int n = user_calls_runtime(pcs, MAXPCS);
  assert_string_equal(outer_frame(pcs[0]).function, "tg__test_internal_capture");
  char buf[8192];
  tg__stack_format(buf, sizeof buf, pcs, n);
  assert_true(strncmp(buf, "  user_calls_runtime() ", 23) == 0);
  assert_null(strstr(buf, "tg__test_internal_capture"));
  struct tg_frame fr[MAXPCS];
  int m = tg__stack_frames(pcs, n, fr, MAXPCS);
  assert_true(m >= 2);
  assert_string_equal(fr[0].function, "user_calls_runtime");
  assert_string_equal(fr[1].function, "test_runtime_frames_hidden_at_top");
  for (int i = 0; i < m; i++)
    assert_true(strncmp(fr[i].function, "__libc_start", 12) != 0);
  /* Only runtime frames (nothing of the user's before the entry): shown
   * rather than nothing. */
  assert_int_equal(tg__stack_frames(pcs, 1, fr, MAXPCS), 1);
  assert_string_equal(fr[0].function, "tg__test_internal_capture");
}

static void test_print_to_fd(void **state) {
  (void)state;
  uintptr_t pcs[MAXPCS];
  int n = level1(pcs, MAXPCS);
  int p[2];
  assert_int_equal(pipe(p), 0);
  tg__stack_print(p[1], pcs, n);
  close(p[1]);
  char got[8192];
  size_t len = 0;
  ssize_t r;
  while ((r = read(p[0], got + len, sizeof got - 1 - len)) > 0)
    len += (size_t)r;
  close(p[0]);
  got[len] = '\0';
  char want[8192];
  tg__stack_format(want, sizeof want, pcs, n);
  assert_string_equal(got, want);
  assert_non_null(strstr(got, "  level3() "));
}

/* A goroutine parked in the context switch, faked: snapshot() plays the
 * switch, saving the registers of its caller (parked_here) the way
 * runtime/switch_amd64.S does, into a save area. */
__attribute__((noinline)) static void snapshot(uintptr_t *area) {
  uintptr_t *fp = __builtin_frame_address(0);
  memset(area, 0xab, 6 * sizeof *area);             /* fpu, r15..rbx: unused */
  area[6] = fp[0];                                  /* the caller's rbp */
  area[7] = (uintptr_t)__builtin_return_address(0); /* into the caller */
}

static int line_snapshot, line_call_parked;

__attribute__((noinline)) static int parked_here(struct tg_g *g, bool fp_only, uintptr_t *area,
                                                 uintptr_t *pcs, int max) {
  (line_snapshot = __LINE__, snapshot(area));
  NO_TAIL();
  /* parked_here's frame is still live: the saved rbp chain is valid. */
  g->sp = area;
  int n = fp_only ? tg__stack_capture_g_fp(g, pcs, max) : tg__stack_capture_g(g, pcs, max);
  NO_TAIL();
  return n;
}

/* bounded: the goroutine has a stack (the thread's stands for it), else it
 * is the main goroutine (no bounds). */
__attribute__((noinline)) static void check_parked_stack(bool fp_only, bool bounded) {
  struct tg_g g;
  memset(&g, 0, sizeof g);
  uintptr_t area[8]; /* on this thread's stack, like a real save area */
  uintptr_t pcs[MAXPCS];
  if (bounded) {
    pthread_attr_t attr;
    void *lo;
    size_t size;
    assert_int_equal(pthread_getattr_np(pthread_self(), &attr), 0);
    assert_int_equal(pthread_attr_getstack(&attr, &lo, &size), 0);
    pthread_attr_destroy(&attr);
    /* A save area outside the goroutine's stack is refused. */
    g.stack_lo = (char *)(area + 8);
    g.stack_hi = (char *)lo + size;
    assert_int_equal(parked_here(&g, fp_only, area, pcs, MAXPCS), 0);
    g.stack_lo = lo;
  }
  int n = (line_call_parked = __LINE__, parked_here(&g, fp_only, area, pcs, MAXPCS));
  NO_TAIL();
  assert_true(n >= 3);
  struct tg_frame f = outer_frame(pcs[0]);
  assert_frame(&f, "parked_here", line_snapshot);
  f = outer_frame(pcs[1]);
  assert_frame(&f, "check_parked_stack", line_call_parked);
  f = outer_frame(pcs[2]);
  assert_string_equal(f.function, fp_only ? "test_capture_parked_goroutine_fp_fallback"
                                          : "test_capture_parked_goroutine");
  /* The rbp chain ends in cmocka (built without frame pointers); DWARF
   * unwinding goes on down to main. */
  if (fp_only)
    return;
  bool saw_main = false;
  for (int i = 2; i < n; i++)
    if (strcmp(outer_frame(pcs[i]).function, "main") == 0)
      saw_main = true;
  assert_true(saw_main);
}

static void test_capture_parked_goroutine(void **state) {
  (void)state;
  check_parked_stack(false, false);
  check_parked_stack(false, true);
  NO_TAIL();
}

static void test_capture_parked_goroutine_fp_fallback(void **state) {
  (void)state;
  check_parked_stack(true, false);
  check_parked_stack(true, true);
  NO_TAIL();
}

static void test_capture_g_refuses_unparked(void **state) {
  (void)state;
  struct tg_g g;
  memset(&g, 0, sizeof g);
  uintptr_t pcs[4];
  assert_int_equal(tg__stack_capture_g(&g, pcs, 4), 0); /* sp == NULL */
  assert_int_equal(tg__stack_capture_g(NULL, pcs, 4), 0);
  g.sp = (void *)0x1000; /* unmapped, no bounds */
  assert_int_equal(tg__stack_capture_g(&g, pcs, 4), 0);
}

/* The first switch of a new goroutine "returns" into this trampoline
 * (runtime/switch_amd64.S, via runtime/context.h's frame). */
void tg__ctx_start(void);

__attribute__((noinline)) static void goroutine_body(void *arg) {
  (void)arg;
  NO_TAIL();
}

static void test_capture_fresh_goroutine_shows_its_function(void **state) {
  (void)state;
  struct tg_g g;
  memset(&g, 0, sizeof g);
  g.fn = goroutine_body;
  uintptr_t pcs[4];
  struct tg_frame f;
  /* Created, no stack yet. */
  assert_int_equal(tg__stack_capture_g(&g, pcs, 4), 1);
  assert_int_equal(tg__symbolize(pcs[0], &f, 1), 1);
  assert_string_equal(f.function, "goroutine_body");
  /* Stack made for its first switch (rbp 0, return into the trampoline). */
  uintptr_t frame[10] = {0};
  frame[7] = (uintptr_t)tg__ctx_start;
  g.sp = frame;
  g.stack_lo = (char *)frame;
  g.stack_hi = (char *)(frame + 10);
  assert_int_equal(tg__stack_capture_g(&g, pcs, 4), 1);
  assert_int_equal(tg__symbolize(pcs[0], &f, 1), 1);
  assert_string_equal(f.function, "goroutine_body");
  assert_int_equal(tg__stack_capture_g_fp(&g, pcs, 4), 1);
  char buf[256];
  tg__stack_format(buf, sizeof buf, pcs, 1);
  assert_true(strncmp(buf, "  goroutine_body() ", 19) == 0);
  assert_non_null(strstr(buf, "test_stack.c:"));
}

static void test_path_display(void **state) {
  (void)state;
  char cwd[4096], path[8192];
  assert_non_null(getcwd(cwd, sizeof cwd));
  snprintf(path, sizeof path, "%s/a/./b/../c.c", cwd);
  const char *shown = tg__stack_path(path);
  if (strcmp(cwd, "/") != 0)
    assert_string_equal(shown, "a/c.c");
  assert_ptr_equal(tg__stack_path(path), shown); /* interned */
  /* Outside the working directory: absolute, normalised. */
  assert_string_equal(tg__stack_path("/nonexistent-dir//x/../y.c"), "/nonexistent-dir/y.c");
  /* A sibling that only shares a prefix with the cwd is not under it. */
  snprintf(path, sizeof path, "%sx/y.c", cwd);
  if (strcmp(cwd, "/") != 0)
    assert_string_equal(tg__stack_path(path), path);
  /* Relative paths stay relative; leading .. kept. */
  assert_string_equal(tg__stack_path("../sysdeps/x.h"), "../sysdeps/x.h");
  assert_string_equal(tg__stack_path("./a/b/../../c.c"), "c.c");
  assert_null(tg__stack_path(NULL));
}

/* A real goroutine, parked on a channel by the scheduler: its stack from
 * the registers the context switch saved, shown from the user's frames
 * down to the goroutine's function, nothing of the runtime around them. */
static tg_chan *park_chan;
static struct tg_g *_Atomic parked_g;
static int line_parked_recv, line_call_waits;

__attribute__((noinline)) static void waits_on_chan(void) {
  int v;
  (line_parked_recv = __LINE__, tg_chan_recv(park_chan, &v));
  NO_TAIL();
}

static void parked_body(void *arg) {
  (void)arg;
  atomic_store(&parked_g, tg__getg());
  (line_call_waits = __LINE__, waits_on_chan());
  NO_TAIL();
}

static void check_real_parked_stack(const uintptr_t *pcs, int n) {
  struct tg_frame fr[MAXPCS];
  int m = tg__stack_frames(pcs, n, fr, MAXPCS);
  assert_int_equal(m, 3);
  assert_string_equal(fr[0].function, "tg_chan_recv");
  assert_frame(&fr[1], "waits_on_chan", line_parked_recv);
  assert_frame(&fr[2], "parked_body", line_call_waits);
}

static void test_capture_real_parked_goroutine(void **state) {
  (void)state;
  /* One P: once main runs again, the goroutine has finished switching
   * away, its registers are saved. */
  int procs = tg_maxprocs(1);
  park_chan = tg_chan_make(sizeof(int), 0);
  atomic_store(&parked_g, NULL);
  tg_go(parked_body, NULL);
  struct tg_g *g;
  while ((g = atomic_load(&parked_g)) == NULL || atomic_load(&g->status) != TG_G_WAITING)
    tg_yield();
  uintptr_t pcs[MAXPCS];
  int n = tg__stack_capture_g(g, pcs, MAXPCS);
  check_real_parked_stack(pcs, n);
  /* libunwind ran to the end of the goroutine's stack, not beyond. */
  assert_string_equal(outer_frame(pcs[n - 1]).function, "tg__ctx_start");
  n = tg__stack_capture_g_fp(g, pcs, MAXPCS);
  check_real_parked_stack(pcs, n);
  int v = 1;
  tg_chan_send(park_chan, &v);
  tg_maxprocs(procs);
}

/* A signal handler on an alternate stack: the interrupted stack, from the
 * handler (libunwind crosses the signal frame) and from its ucontext. */
static uintptr_t sig_pcs[MAXPCS], ctx_pcs[MAXPCS];
static int sig_n, ctx_n;

static void on_signal(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)si;
  sig_n = tg__stack_capture(sig_pcs, MAXPCS, 0);
  ctx_n = tg__stack_capture_context(uc, ctx_pcs, MAXPCS);
}

static int line_raise;

__attribute__((noinline)) static void raises_signal(void) {
  (line_raise = __LINE__, raise(SIGUSR1));
  NO_TAIL();
}

static void test_capture_in_signal_handler_on_altstack(void **state) {
  (void)state;
  stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16}, old_ss;
  assert_non_null(ss.ss_sp);
  assert_int_equal(sigaltstack(&ss, &old_ss), 0);
  struct sigaction sa, old_sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  assert_int_equal(sigaction(SIGUSR1, &sa, &old_sa), 0);
  raises_signal();
  sigaction(SIGUSR1, &old_sa, NULL);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  free(ss.ss_sp);

  /* From the handler: on_signal, the signal trampoline, then (inside
   * raise) up to raises_signal at the line that raised. */
  assert_true(sig_n >= 3);
  assert_string_equal(outer_frame(sig_pcs[0]).function, "on_signal");
  int found = -1;
  for (int i = 1; i < sig_n; i++)
    if (strcmp(outer_frame(sig_pcs[i]).function, "raises_signal") == 0) {
      found = i;
      break;
    }
  assert_true(found > 0);
  struct tg_frame f = outer_frame(sig_pcs[found]);
  assert_int_equal(f.line, line_raise);
  assert_string_equal(outer_frame(sig_pcs[found + 1]).function,
                      "test_capture_in_signal_handler_on_altstack");

  /* From the context: the interrupted frame first (inside raise/libc),
   * then raises_signal and its caller. */
  assert_true(ctx_n >= 2);
  found = -1;
  for (int i = 0; i < ctx_n; i++)
    if (strcmp(outer_frame(ctx_pcs[i]).function, "raises_signal") == 0) {
      found = i;
      break;
    }
  assert_true(found >= 0);
  f = outer_frame(ctx_pcs[found]);
  assert_int_equal(f.line, line_raise);
}

/* A stack overflow: the SIGSEGV handler runs on an alternate stack while
 * the thread's own stack is exhausted, and must still get its stack. */
static sigjmp_buf overflow_env;
static uintptr_t overflow_pcs[MAXPCS], overflow_ctx_pcs[MAXPCS];
static int overflow_n, overflow_ctx_n;

static void on_overflow(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)si;
  overflow_n = tg__stack_capture(overflow_pcs, MAXPCS, 0);
  overflow_ctx_n = tg__stack_capture_context(uc, overflow_ctx_pcs, MAXPCS);
  siglongjmp(overflow_env, 1);
}

static volatile int never; /* keeps the compiler from seeing the recursion is endless */

__attribute__((noinline)) static int recurse_forever(int depth) {
  if (never)
    return depth;
  volatile char pad[256];
  pad[0] = (char)depth;
  int r = recurse_forever(depth + 1) + pad[0];
  NO_TAIL();
  return r;
}

static void *overflow_thread(void *arg) {
  (void)arg;
  stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16};
  if (ss.ss_sp == NULL || sigaltstack(&ss, NULL) != 0)
    return (void *)1;
  if (sigsetjmp(overflow_env, 1) == 0)
    recurse_forever(0);
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  free(ss.ss_sp);
  return NULL;
}

static void test_capture_on_stack_overflow(void **state) {
  (void)state;
  struct sigaction sa, old_sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_overflow;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  assert_int_equal(sigaction(SIGSEGV, &sa, &old_sa), 0);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 << 10);
  pthread_t t;
  assert_int_equal(pthread_create(&t, &attr, overflow_thread, NULL), 0);
  void *ret;
  pthread_join(t, &ret);
  pthread_attr_destroy(&attr);
  sigaction(SIGSEGV, &old_sa, NULL);
  assert_null(ret);

  /* From the handler: itself, the signal trampoline, then the recursion
   * fills the rest. */
  assert_int_equal(overflow_n, MAXPCS);
  assert_string_equal(outer_frame(overflow_pcs[0]).function, "on_overflow");
  int recursive = 0;
  for (int i = 1; i < overflow_n; i++)
    recursive += strcmp(outer_frame(overflow_pcs[i]).function, "recurse_forever") == 0;
  assert_true(recursive >= MAXPCS - 3);
  /* From the context: the faulting frame first, all recursion. */
  assert_int_equal(overflow_ctx_n, MAXPCS);
  for (int i = 0; i < overflow_ctx_n; i++)
    assert_string_equal(outer_frame(overflow_ctx_pcs[i]).function, "recurse_forever");
}

/* A call through a null function pointer faults at pc 0: the stack from
 * the context starts at the caller, on the line of the call. */
static void (*volatile null_fn)(void);
static int line_null_call;

__attribute__((noinline)) static void calls_null(void) {
  (line_null_call = __LINE__, null_fn());
  NO_TAIL();
}

static void *null_call_thread(void *arg) {
  (void)arg;
  stack_t ss = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16};
  if (ss.ss_sp == NULL || sigaltstack(&ss, NULL) != 0)
    return (void *)1;
  if (sigsetjmp(overflow_env, 1) == 0)
    calls_null();
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  free(ss.ss_sp);
  return NULL;
}

static void test_capture_context_null_function_call(void **state) {
  (void)state;
  struct sigaction sa, old_sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_overflow; /* captures both ways, jumps back */
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  assert_int_equal(sigaction(SIGSEGV, &sa, &old_sa), 0);
  pthread_t t;
  assert_int_equal(pthread_create(&t, NULL, null_call_thread, NULL), 0);
  void *ret;
  pthread_join(t, &ret);
  sigaction(SIGSEGV, &old_sa, NULL);
  assert_null(ret);
  assert_true(overflow_ctx_n >= 2);
  struct tg_frame f = outer_frame(overflow_ctx_pcs[0]);
  assert_frame(&f, "calls_null", line_null_call);
  assert_string_equal(outer_frame(overflow_ctx_pcs[1]).function, "null_call_thread");
}

/* Many threads symbolizing the same and different pcs at once: the cache's
 * lock-free readers and the locked inserts must agree. */
static void *symbolize_worker(void *arg) {
  const uintptr_t *pcs = arg;
  for (int round = 0; round < 200; round++) {
    for (int i = 0; i < 4; i++) {
      struct tg_frame f[4];
      int n = tg__symbolize(pcs[i] + (uintptr_t)(round % 3), f, 4);
      if (n < 1 || f[0].function == NULL)
        return (void *)1;
    }
    struct tg_frame f;
    tg__symbolize(pcs[0], &f, 1);
    if (strcmp(f.function, "level3") != 0)
      return (void *)1;
  }
  return NULL;
}

static void test_symbolize_concurrently(void **state) {
  (void)state;
  uintptr_t pcs[MAXPCS];
  level1(pcs, MAXPCS);
  pthread_t t[4];
  for (int i = 0; i < 4; i++)
    assert_int_equal(pthread_create(&t[i], NULL, symbolize_worker, pcs), 0);
  for (int i = 0; i < 4; i++) {
    void *ret;
    pthread_join(t[i], &ret);
    assert_null(ret);
  }
}

/* A library loaded after the symbolizer started (its modules must be
 * reported again), built from a clang object between two gcc objects: clang
 * emits no .debug_aranges, and libdw then answers with the gcc CU whose
 * range comes before. The compilers are run here; without them the test is
 * skipped. */
static const char mixed_gcc_src[] = "int gcc_part(int x) { return x * 3; }\n"
                                    "int gcc_end(int x) { return x * 5; }\n";
static const char mixed_clang_src[] =
    "static inline __attribute__((always_inline)) int twice(int (*cb)(void)) {\n"
    "  return cb() * 2; /* INLINED */\n"
    "}\n"
    "__attribute__((noinline)) int clang_fn(int (*cb)(void)) {\n"
    "  int r = twice(cb); /* CALL */\n"
    "  __asm__ volatile(\"\" ::: \"memory\");\n"
    "  return r + 1;\n"
    "}\n";

static int line_of(const char *src, const char *marker) {
  const char *at = strstr(src, marker);
  int line = 1;
  for (const char *p = src; p < at; p++)
    line += *p == '\n';
  return line;
}

static uintptr_t mixed_pcs[MAXPCS];
static int mixed_n;

static int capture_from_library(void) {
  mixed_n = tg__stack_capture(mixed_pcs, MAXPCS, 0);
  return 1;
}

static bool write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return false;
  bool ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok;
}

static void test_symbolize_dlopened_mixed_compilers(void **state) {
  (void)state;
  if (system("command -v gcc >/dev/null && command -v clang >/dev/null") != 0)
    skip();
  char dir[] = "/tmp/tg_stack_XXXXXX";
  assert_non_null(mkdtemp(dir));
  char a[64], b[64], so[64], cmd[512];
  snprintf(a, sizeof a, "%s/gcc_part.c", dir);
  snprintf(b, sizeof b, "%s/clang_part.c", dir);
  snprintf(so, sizeof so, "%s/libmixed.so", dir);
  assert_true(write_file(a, mixed_gcc_src));
  assert_true(write_file(b, mixed_clang_src));
  /* gcc objects below and above the clang one (the same source twice). */
  snprintf(cmd, sizeof cmd,
           "cd %s && gcc -c -g -O2 -fPIC gcc_part.c && cp gcc_part.c gcc_end.c && gcc -c -g -O2 "
           "-fPIC -Dgcc_part=gcc_part2 -Dgcc_end=gcc_end2 gcc_end.c && clang -c -g -O2 -fPIC "
           "-fno-omit-frame-pointer clang_part.c && gcc -shared -o libmixed.so gcc_part.o "
           "clang_part.o gcc_end.o",
           dir);
  assert_int_equal(system(cmd), 0);
  void *lib = dlopen(so, RTLD_NOW);
  assert_non_null(lib);
  int (*clang_fn)(int (*)(void));
  *(void **)&clang_fn = dlsym(lib, "clang_fn");
  assert_non_null(clang_fn);
  assert_int_equal(clang_fn(capture_from_library), 3);
  NO_TAIL();

  assert_true(mixed_n >= 2);
  assert_string_equal(outer_frame(mixed_pcs[0]).function, "capture_from_library");
  struct tg_frame fr[8];
  int m = tg__symbolize(mixed_pcs[1], fr, 8);
  assert_int_equal(m, 2);
  assert_string_equal(fr[0].function, "twice");
  assert_true(fr[0].inlined);
  assert_true(ends_with(fr[0].file, "clang_part.c"));
  assert_int_equal(fr[0].line, line_of(mixed_clang_src, "/* INLINED */"));
  assert_string_equal(fr[1].function, "clang_fn");
  assert_int_equal(fr[1].line, line_of(mixed_clang_src, "/* CALL */"));

  dlclose(lib);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

/* Runs last: every test above symbolized frames of libraries without debug
 * info here (cmocka's at least), with DEBUGINFOD_URLS set by main. libdw's
 * standard lookup would then have loaded the debuginfod client to fetch it
 * over the network; the symbolizer must look on this machine only. */
static void test_no_debuginfod_lookup(void **state) {
  (void)state;
  assert_null(dlopen("libdebuginfod.so.1", RTLD_NOW | RTLD_NOLOAD));
}

int main(void) {
  /* An address nothing listens on: a regression costs no real traffic. */
  setenv("DEBUGINFOD_URLS", "http://127.0.0.1:9", 1);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_symbolize_on_small_stack),
      cmocka_unit_test(test_capture_chain_in_order),
      cmocka_unit_test(test_capture_skip_and_max),
      cmocka_unit_test(test_inlined_frames),
      cmocka_unit_test(test_symbolize_exact_function_entry),
      cmocka_unit_test(test_unknown_pc),
      cmocka_unit_test(test_format_lines_and_truncation),
      cmocka_unit_test(test_runtime_frames_hidden_at_top),
      cmocka_unit_test(test_print_to_fd),
      cmocka_unit_test(test_capture_parked_goroutine),
      cmocka_unit_test(test_capture_parked_goroutine_fp_fallback),
      cmocka_unit_test(test_capture_g_refuses_unparked),
      cmocka_unit_test(test_capture_real_parked_goroutine),
      cmocka_unit_test(test_capture_fresh_goroutine_shows_its_function),
      cmocka_unit_test(test_path_display),
      cmocka_unit_test(test_capture_in_signal_handler_on_altstack),
      cmocka_unit_test(test_capture_on_stack_overflow),
      cmocka_unit_test(test_capture_context_null_function_call),
      cmocka_unit_test(test_symbolize_concurrently),
      cmocka_unit_test(test_symbolize_dlopened_mixed_compilers),
      cmocka_unit_test(test_no_debuginfod_lookup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
