/* Signals: SIGSEGV/SIGBUS on an alternate stack tell a goroutine's stack
 * overflow (a hit in its guard page) from other faults; SIGQUIT dumps every
 * goroutine and exits with status 2, as Go does. The dump itself is done by
 * sysmon, outside the signal handler, where it may take locks. */
#include "rt.h"

#include "../detector/stack.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALTSTACK_SIZE (64 << 10)

bool tg__stack_guard_hit(const struct tg_g *g, const void *addr);
_Noreturn void tg__stack_overflow(struct tg_g *g);

/* Set by the SIGQUIT handler, consumed by sysmon. */
_Atomic int tg__sigquit_pending;

static void on_sigquit(int sig) {
  (void)sig;
  atomic_store(&tg__sigquit_pending, 1);
}

#ifndef TANGLE_ASAN
static void on_fault(int sig, siginfo_t *si, void *uctx) {
  struct tg_g *g = tg__getg();
  if (g && !g->is_g0 && tg__stack_guard_hit(g, si->si_addr))
    tg__stack_overflow(g);
  tg__fdprintf(2,
               "panic: runtime error: invalid memory address or nil pointer dereference\n"
               "[signal %s: %s addr=%p]\n\n",
               sig == SIGSEGV ? "SIGSEGV" : "SIGBUS",
               sig == SIGSEGV ? "segmentation violation" : "bus error", si->si_addr);
  if (g && !g->is_g0) {
    uintptr_t pcs[64];
    int n = tg__stack_capture_context(uctx, pcs, 64);
    tg__fdprintf(2, "goroutine %llu [running]:\n", (unsigned long long)g->id);
    tg__stack_print(2, pcs, n);
  }
  _exit(2);
}
#endif

void tg__signals_thread_init(void) {
#ifndef TANGLE_ASAN
  stack_t ss = {0};
  ss.ss_sp = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (ss.ss_sp == MAP_FAILED)
    return;
  ss.ss_size = ALTSTACK_SIZE;
  sigaltstack(&ss, NULL);
#endif
}

void tg__signals_init(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_sigquit;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGQUIT, &sa, NULL);
#ifndef TANGLE_ASAN
  /* Under AddressSanitizer its own handler reports faults. */
  tg__signals_thread_init();
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
#endif
}
