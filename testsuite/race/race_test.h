/* Shared by the race-build test programs (see run_race.py for the //!
 * directives each program carries). Programs are written so that the racy
 * accesses always both execute, whatever the schedule (the detector judges
 * happens-before, not timing), and their clean twins differ only by the
 * synchronization that orders the accesses. */
#ifndef TANGLE_RACE_TEST_H
#define TANGLE_RACE_TEST_H
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                     \
      exit(3);                                                                                     \
    }                                                                                              \
  } while (0)

#define NOINLINE __attribute__((noinline))
/* Keeps a value that is read only for the test's sake from being optimized
 * away (and with it the access that read it). Shared variables the tests
 * write but never read are given external linkage for the same reason. */
#define KEEP(v)  __asm__ volatile("" : : "r"(v))

/* Waits, yielding, until an atomic flag is set (or equals v), with relaxed
 * loads only: the goroutines are ordered in time, but not by
 * happens-before, so the accesses on either side of the wait still race and
 * the race twin is reported whatever the schedule. A clean twin orders
 * them instead (a channel, or an acquire fence after this wait). */
#define AWAIT_RELAXED(flag)                                                                        \
  do {                                                                                             \
    while (!atomic_load_explicit(&(flag), memory_order_relaxed))                                   \
      tg_yield();                                                                                  \
  } while (0)
#define AWAIT_RELAXED_EQ(flag, v)                                                                  \
  do {                                                                                             \
    while (atomic_load_explicit(&(flag), memory_order_relaxed) != (v))                             \
      tg_yield();                                                                                  \
  } while (0)
#endif
