/* TestNoRaceRWMutex: readers under RLock, writers under Lock; RUnlock
 * happens before a later Lock, Unlock before a later RLock. */
//! races: 0
//! stdout: shared=30
#include "race_test.h"

static tg_rwmutex rw;
static int shared;
static tg_waitgroup wg;

static void reader(void *arg) {
  (void)arg;
  for (int i = 0; i < 100; i++) {
    tg_rwmutex_rlock(&rw);
    int v = shared;
    tg_rwmutex_runlock(&rw);
    (void)v;
  }
  tg_waitgroup_done(&wg);
}

static void writer(void *arg) {
  (void)arg;
  for (int i = 0; i < 10; i++) {
    tg_rwmutex_lock(&rw);
    shared++;
    tg_rwmutex_unlock(&rw);
  }
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (int i = 0; i < 3; i++) {
    tg_waitgroup_add(&wg, 2);
    tg_go(reader, NULL);
    tg_go(writer, NULL);
  }
  tg_waitgroup_wait(&wg);
  printf("shared=%d\n", shared);
  return 0;
}
