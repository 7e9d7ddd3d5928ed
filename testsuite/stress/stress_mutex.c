/* Stress of tg_mutex under GOMAXPROCS=2, with exact invariants:
 *   counter   16 goroutines increment a plain counter under one mutex,
 *             mixing Lock and TryLock; the total is exact and no two are
 *             ever inside together;
 *   fairness  a hog re-locks the mutex in a tight loop, holding it most of
 *             the time; a second goroutine must still get it N times
 *             (starvation mode's hand-off): the test ends only if it does;
 *   shards    goroutines lock pairs of mutexes in a global order and move
 *             units between shards: the sum over shards never changes.
 * Exits 0 on success; a failed check prints its line and aborts. */
#include <tangle.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                        \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

/* ---- counter ------------------------------------------------------------- */

#define CG     16
#define CITERS 100000
static tg_mutex cmu;
static long counter;
static atomic_int inside, overlaps;
static tg_waitgroup cwg;

static void counter_worker(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = 0; i < CITERS; i++) {
    if ((i + id) % 5 != 0 || !tg_mutex_trylock(&cmu))
      tg_mutex_lock(&cmu);
    if (atomic_fetch_add(&inside, 1) != 0)
      atomic_fetch_add(&overlaps, 1);
    counter++;
    atomic_fetch_sub(&inside, 1);
    tg_mutex_unlock(&cmu);
  }
  tg_waitgroup_done(&cwg);
}

static void run_counter(void) {
  tg_waitgroup_add(&cwg, CG);
  for (int i = 0; i < CG; i++)
    tg_go(counter_worker, (void *)(intptr_t)i);
  tg_waitgroup_wait(&cwg);
  CHECK(counter == (long)CG * CITERS);
  CHECK(atomic_load(&overlaps) == 0);
  CHECK(cmu.state_ == 0);
}

/* ---- fairness ------------------------------------------------------------ */

#define FAIR_N 50
static tg_mutex fmu;
static atomic_bool fair_done;
static tg_waitgroup fwg;
static long hog_rounds;

static void busy(int n) {
  for (volatile int i = 0; i < n; i++)
    ;
}

static void hog(void *arg) {
  (void)arg;
  while (!atomic_load(&fair_done)) {
    tg_mutex_lock(&fmu);
    busy(20000); /* hold it almost all the time */
    hog_rounds++;
    tg_mutex_unlock(&fmu);
  }
  tg_waitgroup_done(&fwg);
}

static void polite(void *arg) {
  (void)arg;
  for (int i = 0; i < FAIR_N; i++) {
    tg_mutex_lock(&fmu);
    busy(1000);
    tg_mutex_unlock(&fmu);
    tg_sleep(100 * TG_MICROSECOND);
  }
  atomic_store(&fair_done, true);
  tg_waitgroup_done(&fwg);
}

static void run_fairness(void) {
  tg_waitgroup_add(&fwg, 3);
  tg_go(hog, NULL);
  tg_go(hog, NULL);
  tg_go(polite, NULL);
  tg_waitgroup_wait(&fwg);
  CHECK(hog_rounds > 0);
  CHECK(fmu.state_ == 0);
}

/* ---- shards -------------------------------------------------------------- */

#define SHARDS 8
#define SG     12
#define SITERS 50000
static struct {
  tg_mutex mu;
  long units;
} shard[SHARDS];
static tg_waitgroup swg;

static void mover(void *arg) {
  uint32_t x = (uint32_t)(intptr_t)arg * 2654435761u + 1;
  for (int i = 0; i < SITERS; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    int a = x % SHARDS, b = (x / SHARDS) % SHARDS;
    if (a == b)
      continue;
    int lo = a < b ? a : b, hi = a < b ? b : a;
    tg_mutex_lock(&shard[lo].mu);
    tg_mutex_lock(&shard[hi].mu);
    long amount = (long)(x % 7);
    shard[a].units -= amount;
    shard[b].units += amount;
    tg_mutex_unlock(&shard[hi].mu);
    tg_mutex_unlock(&shard[lo].mu);
  }
  tg_waitgroup_done(&swg);
}

static void run_shards(void) {
  for (int i = 0; i < SHARDS; i++)
    shard[i].units = 1000;
  tg_waitgroup_add(&swg, SG);
  for (int i = 0; i < SG; i++)
    tg_go(mover, (void *)(intptr_t)(i + 1));
  tg_waitgroup_wait(&swg);
  long sum = 0;
  for (int i = 0; i < SHARDS; i++) {
    sum += shard[i].units;
    CHECK(shard[i].mu.state_ == 0);
  }
  CHECK(sum == 1000L * SHARDS);
}

int main(void) {
  tg_maxprocs(2);
  run_counter();
  run_fairness();
  run_shards();
  printf("stress_mutex: ok (counter %ld, hog rounds %ld)\n", counter, hog_rounds);
  return 0;
}
