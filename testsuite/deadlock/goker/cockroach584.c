/* cockroach#584 (Resource, double locking): bootstrap leaves its loop on
 * `closed` without unlocking the gossip mutex, and manage locks it again.
 * Fix: unlock before the break. */
#include "goker.h"

struct gossip {
  tg_mutex mu;
  bool closed;
};

static void loop(struct gossip *g) {
  for (;;) {
    tg_mutex_lock(&g->mu);
    if (g->closed) {
      if (fixed)
        tg_mutex_unlock(&g->mu);
      break;
    }
    tg_mutex_unlock(&g->mu);
  }
}

static void g1(void *p) {
  struct gossip *g = p;
  loop(g); /* bootstrap */
  loop(g); /* manage */
}

static void kernel(void) {
  struct gossip *g = new0(sizeof *g);
  g->closed = true;
  GO(g1, g);
}
