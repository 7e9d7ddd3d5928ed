/* Seed 001, "starvation": the greedy worker holds the shared lock for its
 * whole work unit, the polite one takes it three times per unit, for a
 * third of it each time. Both loop for the same time. (The seed's 3 ns and
 * 1 ns sleeps are 300 us and 100 us here: a nanosecond sleep is a few
 * microseconds of timer, and waits that short are spent spinning.) The race build
 * reports the goroutine that spent more than half its life waiting for the
 * lock, with the others' hold times and acquisition counts, so the reader
 * sees who hogs it (lock_stat's figures). `fixed`: both take the lock only
 * around the shared update and sleep outside it: nobody starves. Scaled
 * to 600 ms and starvation_ms=100. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

#define RUNTIME (600 * TG_MILLISECOND)

static tg_waitgroup wg;
static tg_mutex shared_lock;
static int fixed;
static long shared;

static void greedy_worker(void *arg) {
  (void)arg;
  long count = 0;
  for (int64_t begin = tg_now(); tg_now() - begin <= RUNTIME;) {
    tg_mutex_lock(&shared_lock);
    if (!fixed)
      tg_sleep(300 * TG_MICROSECOND);
    shared++;
    tg_mutex_unlock(&shared_lock);
    if (fixed)
      tg_sleep(300 * TG_MICROSECOND);
    count++;
  }
  printf("Greedy worker was able to execute %s work loops\n", count > 0 ? "some" : "no");
  tg_waitgroup_done(&wg);
}

static void polite_worker(void *arg) {
  (void)arg;
  long count = 0;
  for (int64_t begin = tg_now(); tg_now() - begin <= RUNTIME;) {
    for (int i = 0; i < 3; i++) {
      tg_mutex_lock(&shared_lock);
      if (!fixed)
        tg_sleep(100 * TG_MICROSECOND);
      shared++;
      tg_mutex_unlock(&shared_lock);
      if (fixed)
        tg_sleep(100 * TG_MICROSECOND);
    }
    count++;
  }
  printf("Polite worker was able to execute %s work loops.\n", count > 0 ? "some" : "no");
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_waitgroup_add(&wg, 2);
  tg_go(greedy_worker, NULL);
  tg_go(polite_worker, NULL);
  tg_waitgroup_wait(&wg);
  return 0;
}
