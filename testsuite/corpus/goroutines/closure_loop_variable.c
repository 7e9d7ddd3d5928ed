/* Seed 002_86b5fec98460e5da.txt, "Closured variables and the go statement".
 *
 * Go's two fixes for the shared loop variable: `i := i` (a fresh copy per
 * goroutine) and passing i as an argument. C has no closures; both become "the
 * goroutine gets its own copy of i as its argument", which is the point of the
 * example. The seed sleeps 1 s after each loop (scaled to 200 ms) to let the
 * goroutines print; their order is not defined. */
#include <stdint.h>
#include <stdio.h>
#include <tangle.h>

static void print_copy(void *arg) {
  printf("%d ", (int)(intptr_t)arg);
}

int main(void) {
  for (int i = 0; i <= 20; i++) {
    int copy = i; /* i := i */
    tg_go(print_copy, (void *)(intptr_t)copy);
  }
  tg_sleep(200 * TG_MILLISECOND);
  printf("\n");
  for (int i = 0; i <= 20; i++)
    tg_go(print_copy, (void *)(intptr_t)i); /* go func(x int) {...}(i) */
  tg_sleep(200 * TG_MILLISECOND);
  printf("\n");
  return 0;
}
