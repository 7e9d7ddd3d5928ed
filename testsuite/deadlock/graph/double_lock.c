/* A goroutine locks a mutex it already holds (tangle's mutexes, like Go's,
 * are not recursive). main goes on and exits: the deadlock is partial and
 * reported when the second Lock blocks. `fixed`: it unlocks in between. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex mu;
static int fixed;
static atomic_bool locked_once; /* main waits for it: no race with a loaded machine */

static void twice(void *arg) {
  (void)arg;
  tg_mutex_lock(&mu);
  if (fixed)
    tg_mutex_unlock(&mu);
  atomic_store(&locked_once, true);
  tg_mutex_lock(&mu);
  tg_mutex_unlock(&mu);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_go(twice, NULL);
  while (!atomic_load(&locked_once))
    tg_sleep(TG_MILLISECOND);
  tg_sleep(200 * TG_MILLISECOND); /* the second Lock is a call away */
  printf("main exits\n");
  return 0;
}
