/* Seed 002 "closured variable": every goroutine gets &i, the loop keeps
 * writing i. One P: the goroutines run once main waits, after the loop. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_waitgroup wg;

static void show(void *arg) {
  int *i = arg;
  printf("%d ", *i);
  tg_waitgroup_done(&wg);
}

int main(void) {
  int i;
  for (i = 0; i <= 20; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(show, &i);
  }
  tg_waitgroup_wait(&wg);
  printf("\n");
  return 0;
}
