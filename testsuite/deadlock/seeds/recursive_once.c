/* Seed 001, "once": initA runs onceB.Do(initB), and initB runs
 * onceA.Do(initA): onceA's function waits for onceA itself. Go deadlocks
 * (all goroutines asleep); the race build names the recursive Once at the
 * moment it happens. `fixed`: initB does not call back into onceA. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_once once_a, once_b;
static int fixed;

static void init_a(void *arg);

static void init_b(void *arg) {
  (void)arg;
  if (!fixed)
    tg_once_do(&once_a, init_a, NULL);
  printf("initB\n");
}

static void init_a(void *arg) {
  (void)arg;
  tg_once_do(&once_b, init_b, NULL);
  printf("initA\n");
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_once_do(&once_a, init_a, NULL);
  printf("done\n");
  return 0;
}
