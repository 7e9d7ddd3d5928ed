/* TestRaceRWMutex: a writer holding only the read lock races with another
 * reader. */
//! races: 1
//! stderr: bad_writer\(\)
#include "race_test.h"

static tg_rwmutex rw;
static int shared;
static tg_waitgroup wg;

static void reader(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&rw);
  KEEP(shared);
  tg_rwmutex_runlock(&rw);
  tg_waitgroup_done(&wg);
}

static void bad_writer(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&rw);
  shared = 42;
  tg_rwmutex_runlock(&rw);
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(reader, NULL);
  tg_go(bad_writer, NULL);
  tg_waitgroup_wait(&wg);
  return 0;
}
