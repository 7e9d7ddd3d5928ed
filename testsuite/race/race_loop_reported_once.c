/* A racy loop run a million times is reported once (one report per pair
 * of racing locations). */
//! races: 1
//! stdout: done
#include "race_test.h"

static long counter;
static tg_waitgroup wg;

static NOINLINE void bump(void) {
  counter++;
}

static void loop(void *arg) {
  (void)arg;
  for (int i = 0; i < 1000000; i++)
    bump();
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(loop, NULL);
  tg_go(loop, NULL);
  tg_waitgroup_wait(&wg);
  printf("done\n");
  return 0;
}
