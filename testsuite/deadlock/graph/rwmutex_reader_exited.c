/* A reader exits holding its read lock; the next Lock waits for it forever
 * and is told who left it held and where. Nine other readers hold the lock
 * when it read-locks (they read-unlock before main's Lock), so it is past
 * the detector's reader slots, on the overflow list. `fixed`: it
 * read-unlocks. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

#define OTHERS 9

static tg_rwmutex rw;
static tg_waitgroup wg;
static tg_chan *go_on;
static atomic_int holding;
static int fixed;

static void other(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&rw);
  atomic_fetch_add(&holding, 1);
  tg_chan_recv(go_on, NULL);
  tg_rwmutex_runlock(&rw);
  tg_waitgroup_done(&wg);
}

__attribute__((noinline)) static void rlock_and_leave(void) {
  tg_rwmutex_rlock(&rw); /* RLOCK_LINE */
  if (fixed)
    tg_rwmutex_runlock(&rw);
}

static void leaver(void *arg) {
  (void)arg;
  rlock_and_leave();
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  go_on = tg_chan_make(0, 0);
  for (int i = 0; i < OTHERS; i++) {
    tg_go(other, NULL);
    while (atomic_load(&holding) <= i)
      tg_sleep(TG_MILLISECOND);
  }
  tg_waitgroup_add(&wg, 1);
  tg_go(leaver, NULL);
  tg_waitgroup_wait(&wg);
  tg_sleep(20 * TG_MILLISECOND); /* let the goroutine finish */
  tg_waitgroup_add(&wg, OTHERS);
  tg_chan_close(go_on);
  tg_waitgroup_wait(&wg);
  tg_rwmutex_lock(&rw);
  printf("locked\n");
  tg_rwmutex_unlock(&rw);
  return 0;
}
