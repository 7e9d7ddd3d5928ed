/* The memory-bound loop shared by the tangle program (memloop.c) and the
 * pthread peer (peers/pthread_memloop.c), so both run the same code:
 * `passes` sweeps over an array of `len` 64-bit words, each reading and
 * writing every element. In a race build every element access goes through
 * the detector's read and write hooks. One op = one element updated. */
#ifndef TANGLE_BENCH_MEMLOOP_H
#define TANGLE_BENCH_MEMLOOP_H
#include <stdint.h>
#include <stdlib.h>

#define MEMLOOP_LEN (1L << 22) /* 4 Mi words: 32 MiB, far beyond the caches */

/* noinline keeps the loop one function in every build (the TSan builds
 * bracket it with one func_entry/exit, like Go's instrumented loop). */
__attribute__((noinline)) static uint64_t memloop_run(uint64_t *a, long len, long passes) {
  uint64_t sum = 0;
  for (long p = 0; p < passes; p++)
    for (long i = 0; i < len; i++) {
      a[i] = a[i] * 31 + (uint64_t)i;
      sum += a[i];
    }
  return sum;
}

/* The same arithmetic without memory traffic, to check the result. */
static uint64_t memloop_expect(long len, long passes) {
  uint64_t sum = 0;
  for (long i = 0; i < len; i++) {
    uint64_t v = 0;
    for (long p = 0; p < passes; p++) {
      v = v * 31 + (uint64_t)i;
      sum += v;
    }
  }
  return sum;
}
#endif
