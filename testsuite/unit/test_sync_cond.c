/* tg_cond: Wait unlocks and relocks, Signal wakes the longest waiter (in
 * ticket order), Broadcast wakes all, a Signal with nobody waiting is not
 * remembered, and a producer/consumer queue with Wait in a loop. */
#include "rt.h"
#include "sync_test_util.h"

static struct {
  tg_mutex mu;
  tg_cond cond;
  int woken[16];
  int nwoken;
  bool ready;
  tg_waitgroup wg;
} cs;

static void cs_reset(void) {
  memset(&cs, 0, sizeof cs);
  tg_cond_init(&cs.cond, &cs.mu);
}

/* Waits once (no predicate) and records its id, holding the mutex. */
static void once_waiter(void *arg) {
  int id = (int)(intptr_t)arg;
  tg_mutex_lock(&cs.mu);
  tg_cond_wait(&cs.cond);
  cs.woken[cs.nwoken++] = id;
  tg_mutex_unlock(&cs.mu);
  tg_waitgroup_done(&cs.wg);
}

static int nwoken(void) {
  tg_mutex_lock(&cs.mu);
  int n = cs.nwoken;
  tg_mutex_unlock(&cs.mu);
  return n;
}

/* Tickets taken so far, i.e. goroutines that called Wait. */
static uint32_t tickets(void) {
  tg_mutex_lock(&cs.mu);
  uint32_t t = cs.cond.wait_;
  tg_mutex_unlock(&cs.mu);
  return t;
}

static void test_signal_wakes_longest_waiter(void **state) {
  (void)state;
  enum { N = 4 };
  cs_reset();
  tg_waitgroup_add(&cs.wg, N);
  for (int i = 0; i < N; i++) {
    tg_go(once_waiter, (void *)(intptr_t)(i + 1));
    WAIT_UNTIL(tickets() == (uint32_t)(i + 1)); /* i+1 is waiting before i+2 starts */
  }
  for (int i = 0; i < N; i++) {
    tg_cond_signal(&cs.cond);
    WAIT_UNTIL(nwoken() == i + 1);
    tg_sleep(200 * TG_MICROSECOND);
    assert_int_equal(nwoken(), i + 1); /* one Signal wakes exactly one */
    assert_int_equal(cs.woken[i], i + 1);
  }
  tg_waitgroup_wait(&cs.wg);
}

static void test_broadcast_wakes_all(void **state) {
  (void)state;
  enum { N = 8 };
  cs_reset();
  tg_waitgroup_add(&cs.wg, N);
  for (int i = 0; i < N; i++)
    tg_go(once_waiter, (void *)(intptr_t)(i + 1));
  WAIT_UNTIL(tickets() == N);
  assert_int_equal(nwoken(), 0);
  tg_cond_broadcast(&cs.cond);
  tg_waitgroup_wait(&cs.wg);
  assert_int_equal(nwoken(), N);
  int seen = 0;
  for (int i = 0; i < N; i++)
    seen |= 1 << cs.woken[i];
  assert_int_equal(seen, ((1 << N) - 1) << 1);
}

/* A Signal before anyone waits wakes nobody later. */
static void test_signal_without_waiters_is_lost(void **state) {
  (void)state;
  cs_reset();
  tg_cond_signal(&cs.cond);
  tg_cond_broadcast(&cs.cond);
  tg_waitgroup_add(&cs.wg, 1);
  tg_go(once_waiter, (void *)(intptr_t)7);
  WAIT_UNTIL(tickets() == 1);
  tg_sleep(TG_MILLISECOND);
  assert_int_equal(nwoken(), 0); /* still waiting */
  tg_cond_signal(&cs.cond);
  tg_waitgroup_wait(&cs.wg);
  assert_int_equal(cs.woken[0], 7);
}

/* Wait releases the mutex while waiting and holds it again on return. */
static void relock_waiter(void *arg) {
  (void)arg;
  tg_mutex_lock(&cs.mu);
  while (!cs.ready)
    tg_cond_wait(&cs.cond);
  cs.nwoken = tg_mutex_trylock(&cs.mu) ? -1 : 1; /* -1: Wait returned unlocked */
  tg_mutex_unlock(&cs.mu);
  tg_waitgroup_done(&cs.wg);
}

static void test_wait_unlocks_and_relocks(void **state) {
  (void)state;
  cs_reset();
  tg_waitgroup_add(&cs.wg, 1);
  tg_go(relock_waiter, NULL);
  WAIT_UNTIL(tickets() == 1);
  tg_mutex_lock(&cs.mu); /* possible only because Wait unlocked it */
  cs.ready = true;
  tg_cond_signal(&cs.cond);
  tg_mutex_unlock(&cs.mu);
  tg_waitgroup_wait(&cs.wg);
  assert_int_equal(cs.nwoken, 1);
}

/* A bounded queue with two conds, Wait in a loop: every item produced is
 * consumed exactly once. */
#define QCAP         4
#define PRODUCERS    3
#define CONSUMERS    3
#define PER_PRODUCER 3000
static struct {
  tg_mutex mu;
  tg_cond not_full, not_empty;
  int buf[QCAP];
  int head, count;
  int produced_done;
  long sum;
  int consumed;
  tg_waitgroup wg;
} q;

static void q_producer(void *arg) {
  int base = (int)(intptr_t)arg;
  for (int i = 1; i <= PER_PRODUCER; i++) {
    tg_mutex_lock(&q.mu);
    while (q.count == QCAP)
      tg_cond_wait(&q.not_full);
    q.buf[(q.head + q.count) % QCAP] = base + i;
    q.count++;
    tg_cond_signal(&q.not_empty);
    tg_mutex_unlock(&q.mu);
  }
  tg_mutex_lock(&q.mu);
  q.produced_done++;
  tg_cond_broadcast(&q.not_empty);
  tg_mutex_unlock(&q.mu);
  tg_waitgroup_done(&q.wg);
}

static void q_consumer(void *arg) {
  (void)arg;
  tg_mutex_lock(&q.mu);
  for (;;) {
    while (q.count == 0 && q.produced_done < PRODUCERS)
      tg_cond_wait(&q.not_empty);
    if (q.count == 0)
      break;
    q.sum += q.buf[q.head];
    q.head = (q.head + 1) % QCAP;
    q.count--;
    q.consumed++;
    tg_cond_signal(&q.not_full);
  }
  tg_mutex_unlock(&q.mu);
  tg_waitgroup_done(&q.wg);
}

static void test_producer_consumer(void **state) {
  (void)state;
  memset(&q, 0, sizeof q);
  tg_cond_init(&q.not_full, &q.mu);
  q.not_empty = (tg_cond)TG_COND_INIT(&q.mu);
  tg_waitgroup_add(&q.wg, PRODUCERS + CONSUMERS);
  long expect = 0;
  for (int p = 0; p < PRODUCERS; p++) {
    tg_go(q_producer, (void *)(intptr_t)(p * 100000));
    for (int i = 1; i <= PER_PRODUCER; i++)
      expect += p * 100000 + i;
  }
  for (int c = 0; c < CONSUMERS; c++)
    tg_go(q_consumer, NULL);
  tg_waitgroup_wait(&q.wg);
  assert_int_equal(q.consumed, PRODUCERS * PER_PRODUCER);
  assert_int_equal(q.sum, expect);
  assert_int_equal(q.count, 0);
}

/* ---- misuse ------------------------------------------------------------ */

static void misuse_wait_without_mutex(void) {
  tg_cond c = {0};
  tg_cond_wait(&c);
}

static void test_wait_without_mutex_panics(void **state) {
  (void)state;
  expect_death("no_mutex", "panic: sync: Cond used without a mutex");
}

static const struct child_scenario cases[] = {
    {"no_mutex", misuse_wait_without_mutex},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  go_child_dispatch(argc, argv, cases);
  const struct CMUnitTest tests[] = {
      GO_TEST(test_signal_wakes_longest_waiter),
      GO_TEST(test_broadcast_wakes_all),
      GO_TEST(test_signal_without_waiters_is_lost),
      GO_TEST(test_wait_unlocks_and_relocks),
      GO_TEST(test_producer_consumer),
      GO_TEST(test_wait_without_mutex_panics),
  };
  return go_run_tests("sync_cond", tests, sizeof tests / sizeof tests[0]);
}
