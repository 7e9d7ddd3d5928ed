/* A goroutine's local is written by another goroutine (handed over by
 * address, the writes ordered by channels), and the owner never touches
 * it itself. The owner exits; a later goroutine given the same stack has
 * its own local at that address. That is new memory, not a race with the
 * writer: the detector must forget the stack's history up to the deepest
 * frame the owner had, not only as deep as the owner's own accesses went. */
//! races: 0
//! env: TANGLE_MAXPROCS=1
//! stdout: rounds=20 reused=[1-9]
#include "race_test.h"

static tg_chan *go_write, *written;
static volatile long *slot; /* the owner's local, for the writer */

static void writer(void *arg) {
  (void)arg;
  while (tg_chan_recv(go_write, NULL)) {
    *slot = 42;
    tg_chan_send(written, NULL);
  }
}

struct job {
  tg_chan *fin;
  bool reuse;
  volatile long *at; /* where the local was */
};

static NOINLINE void body(void *arg) {
  struct job *j = arg;
  volatile long x;
  volatile long *volatile p = &x; /* escapes: the accesses are instrumented */
  j->at = p;
  if (j->reuse) {
    *p = 7; /* a new local where the owner's was */
  } else {
    slot = p;
    tg_chan_send(go_write, NULL);
#ifdef OWNER_WRITES_TOO
    *p = 1; /* unordered with the writer's store */
#endif
    tg_chan_recv(written, NULL);
  }
  tg_chan_send(j->fin, NULL);
}

int main(void) {
  go_write = tg_chan_make(0, 0);
  written = tg_chan_make(0, 0);
  tg_go(writer, NULL);
  int reused = 0;
  for (int i = 0; i < 20; i++) {
    struct job owner = {tg_chan_make(0, 1), false, NULL};
    struct job later = {tg_chan_make(0, 0), true, NULL};
    tg_go(body, &owner);
    tg_sleep(2 * TG_MILLISECOND); /* the owner exits; a sleep orders nothing */
    tg_go(body, &later);
    tg_chan_recv(later.fin, NULL);
    tg_chan_recv(owner.fin, NULL);
    reused += owner.at == later.at;
  }
  tg_chan_close(go_write);
  printf("rounds=20 reused=%d\n", reused);
  return 0;
}
