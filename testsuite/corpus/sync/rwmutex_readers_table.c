/* Seed 001_3dfe1f1bcc3944a6.txt, "Mutex and RWMutex": the readers table. A
 * producer locks and unlocks five times (sleeping 1 ns in between) while
 * `count` observers each take the lock once and release it: first as readers
 * of an RWMutex (m.RLocker()), then as writers (&m). sync.Locker is a pair of
 * function pointers here.
 *
 * The seed prints how long each test takes, up to 2^19 observers. Timings
 * are not an expected output; the port goes up to 2^12 observers, prints how
 * many observers got the lock in each test (all of them, or the test would
 * never end), and sends the timings to stderr. */
#include <stdatomic.h>
#include <stdio.h>
#include <tangle.h>

struct locker { /* sync.Locker */
  void (*lock)(tg_rwmutex *);
  void (*unlock)(tg_rwmutex *);
  tg_rwmutex *m;
};

struct test {
  tg_waitgroup wg;
  struct locker mutex, rw_mutex;
  atomic_int observed;
};

static void producer(void *arg) {
  struct test *t = arg;
  for (int i = 5; i > 0; i--) {
    t->mutex.lock(t->mutex.m);
    t->mutex.unlock(t->mutex.m);
    tg_sleep(1);
  }
  tg_waitgroup_done(&t->wg);
}

static void observer(void *arg) {
  struct test *t = arg;
  t->rw_mutex.lock(t->rw_mutex.m);
  atomic_fetch_add(&t->observed, 1);
  t->rw_mutex.unlock(t->rw_mutex.m); /* defer l.Unlock() */
  tg_waitgroup_done(&t->wg);
}

static int64_t test(int count, struct locker mutex, struct locker rw_mutex, int *observed) {
  struct test t = {.mutex = mutex, .rw_mutex = rw_mutex};
  tg_waitgroup_add(&t.wg, count + 1);
  int64_t begin_test_time = tg_now();
  tg_go(producer, &t);
  for (int i = count; i > 0; i--)
    tg_go(observer, &t);
  tg_waitgroup_wait(&t.wg);
  *observed = atomic_load(&t.observed);
  return tg_now() - begin_test_time;
}

int main(void) {
  static tg_rwmutex m;
  struct locker write_locker = {tg_rwmutex_lock, tg_rwmutex_unlock, &m};
  struct locker read_locker = {tg_rwmutex_rlock, tg_rwmutex_runlock, &m}; /* m.RLocker() */
  printf("%-10s%-10s%s\n", "Readers", "RWMutex", "Mutex");
  fprintf(stderr, "%-10s%-12s%s\n", "Readers", "RWMutex", "Mutex");
  for (int i = 0; i < 13; i++) {
    int count = 1 << i; /* math.Pow(2, float64(i)) */
    int rw_seen, mu_seen;
    int64_t rw = test(count, write_locker, read_locker, &rw_seen);
    int64_t mu = test(count, write_locker, write_locker, &mu_seen);
    printf("%-10d%-10d%d\n", count, rw_seen, mu_seen);
    fprintf(stderr, "%-10d%-12.3f%.3f ms\n", count, (double)rw / 1e6, (double)mu / 1e6);
  }
  return 0;
}
