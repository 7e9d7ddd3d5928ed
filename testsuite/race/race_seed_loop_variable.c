/* Seed 002 "closured variable": every goroutine gets &i, the loop keeps
 * writing i. One P: the goroutines run once main waits, after the loop. */
//! races: 1
//! env: TANGLE_MAXPROCS=1
//! stderr: ^Read at 0x[0-9a-f]+ by goroutine \d+:\n  show\(\)
//! stderr: ^Previous write at 0x[0-9a-f]+ by goroutine 1:\n  main\(\)
#include "race_test.h"

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
