/* Seed 004_f52ba9338e6e024e.txt, "SYNC PACKAGE" > sync.Atomic:
 *   atomic.AddUint64(&ops, 1)
 *   value := atomic.LoadUint64(&ops)
 * in the usual setting of that snippet: 50 goroutines add 1000 times each. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <tangle.h>

static _Atomic uint64_t ops;
static tg_waitgroup wg;

static void adder(void *arg) {
  (void)arg;
  for (int c = 0; c < 1000; c++)
    atomic_fetch_add(&ops, 1);
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (int i = 0; i < 50; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(adder, NULL);
  }
  tg_waitgroup_wait(&wg);
  uint64_t value = atomic_load(&ops);
  printf("ops: %llu\n", (unsigned long long)value);
  return 0;
}
