/* tg_waitgroup: Wait on a zero counter, Wait after all Done, several
 * waiters, reuse after Wait, and the panics of misuse (negative counter,
 * reuse before the previous Wait returned). */
#include "rt.h"
#include "sema.h"
#include "sync_test_util.h"

static void test_zero_value_wait_returns_at_once(void **state) {
  (void)state;
  tg_waitgroup wg = {0};
  tg_waitgroup_wait(&wg);
  tg_waitgroup_add(&wg, 3);
  tg_waitgroup_add(&wg, -3);
  tg_waitgroup_wait(&wg); /* counter back at zero */
  assert_int_equal(wg.state_, 0);
}

static struct {
  tg_waitgroup wg;
  int finished;
} fan;

static void fan_worker(void *arg) {
  (void)arg;
  tg_yield();
  inc_int(&fan.finished);
  tg_waitgroup_done(&fan.wg);
}

/* Wait returns only after every Done: each worker counts itself before its
 * Done, so Wait must see the full count. */
static void test_wait_returns_after_all_done(void **state) {
  (void)state;
  enum { N = 1000 };
  memset(&fan, 0, sizeof fan);
  tg_waitgroup_add(&fan.wg, N);
  for (int i = 0; i < N; i++)
    tg_go(fan_worker, NULL);
  tg_waitgroup_wait(&fan.wg);
  assert_int_equal(load_int(&fan.finished), N);
  assert_int_equal(fan.wg.state_, 0);
}

/* Several goroutines wait; one Done releases them all. */
static struct {
  tg_waitgroup gate;
  tg_waitgroup finished;
  int released;
} multi;

static void multi_waiter(void *arg) {
  (void)arg;
  tg_waitgroup_wait(&multi.gate);
  inc_int(&multi.released);
  tg_waitgroup_done(&multi.finished);
}

static void test_many_waiters_released_together(void **state) {
  (void)state;
  enum { N = 10 };
  memset(&multi, 0, sizeof multi);
  tg_waitgroup_add(&multi.gate, 1);
  tg_waitgroup_add(&multi.finished, N);
  for (int i = 0; i < N; i++)
    tg_go(multi_waiter, NULL);
  WAIT_UNTIL(tg__sema_nwait(&multi.gate.sema_) == N);
  assert_int_equal((uint32_t)multi.gate.state_, N); /* waiter count */
  assert_int_equal(load_int(&multi.released), 0);
  tg_waitgroup_done(&multi.gate);
  tg_waitgroup_wait(&multi.finished);
  assert_int_equal(load_int(&multi.released), N);
  assert_int_equal(multi.gate.state_, 0);
}

/* The same WaitGroup, reused round after round once Wait has returned. */
static struct {
  tg_waitgroup wg;
  int count;
} reuse;

static void reuse_worker(void *arg) {
  (void)arg;
  inc_int(&reuse.count);
  tg_waitgroup_done(&reuse.wg);
}

static void test_reuse_after_wait(void **state) {
  (void)state;
  memset(&reuse, 0, sizeof reuse);
  for (int round = 1; round <= 200; round++) {
    tg_waitgroup_add(&reuse.wg, 4);
    for (int i = 0; i < 4; i++)
      tg_go(reuse_worker, NULL);
    tg_waitgroup_wait(&reuse.wg);
    assert_int_equal(load_int(&reuse.count), 4 * round);
  }
}

/* ---- misuse ------------------------------------------------------------ */

static void misuse_negative(void) {
  tg_waitgroup wg = {0};
  tg_waitgroup_add(&wg, 1);
  tg_waitgroup_add(&wg, -2);
}

static void misuse_done_without_add(void) {
  tg_waitgroup wg = {0};
  tg_waitgroup_done(&wg);
}

/* On one P the woken waiter cannot run before main re-Adds: it then finds
 * the group in use again. */
static tg_waitgroup reused_early;
static void reused_early_waiter(void *arg) {
  (void)arg;
  tg_waitgroup_wait(&reused_early);
}

static void misuse_reused_before_wait_returned(void) {
  tg_maxprocs(1);
  tg_waitgroup_add(&reused_early, 1);
  tg_go(reused_early_waiter, NULL);
  while (tg__sema_nwait(&reused_early.sema_) != 1)
    tg_sleep(50 * TG_MICROSECOND);
  tg_waitgroup_done(&reused_early);   /* wakes the waiter... */
  tg_waitgroup_add(&reused_early, 1); /* ...and reuses the group before it ran */
  tg_sleep(TG_SECOND);                /* the waiter runs and panics */
}

static void test_misuse_panics(void **state) {
  (void)state;
  expect_death("negative", "panic: sync: negative WaitGroup counter");
  expect_death("done_without_add", "panic: sync: negative WaitGroup counter");
  expect_death("reused_early",
               "panic: sync: WaitGroup is reused before previous Wait has returned");
}

static const struct child_scenario cases[] = {
    {"negative", misuse_negative},
    {"done_without_add", misuse_done_without_add},
    {"reused_early", misuse_reused_before_wait_returned},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  go_child_dispatch(argc, argv, cases);
  const struct CMUnitTest tests[] = {
      GO_TEST(test_zero_value_wait_returns_at_once),
      GO_TEST(test_wait_returns_after_all_done),
      GO_TEST(test_many_waiters_released_together),
      GO_TEST(test_reuse_after_wait),
      GO_TEST(test_misuse_panics),
  };
  return go_run_tests("sync_waitgroup", tests, sizeof tests / sizeof tests[0]);
}
