/* Stress of tg_cond under GOMAXPROCS=2, with exact invariants:
 *   queue    producers and consumers on a small bounded queue guarded by a
 *            mutex and two conds (Signal on each change, Wait in a loop):
 *            every item is consumed exactly once (count and sum exact);
 *   barrier  goroutines meet at a Broadcast barrier round after round: no
 *            goroutine ever runs ahead of the others' round.
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

/* ---- queue ---------------------------------------------------------------- */

#define QCAP         8
#define PRODUCERS    6
#define CONSUMERS    6
#define PER_PRODUCER 200000

static struct {
  tg_mutex mu;
  tg_cond not_full, not_empty;
  long buf[QCAP];
  int head, count;
  int producers_left;
  long consumed, sum;
  int seen_over_cap;
} q;
static tg_waitgroup qwg;

static void producer(void *arg) {
  long base = (long)(intptr_t)arg * 1000000;
  for (long i = 1; i <= PER_PRODUCER; i++) {
    tg_mutex_lock(&q.mu);
    while (q.count == QCAP)
      tg_cond_wait(&q.not_full);
    q.buf[(q.head + q.count) % QCAP] = base + i;
    q.count++;
    tg_cond_signal(&q.not_empty);
    tg_mutex_unlock(&q.mu);
  }
  tg_mutex_lock(&q.mu);
  q.producers_left--;
  tg_cond_broadcast(&q.not_empty);
  tg_mutex_unlock(&q.mu);
  tg_waitgroup_done(&qwg);
}

static void consumer(void *arg) {
  (void)arg;
  tg_mutex_lock(&q.mu);
  for (;;) {
    while (q.count == 0 && q.producers_left > 0)
      tg_cond_wait(&q.not_empty);
    if (q.count == 0)
      break;
    if (q.count > QCAP)
      q.seen_over_cap++;
    q.sum += q.buf[q.head];
    q.head = (q.head + 1) % QCAP;
    q.count--;
    q.consumed++;
    tg_cond_signal(&q.not_full);
    if (q.consumed % 64 == 0) { /* let others at the lock */
      tg_mutex_unlock(&q.mu);
      tg_yield();
      tg_mutex_lock(&q.mu);
    }
  }
  tg_mutex_unlock(&q.mu);
  tg_waitgroup_done(&qwg);
}

static void run_queue(void) {
  tg_cond_init(&q.not_full, &q.mu);
  tg_cond_init(&q.not_empty, &q.mu);
  q.producers_left = PRODUCERS;
  long expect = 0;
  tg_waitgroup_add(&qwg, PRODUCERS + CONSUMERS);
  for (int c = 0; c < CONSUMERS; c++)
    tg_go(consumer, NULL);
  for (int p = 0; p < PRODUCERS; p++) {
    tg_go(producer, (void *)(intptr_t)p);
    for (long i = 1; i <= PER_PRODUCER; i++)
      expect += p * 1000000L + i;
  }
  tg_waitgroup_wait(&qwg);
  CHECK(q.consumed == (long)PRODUCERS * PER_PRODUCER);
  CHECK(q.sum == expect);
  CHECK(q.count == 0);
  CHECK(q.seen_over_cap == 0);
}

/* ---- barrier -------------------------------------------------------------- */

#define BG     10
#define ROUNDS 20000
static struct {
  tg_mutex mu;
  tg_cond cond;
  int arrived;
  int round;
} bar;
static atomic_int progress[BG];
static atomic_int ahead;
static tg_waitgroup bwg;

static void barrier_wait(void) {
  tg_mutex_lock(&bar.mu);
  int my_round = bar.round;
  if (++bar.arrived == BG) {
    bar.arrived = 0;
    bar.round++;
    tg_cond_broadcast(&bar.cond);
  } else {
    while (bar.round == my_round)
      tg_cond_wait(&bar.cond);
  }
  tg_mutex_unlock(&bar.mu);
}

static void barrier_worker(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int r = 0; r < ROUNDS; r++) {
    atomic_store(&progress[id], r + 1);
    /* Nobody may still be in an earlier round than r once we pass r's
     * barrier: check after it. */
    barrier_wait();
    for (int k = 0; k < BG; k++)
      if (atomic_load(&progress[k]) < r + 1)
        atomic_fetch_add(&ahead, 1);
  }
  tg_waitgroup_done(&bwg);
}

static void run_barrier(void) {
  tg_cond_init(&bar.cond, &bar.mu);
  tg_waitgroup_add(&bwg, BG);
  for (int i = 0; i < BG; i++)
    tg_go(barrier_worker, (void *)(intptr_t)i);
  tg_waitgroup_wait(&bwg);
  CHECK(atomic_load(&ahead) == 0);
  CHECK(bar.round == ROUNDS);
}

int main(void) {
  tg_maxprocs(2);
  run_queue();
  run_barrier();
  printf("stress_cond: ok (%ld items, %d barrier rounds)\n", q.consumed, bar.round);
  return 0;
}
