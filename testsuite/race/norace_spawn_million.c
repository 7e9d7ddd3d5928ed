/* A million goroutines, each writing its own slot of a shared array, run
 * in the race build: per-goroutine detector state is recycled and vector
 * clocks stay bounded by the slots in use, not by goroutines ever made. */
//! races: 0
//! stdout: ok 1000000
//! timeout: 240
#include "race_test.h"

#define N 1000000
static unsigned char seen[N];
static tg_waitgroup wg;

static void mark(void *arg) {
  seen[(long)arg] = 1;
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (long i = 0; i < N; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(mark, (void *)i);
    if (i % 10000 == 9999)
      tg_waitgroup_wait(&wg);
  }
  tg_waitgroup_wait(&wg);
  long n = 0;
  for (long i = 0; i < N; i++)
    n += seen[i];
  printf("ok %ld\n", n);
  return 0;
}
