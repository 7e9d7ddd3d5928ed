/* A goroutine read-locks and exits; main read-unlocks for it (Go lets it:
 * the count is shared) and is told it released a read lock held by
 * another goroutine. The exited goroutine no longer holds the lock: when
 * main's Lock then waits for another reader, no "exited holder" deadlock
 * is reported. `many`: eight readers hold the lock before it (its hold is
 * past the detector's reader slots); they read-unlock before main's Lock.
 * `fixed`: the goroutine read-unlocks itself. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_rwmutex rw;
static tg_waitgroup wg;
static tg_chan *go_on;
static atomic_int holding;
static int fixed, many;

static void other(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&rw);
  atomic_fetch_add(&holding, 1);
  tg_chan_recv(go_on, NULL);
  tg_rwmutex_runlock(&rw);
  tg_waitgroup_done(&wg);
}

static void leaver(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&rw);
  if (fixed)
    tg_rwmutex_runlock(&rw);
  tg_waitgroup_done(&wg);
}

static void slow_reader(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&rw);
  atomic_fetch_add(&holding, 1);
  tg_sleep(100 * TG_MILLISECOND);
  tg_rwmutex_runlock(&rw);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  many = argc > 1 && strcmp(argv[1], "many") == 0;
  go_on = tg_chan_make(0, 0);
  int others = many ? 8 : 0;
  tg_waitgroup_add(&wg, others + 1);
  for (int i = 0; i < others; i++) {
    tg_go(other, NULL);
    while (atomic_load(&holding) <= i)
      tg_sleep(TG_MILLISECOND);
  }
  tg_go(leaver, NULL);
  tg_sleep(20 * TG_MILLISECOND);
  tg_chan_close(go_on);
  tg_waitgroup_wait(&wg);
  tg_sleep(20 * TG_MILLISECOND); /* let them finish */
  if (!fixed)
    tg_rwmutex_runlock(&rw); /* FOREIGN_LINE */
  atomic_store(&holding, 0);
  tg_go(slow_reader, NULL);
  while (atomic_load(&holding) == 0)
    tg_sleep(TG_MILLISECOND);
  tg_rwmutex_lock(&rw);
  printf("locked\n");
  tg_rwmutex_unlock(&rw);
  return 0;
}
