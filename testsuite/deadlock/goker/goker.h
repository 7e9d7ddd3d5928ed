/* Shared by the C ports of GoBench's GoKer blocking kernels
 * (github.com/timmyyuan/gobench; the versions in Go's
 * runtime/testdata/testgoroutineleakprofile/goker were read). Each port is
 * one program: `prog` runs the buggy kernel, `prog fixed` the kernel with
 * its upstream fix (or, where noted, the smallest change that removes the
 * bug). Where the Go test relies on many copies and luck to hit the buggy
 * interleaving, the port forces it with short sleeps, so that the race
 * build's verdict is deterministic. Every port comes with two expectation
 * files: the buggy run must be reported (deadlock, lock-order inversion,
 * leak), the fixed run must be silent. */
#ifndef GOKER_H
#define GOKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tangle.h>

static bool fixed;
static void kernel(void) __attribute__((noinline));

#define MS (TG_MILLISECOND)

static inline void *new0(size_t n) {
  void *p = calloc(1, n);
  if (!p)
    abort();
  return p;
}

/* A goroutine running fn(arg) with a small closure. */
#define GO(fn, arg) tg_go((fn), (void *)(arg))

/* The kernel has returned, but its locals may still sit in main's stack
 * below the current frame, or in slots the compiler reuses: Go's precise
 * GC knows they are dead, a conservative scan cannot. Overwrite them, so the
 * detector sees what a Go program's runtime would. */
__attribute__((noinline)) static void scrub_stack(void) {
  volatile char junk[16384];
  memset((char *)junk, 0, sizeof junk);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  kernel();
  scrub_stack();
  /* As the Go test does before its leak profile: let everything settle
   * (the detectors look at goroutines blocked for a while). */
  tg_sleep(400 * MS);
  return 0;
}

#endif
