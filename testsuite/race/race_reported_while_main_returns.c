/* main returns while another goroutine is still writing the report of a
 * race it just found (symbolizing the stacks takes milliseconds, much more
 * on a loaded machine). The exit waits for the report instead of ending
 * the process without it. The flags are relaxed, so they order nothing:
 * the two writes race, and the goroutine's is the second, found by it.
 * With leaks=off there is no grace period at exit for running goroutines. */
//! races: 1
//! options: leaks=off
//! stderr: late_writer\(\) .*race_reported_while_main_returns\.c
#include "race_test.h"
#include <stdatomic.h>

long x;
static atomic_int go_ahead, writing;

static void late_writer(void *arg) {
  (void)arg;
  AWAIT_RELAXED(go_ahead);
  atomic_store_explicit(&writing, 1, memory_order_relaxed);
  x = 2;
}

int main(void) {
  tg_go(late_writer, NULL);
  x = 1;
  atomic_store_explicit(&go_ahead, 1, memory_order_relaxed);
  while (!atomic_load_explicit(&writing, memory_order_relaxed))
    ;
  /* Long enough for the write to happen (it is next), far too short for
   * its report. */
  for (volatile int i = 0; i < 200000; i++)
    ;
  return 0;
}
