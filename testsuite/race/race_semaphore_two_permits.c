/* The twin: two permits let two workers in at once. */
//! races: 1
//! env: TANGLE_MAXPROCS=1
#include "race_test.h"

static tg_sem *sem;
static int counter;
static tg_waitgroup wg;

static void worker(void *arg) {
  (void)arg;
  CHECK(tg_sem_acquire(sem, NULL, 1) == 0);
  counter++;
  tg_yield();
  tg_sem_release(sem, 1);
  tg_waitgroup_done(&wg);
}

int main(void) {
  sem = tg_sem_new(2);
  for (int i = 0; i < 2; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(worker, NULL);
  }
  tg_waitgroup_wait(&wg);
  printf("counter=%d\n", counter);
  tg_sem_free(sem);
  return 0;
}
