/* A goroutine locks a mutex and returns without unlocking it (the seed's
 * advice, "always call Unlock within a defer statement", ignored). Whoever
 * locks it next waits forever for a holder that is gone: the race build
 * names the holder as exited, with where it locked. `fixed`: it unlocks. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex lock;
static int count, fixed;
static tg_waitgroup wg;

static void increment(void *arg) {
  (void)arg;
  tg_mutex_lock(&lock);
  count++;
  if (fixed)
    tg_mutex_unlock(&lock);
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_waitgroup_add(&wg, 1);
  tg_go(increment, NULL);
  tg_waitgroup_wait(&wg);
  tg_sleep(20 * TG_MILLISECOND); /* let the goroutine finish */
  tg_mutex_lock(&lock);
  printf("count: %d\n", count);
  tg_mutex_unlock(&lock);
  return 0;
}
