/* The twin: each goroutine gets its own copy of i (Go's `go func(x int)`). */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_waitgroup wg;

static void show(void *arg) {
  int *x = arg;
  printf("%d ", *x);
  free(x);
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (int i = 0; i <= 20; i++) {
    int *x = malloc(sizeof *x);
    *x = i;
    tg_waitgroup_add(&wg, 1);
    tg_go(show, x);
  }
  tg_waitgroup_wait(&wg);
  printf("\n");
  return 0;
}
