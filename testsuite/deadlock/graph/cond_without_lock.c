/* Cond.Wait must be called with the Cond's lock held: it unlocks it. Here
 * it is not held. Go dies with "sync: unlock of unlocked mutex"; the race
 * build first says which misuse it was. `fixed`: the lock is taken, and a
 * goroutine signals the condition. */
#include <stdio.h>
#include <stdatomic.h>
#include <string.h>
#include <tangle.h>

static tg_mutex mu;
static tg_cond cond = TG_COND_INIT(&mu);
static _Atomic int ready;

static void signaller(void *arg) {
  (void)arg;
  tg_sleep(20 * TG_MILLISECOND);
  tg_mutex_lock(&mu);
  ready = 1;
  tg_cond_broadcast(&cond);
  tg_mutex_unlock(&mu);
}

int main(int argc, char **argv) {
  int fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  if (fixed) {
    tg_go(signaller, NULL);
    tg_mutex_lock(&mu);
  }
  while (!ready)
    tg_cond_wait(&cond);
  tg_mutex_unlock(&mu);
  printf("ready\n");
  return 0;
}
