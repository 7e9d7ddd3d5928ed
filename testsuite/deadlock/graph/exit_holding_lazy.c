/* A goroutine that exits holding a lock whose acquisition took the fast
 * path (only the call site and the shadow call stack's depth recorded):
 * its callers are copied when the function that locked returns, and, for a
 * tg_goexit from deeper frames, when the goroutine ends. Whoever locks it
 * next is told where the exited holder acquired it: lock_and_leave()
 * called from worker(). `fixed`: it unlocks before leaving; `goexit`: it
 * leaves with tg_goexit() from inside lock_and_leave(). */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex mu;
static tg_waitgroup wg;
static int fixed, goexit;

__attribute__((noinline)) static void lock_and_leave(void) {
  tg_mutex_lock(&mu); /* LOCK_LINE */
  if (fixed)
    tg_mutex_unlock(&mu);
  if (goexit) {
    tg_waitgroup_done(&wg);
    tg_goexit();
  }
}

static void worker(void *arg) {
  (void)arg;
  for (int i = 0; i < 100; i++) { /* the next Lock takes the fast path */
    tg_mutex_lock(&mu);
    tg_mutex_unlock(&mu);
  }
  lock_and_leave(); /* CALL_LINE */
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  goexit = argc > 1 && strcmp(argv[1], "goexit") == 0;
  tg_waitgroup_add(&wg, 1);
  tg_go(worker, NULL);
  tg_waitgroup_wait(&wg);
  tg_sleep(20 * TG_MILLISECOND); /* let the goroutine finish */
  tg_mutex_lock(&mu);
  printf("locked\n");
  tg_mutex_unlock(&mu);
  return 0;
}
