/* Panics, fatal errors and goroutine tracebacks, in Go's words and layout:
 *   panic: <message>            (tg_panic: status 2)
 *   fatal error: <message>      (runtime failures: status 2)
 * each followed by the goroutines concerned, their wait reasons and stacks. */
#include "rt.h"

#include "../detector/stack.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The race build's report sink, when linked in: findings must be summed up
 * even when the program dies. */
__attribute__((weak)) int tg__report_finish(void);
__attribute__((weak)) void tg__wf_explain_global_deadlock(int fd);
bool tg__stack_canary_dead(const struct tg_g *g);

static const char *const wait_reasons[TG_WAIT__COUNT] = {
    [TG_WAIT_NONE] = "",
    [TG_WAIT_CHAN_RECV] = "chan receive",
    [TG_WAIT_CHAN_SEND] = "chan send",
    [TG_WAIT_CHAN_RECV_NIL] = "chan receive (nil chan)",
    [TG_WAIT_CHAN_SEND_NIL] = "chan send (nil chan)",
    [TG_WAIT_SELECT] = "select",
    [TG_WAIT_SELECT_NO_CASES] = "select (no cases)",
    [TG_WAIT_SLEEP] = "sleep",
    [TG_WAIT_MUTEX] = "sync.Mutex.Lock",
    [TG_WAIT_RWMUTEX_R] = "sync.RWMutex.RLock",
    [TG_WAIT_RWMUTEX_W] = "sync.RWMutex.Lock",
    [TG_WAIT_WAITGROUP] = "sync.WaitGroup.Wait",
    [TG_WAIT_COND] = "sync.Cond.Wait",
    [TG_WAIT_ONCE] = "sync.Once.Do",
    [TG_WAIT_SEM] = "semacquire",
    [TG_WAIT_IO] = "IO wait",
    [TG_WAIT_SYSCALL] = "syscall",
    [TG_WAIT_LEAK_CHECK] = "sleep",
};

const char *tg__wait_reason_str(int r) {
  return r >= 0 && r < TG_WAIT__COUNT && wait_reasons[r] ? wait_reasons[r] : "waiting";
}

const char *tg__gstatus_str(int s) {
  switch (s) {
  case TG_G_IDLE:
    return "idle";
  case TG_G_RUNNABLE:
    return "runnable";
  case TG_G_RUNNING:
    return "running";
  case TG_G_WAITING:
    return "waiting";
  case TG_G_SYSCALL:
    return "syscall";
  case TG_G_DEAD:
    return "finished";
  }
  return "unknown";
}

void tg__write_all(int fd, const char *s, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    s += w;
    n -= (size_t)w;
  }
}

void tg__fdprintf(int fd, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  tg__write_all(fd, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void print_created_by(int fd, struct tg_g *g) {
  if (g->is_main || g->create_depth == 0)
    return;
  struct tg_frame fr[8];
  int n = tg__symbolize((uintptr_t)g->create_pcs[0], fr, 8);
  const struct tg_frame *outer = &fr[n - 1];
  tg__fdprintf(fd, "created by %s() in goroutine %llu\n", fr[0].function,
               (unsigned long long)g->parent_id);
  if (outer->file)
    tg__fdprintf(fd, "  %s:%d\n", fr[0].file ? fr[0].file : outer->file,
                 fr[0].file ? fr[0].line : outer->line);
  if (g->create_depth > 1)
    tg__stack_print(fd, (const uintptr_t *)g->create_pcs + 1, g->create_depth - 1);
}

static void print_header(int fd, struct tg_g *g, int status) {
  if (status == TG_G_WAITING || status == TG_G_SYSCALL) {
    int64_t waited = tg__nanotime_coarse() - g->wait_since;
    const char *what = tg__wait_reason_str(g->wait_reason);
    if (waited >= 60 * TG_SECOND)
      tg__fdprintf(fd, "goroutine %llu [%s, %lld minutes]:\n", (unsigned long long)g->id, what,
                   (long long)(waited / (60 * TG_SECOND)));
    else
      tg__fdprintf(fd, "goroutine %llu [%s]:\n", (unsigned long long)g->id, what);
  } else {
    tg__fdprintf(fd, "goroutine %llu [%s]:\n", (unsigned long long)g->id, tg__gstatus_str(status));
  }
}

/* What a wait reason waits on, for "waiting on ..." lines. */
static const char *wait_object_kind(int reason) {
  switch (reason) {
  case TG_WAIT_CHAN_RECV:
  case TG_WAIT_CHAN_SEND:
    return "channel";
  case TG_WAIT_SELECT:
    return "select over the channels of cases";
  case TG_WAIT_MUTEX:
    return "mutex";
  case TG_WAIT_RWMUTEX_R:
  case TG_WAIT_RWMUTEX_W:
    return "rwmutex";
  case TG_WAIT_WAITGROUP:
    return "waitgroup";
  case TG_WAIT_COND:
    return "cond";
  case TG_WAIT_ONCE:
    return "once";
  case TG_WAIT_SEM:
    return "semaphore";
  case TG_WAIT_IO:
    return "poll descriptor";
  }
  return "object";
}

static void print_duration(char *buf, size_t cap, int64_t ns) {
  if (ns < TG_MILLISECOND)
    snprintf(buf, cap, "<1ms");
  else if (ns < TG_SECOND)
    snprintf(buf, cap, "%lldms", (long long)(ns / TG_MILLISECOND));
  else
    snprintf(buf, cap, "%.1fs", (double)ns / TG_SECOND);
}

/* Dumps (tg_dump_goroutines, SIGQUIT) also say what each goroutine waits
 * on and for how long; fatal errors keep Go's exact layout. Set only by
 * print_all's callers, under the dump. */
static bool dump_details;

void tg__print_goroutine(int fd, struct tg_g *g, bool with_stack) {
  int status = atomic_load(&g->status);
  print_header(fd, g, status);
  if (dump_details && (status == TG_G_WAITING || status == TG_G_SYSCALL)) {
    char dur[32];
    print_duration(dur, sizeof dur, tg__nanotime_coarse() - g->wait_since);
    if (g->wait_obj)
      tg__fdprintf(fd, "  waiting on %s %p for %s\n", wait_object_kind(g->wait_reason), g->wait_obj,
                   dur);
    else
      tg__fdprintf(fd, "  waiting for %s\n", dur);
  }
  if (with_stack) {
    uintptr_t pcs[64];
    int n = 0;
    if (g == tg__getg())
      n = tg__stack_capture(pcs, 64, 1);
    else if (status == TG_G_WAITING || status == TG_G_RUNNABLE)
      n = tg__stack_capture_g(g, pcs, 64);
    if (n > 0)
      tg__stack_print(fd, pcs, n);
    else if (status == TG_G_RUNNING || status == TG_G_SYSCALL)
      tg__fdprintf(fd, "  (running on another thread)\n");
  }
  print_created_by(fd, g);
  tg__write_all(fd, "\n", 1);
}

/* Every goroutine, the calling one first (Go's order). */
static void print_all(int fd) {
  struct tg_g *self = tg__getg();
  if (self && !self->is_g0)
    tg__print_goroutine(fd, self, true);
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g; g = g->all_next) {
    if (g == self)
      continue;
    int s = atomic_load(&g->status);
    if (s == TG_G_DEAD || s == TG_G_IDLE)
      continue;
    tg__print_goroutine(fd, g, true);
  }
  tg__lock_release(&tg__sched.allg_lock);
}

void tg_dump_goroutines(int fd) {
  tg__init();
  dump_details = true;
  print_all(fd);
  dump_details = false;
}

_Noreturn static void die(void) {
  /* Go's output is unbuffered; a C program's stdout may not be. Whatever it
   * printed before the panic must not be lost. */
  fflush(NULL);
  if (tg__report_finish)
    tg__report_finish();
  _exit(2);
}

static tg__lock dying; /* the first fatal path wins; others wait forever */

static void enter_dying(void) {
  if (!tg__lock_try(&dying)) {
    for (;;)
      pause();
  }
}

/* "panic: ..." or "fatal error: ...", the running goroutine's stack, then
 * status 2. */
_Noreturn static void die_with(const char *prefix, const char *fmt, va_list ap) {
  enter_dying();
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  tg__fdprintf(2, "%s: %s\n\n", prefix, msg);
  struct tg_g *g = tg__getg();
  if (g && !g->is_g0)
    tg__print_goroutine(2, g, true);
  die();
}

void tg_panic(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  die_with("panic", fmt, ap);
}

void tg__fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  die_with("fatal error", fmt, ap);
}

_Noreturn void tg__throw_deadlock(void) {
  enter_dying();
  if (tg__num_goroutine() == 0)
    tg__fdprintf(2, "fatal error: no goroutines (main called tg_goexit) - deadlock!\n\n");
  else
    tg__fdprintf(2, "fatal error: all goroutines are asleep - deadlock!\n\n");
  /* Called by an M about to sleep: every goroutine is parked, so every
   * stack can be read. */
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g; g = g->all_next) {
    int s = atomic_load(&g->status);
    if (s == TG_G_WAITING)
      tg__print_goroutine(2, g, true);
  }
  tg__lock_release(&tg__sched.allg_lock);
  if (tg__wf_explain_global_deadlock)
    tg__wf_explain_global_deadlock(2);
  die();
}

_Noreturn void tg__stack_overflow(struct tg_g *g) {
  enter_dying();
  tg__fdprintf(2,
               "fatal error: stack overflow\n\ngoroutine %llu: stack of %zu bytes exhausted "
               "(TANGLE_OPTIONS=stack_size= sets it)\n",
               (unsigned long long)g->id, g->stack_size);
  print_created_by(2, g);
  _exit(2);
}

/* ---- tg_check_leaks: goleak's VerifyNone ------------------------------- */

__attribute__((weak)) int tg__wf_report_leaks(void);

static int count_others(struct tg_g *self) {
  int n = 0;
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g; g = g->all_next) {
    int s = atomic_load(&g->status);
    if (g != self && s != TG_G_DEAD && s != TG_G_IDLE && !g->is_g0)
      n++;
  }
  tg__lock_release(&tg__sched.allg_lock);
  return n;
}

int tg_check_leaks(void) {
  tg__init();
  struct tg_g *self = tg__getg();
  /* Grace period with backoff, as goleak: goroutines that are finishing get
   * up to a second to do so. */
  int64_t deadline = tg_now() + TG_SECOND;
  int64_t pause_ns = TG_MICROSECOND * 10;
  int n;
  while ((n = count_others(self)) > 0 && tg_now() < deadline) {
    tg_sleep(pause_ns);
    if (pause_ns < 100 * TG_MILLISECOND)
      pause_ns *= 2;
  }
  if (n == 0)
    return 0;
  if (tg__wf_report_leaks)
    return tg__wf_report_leaks();
  tg__fdprintf(2, "tangle: found %d unexpected goroutine%s:\n\n", n, n == 1 ? "" : "s");
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g; g = g->all_next) {
    int s = atomic_load(&g->status);
    if (g != self && s != TG_G_DEAD && s != TG_G_IDLE)
      tg__print_goroutine(2, g, s != TG_G_RUNNING);
  }
  tg__lock_release(&tg__sched.allg_lock);
  return n;
}
