/* Thread-local runtime state, reached only through these out-of-line
 * functions: a goroutine may resume on another thread after any call that
 * can park, and a compiler that sees a TLS access may keep its address in a
 * register across such a call. Keep this file free of anything inlinable. */
#include "rt.h"

#include <errno.h>

/* The M running on this thread; owned by that thread. rt.h's
 * tg__getm_fast reads it too. */
__thread struct tg_m *tg__tls_m __attribute__((tls_model("initial-exec")));
#define tls_m tg__tls_m

struct tg_m *tg__getm(void) {
  return tls_m;
}

struct tg_g *tg__getg(void) {
  struct tg_m *m = tls_m;
  return m ? m->curg : NULL;
}

void tg__setm(struct tg_m *m) {
  tls_m = m;
  if (m)
    m->errno_loc = &errno;
}

/* errno is per thread but a goroutine's errno must follow it across threads;
 * __errno_location() is declared const, so it must be called afresh here. */
int tg__errno_get(void) __attribute__((noinline));
void tg__errno_set(int e) __attribute__((noinline));
int tg__errno_get(void) {
  return errno;
}
void tg__errno_set(int e) {
  errno = e;
}
