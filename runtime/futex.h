/* Thin futex wrappers: how runtime threads sleep and wake. */
#ifndef TANGLE_FUTEX_H
#define TANGLE_FUTEX_H

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline void tg__cpu_relax(void) {
  __builtin_ia32_pause();
}

/* Sleeps while *addr == val, at most ns nanoseconds (ns < 0: no limit). */
static inline void tg__futex_wait(_Atomic uint32_t *addr, uint32_t val, int64_t ns) {
  struct timespec ts, *tsp = NULL;
  if (ns >= 0) {
    ts.tv_sec = ns / 1000000000;
    ts.tv_nsec = ns % 1000000000;
    tsp = &ts;
  }
  int saved = errno;
  syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, tsp, NULL, 0);
  errno = saved;
}

static inline void tg__futex_wake(_Atomic uint32_t *addr, int n) {
  int saved = errno;
  syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
  errno = saved;
}

#endif
