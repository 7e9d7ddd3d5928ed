/* TestNoRaceAtomicAdd: atomics never race with atomics; every fetch_add
 * (seq_cst) joins the clock, so the final plain read after the last one
 * seen is ordered. 8/16/32/64-bit and compare-exchange. */
//! races: 0
//! stdout: 400 400 400 400 400
#include "race_test.h"
#include <stdatomic.h>

static _Atomic char c8;
static _Atomic short c16;
static atomic_int c32;
static _Atomic long c64;
static atomic_int cas;
static atomic_int finished;

static void worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 100; i++) {
    atomic_fetch_add(&c8, 1);
    atomic_fetch_add(&c16, 1);
    atomic_fetch_add(&c32, 1);
    atomic_fetch_add(&c64, 1);
    int old = atomic_load(&cas);
    while (!atomic_compare_exchange_weak(&cas, &old, old + 1))
      ;
  }
  atomic_fetch_add(&finished, 1);
}

int main(void) {
  for (int i = 0; i < 4; i++)
    tg_go(worker, NULL);
  while (atomic_load(&finished) < 4)
    tg_yield();
  printf("%d %d %d %ld %d\n", (unsigned char)c8 + 256, c16, c32, c64, cas);
  return 0;
}
