/* Seed 002, addDone: more Add than Done, so Wait never returns. With main
 * the only goroutine left that is Go's global deadlock; the race build says
 * that no goroutine is left to call Done. `fixed`: Add matches the Dones. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_waitgroup wg;

static void work(void *arg) {
  printf("goroutine %d\n", *(int *)arg);
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  int fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  static int ids[3] = {0, 1, 2};
  tg_waitgroup_add(&wg, fixed ? 3 : 4);
  for (int i = 0; i < 3; i++)
    tg_go(work, &ids[i]);
  tg_waitgroup_wait(&wg);
  printf("done\n");
  return 0;
}
