/* A three-lock cycle spread over three goroutines, one after the other:
 * A->B, then B->C, then C->A. No two of them overlap, so nothing deadlocks;
 * the cycle of length three in the lock-order graph is reported. A second
 * round of the same acquisitions adds nothing new (chain cache) and no
 * second report. `fixed`: the last one takes A before C. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex a, b, c;
static int fixed;
static tg_waitgroup wg;

static void nest(tg_mutex *x, tg_mutex *y) {
  tg_mutex_lock(x);
  tg_mutex_lock(y);
  tg_mutex_unlock(y);
  tg_mutex_unlock(x);
}

static void g_ab(void *p) { (void)p; nest(&a, &b); tg_waitgroup_done(&wg); }
static void g_bc(void *p) { (void)p; nest(&b, &c); tg_waitgroup_done(&wg); }
static void g_ca(void *p) {
  (void)p;
  if (fixed)
    nest(&a, &c);
  else
    nest(&c, &a);
  tg_waitgroup_done(&wg);
}

static void one(tg_func f) {
  tg_waitgroup_add(&wg, 1);
  tg_go(f, NULL);
  tg_waitgroup_wait(&wg);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  for (int round = 0; round < 2; round++) {
    one(g_ab);
    one(g_bc);
    one(g_ca);
  }
  printf("ok\n");
  return 0;
}
