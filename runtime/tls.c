/* Thread-local runtime state, reached only through these out-of-line
 * functions: a goroutine may resume on another thread after any call that
 * can park, and a compiler that sees a TLS access may keep its address in a
 * register across such a call. Keep this file free of anything inlinable. */
#include "rt.h"

#include <errno.h>

/* The M running on this thread; owned by that thread. rt.h's
 * tg__getm_fast reads it too. */
__thread struct tg_m *tg__tls_m __attribute__((tls_model("initial-exec")));

struct tg_m *tg__getm(void) {
  return tg__tls_m;
}

struct tg_g *tg__getg(void) {
  struct tg_m *m = tg__tls_m;
  return m ? m->curg : NULL;
}

void tg__setm(struct tg_m *m) {
  tg__tls_m = m;
  if (m)
    m->errno_loc = &errno;
}
