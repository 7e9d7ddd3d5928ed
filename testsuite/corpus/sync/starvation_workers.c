/* Seed 001_3dfe1f1bcc3944a6.txt, "starvation": a greedy worker holds the
 * shared lock for its whole 3 ns unit of work; a polite worker takes it three
 * times, 1 ns each. Both run for the same wall time (1 s in the seed, 200 ms
 * here); the greedy one gets more loops done. The counts depend on the
 * machine, and who reports first too, so the expectation checks the shape. */
#include <stdio.h>
#include <tangle.h>

static tg_waitgroup wg;
static tg_mutex shared_lock;
static const int64_t runtime_ns = 200 * TG_MILLISECOND;

static void greedy_worker(void *arg) {
  (void)arg;
  long count = 0;
  for (int64_t begin = tg_now(); tg_now() - begin <= runtime_ns;) {
    tg_mutex_lock(&shared_lock);
    tg_sleep(3 * TG_NANOSECOND);
    tg_mutex_unlock(&shared_lock);
    count++;
  }
  printf("Greedy worker was able to execute %ld work loops\n", count);
  tg_waitgroup_done(&wg);
}

static void polite_worker(void *arg) {
  (void)arg;
  long count = 0;
  for (int64_t begin = tg_now(); tg_now() - begin <= runtime_ns;) {
    for (int i = 0; i < 3; i++) {
      tg_mutex_lock(&shared_lock);
      tg_sleep(1 * TG_NANOSECOND);
      tg_mutex_unlock(&shared_lock);
    }
    count++;
  }
  printf("Polite worker was able to execute %ld work loops.\n", count);
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(greedy_worker, NULL);
  tg_go(polite_worker, NULL);
  tg_waitgroup_wait(&wg);
  return 0;
}
