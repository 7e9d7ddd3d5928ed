/* Twin of race_sync_freed_clock: main waits on the old group before
 * freeing it, so the worker's write is ordered before main's read. */
//! races: 0
//! stdout: x=1 same=1
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
  while (!atomic_load_explicit(&ready, memory_order_relaxed))
    tg_yield();
  tg_waitgroup_wait(wg); /* the edge */
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
