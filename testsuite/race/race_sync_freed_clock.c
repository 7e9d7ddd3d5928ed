/* A wait group freed and a new one made at the same address (malloc hands
 * the block straight back): the new one starts with no clock. Sync
 * objects are reused after a free, so a reused one must not keep the old
 * wait group's clock: the child's Done merges into it, and main's Wait
 * would then learn the worker's write from the old group. Twin:
 * norace_sync_freed_clock. */
//! races: 1
//! stderr: worker\(\)
//! stdout: same=1
#include "race_test.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

long x;
static atomic_int ready;

static void worker(void *arg) {
  x = 1;
  tg_waitgroup_done(arg);
  atomic_store_explicit(&ready, 1, memory_order_relaxed);
}

static void child(void *arg) {
  tg_waitgroup_done(arg);
}

int main(void) {
  tg_waitgroup *wg = malloc(sizeof *wg);
  memset(wg, 0, sizeof *wg);
  tg_waitgroup_add(wg, 1);
  tg_go(worker, wg);
  AWAIT_RELAXED(ready);
#ifdef WAIT_OLD_GROUP    /* norace_sync_freed_clock.c */
  tg_waitgroup_wait(wg); /* the edge */
#endif
  uintptr_t old = (uintptr_t)wg;
  free(wg);
  wg = malloc(sizeof *wg);
  memset(wg, 0, sizeof *wg);
  tg_waitgroup_add(wg, 1);
  tg_go(child, wg);
  tg_waitgroup_wait(wg);
  printf("x=%ld same=%d\n", x, (uintptr_t)wg == old);
  return 0;
}
