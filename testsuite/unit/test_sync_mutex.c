/* tg_mutex: zero value, mutual exclusion, TryLock, blocking and wake-up,
 * unlock by another goroutine, starvation mode with direct hand-off, and the
 * fatal error for unlocking an unlocked mutex. */
#include "rt.h"
#include "sema.h"
#include "sync_test_util.h"

enum { MUTEX_STARVING_BIT = 4 };

static void test_zero_value_lock_unlock(void **state) {
  (void)state;
  tg_mutex m = {0};
  tg_mutex_lock(&m);
  assert_int_not_equal(m.state_, 0);
  tg_mutex_unlock(&m);
  assert_int_equal(m.state_, 0);
  tg_mutex_lock(&m); /* usable again */
  tg_mutex_unlock(&m);
}

static void test_trylock(void **state) {
  (void)state;
  tg_mutex m = {0};
  assert_true(tg_mutex_trylock(&m));
  assert_false(tg_mutex_trylock(&m)); /* held: TryLock does not wait */
  tg_mutex_unlock(&m);
  assert_true(tg_mutex_trylock(&m));
  tg_mutex_unlock(&m);
}

/* Many goroutines increment a plain counter under the mutex; another plain
 * flag checks that no two are ever inside at once. */
#define WORKERS 8
#define ITERS   20000
static struct {
  tg_mutex mu;
  long counter;
  int inside;
  int overlaps;
  tg_waitgroup wg;
} excl;

static void excl_worker(void *arg) {
  (void)arg;
  for (int i = 0; i < ITERS; i++) {
    tg_mutex_lock(&excl.mu);
    if (inc_int(&excl.inside) != 1)
      inc_int(&excl.overlaps);
    excl.counter++;
    if (i % 64 == 0)
      tg_yield(); /* park-free, but lets others run into the held lock */
    __atomic_sub_fetch(&excl.inside, 1, __ATOMIC_SEQ_CST);
    tg_mutex_unlock(&excl.mu);
  }
  tg_waitgroup_done(&excl.wg);
}

static void test_mutual_exclusion_counter(void **state) {
  (void)state;
  memset(&excl, 0, sizeof excl);
  tg_waitgroup_add(&excl.wg, WORKERS);
  for (int i = 0; i < WORKERS; i++)
    tg_go(excl_worker, NULL);
  tg_waitgroup_wait(&excl.wg);
  assert_int_equal(excl.counter, (long)WORKERS * ITERS);
  assert_int_equal(load_int(&excl.overlaps), 0);
  assert_int_equal(excl.mu.state_, 0);
}

/* A goroutine blocked in Lock parks on the mutex's semaphore and gets the
 * lock only after Unlock. */
static struct {
  tg_mutex mu;
  int acquired;
  tg_waitgroup wg;
} blk;

static void blk_waiter(void *arg) {
  (void)arg;
  tg_mutex_lock(&blk.mu);
  store_int(&blk.acquired, 1);
  tg_mutex_unlock(&blk.mu);
  tg_waitgroup_done(&blk.wg);
}

static void test_lock_blocks_until_unlock(void **state) {
  (void)state;
  memset(&blk, 0, sizeof blk);
  tg_mutex_lock(&blk.mu);
  tg_waitgroup_add(&blk.wg, 1);
  tg_go(blk_waiter, NULL);
  WAIT_UNTIL(tg__sema_nwait(&blk.mu.sema_) == 1); /* parked */
  assert_int_equal(load_int(&blk.acquired), 0);
  tg_mutex_unlock(&blk.mu);
  tg_waitgroup_wait(&blk.wg);
  assert_int_equal(load_int(&blk.acquired), 1);
  assert_int_equal(blk.mu.state_, 0);
}

/* Go allows a mutex locked by one goroutine to be unlocked by another. */
static tg_mutex cross_mu;
static tg_chan *cross_done;
static void cross_unlocker(void *arg) {
  (void)arg;
  tg_mutex_unlock(&cross_mu);
  tg_chan_send(cross_done, &(int){1});
}

static void test_unlock_from_other_goroutine(void **state) {
  (void)state;
  cross_done = tg_chan_make(sizeof(int), 0);
  tg_mutex_lock(&cross_mu);
  tg_go(cross_unlocker, NULL);
  tg_chan_recv(cross_done, NULL);
  assert_true(tg_mutex_trylock(&cross_mu));
  tg_mutex_unlock(&cross_mu);
  tg_chan_free(cross_done);
}

/* Starvation mode, step by step on one P (so a readied goroutine runs only
 * when main parks or yields):
 *  1. main holds the lock; W waits for it, more than 1 ms;
 *  2. main unlocks (W is woken) and re-locks at once, barging ahead of W;
 *  3. W runs, fails again after having waited > 1 ms: the mutex turns
 *     starving and W queues at the front;
 *  4. main unlocks: the lock is handed to W directly; a newcomer's TryLock
 *     fails, and W, the last waiter, returns the mutex to normal mode. */
static struct {
  tg_mutex mu;
  int w_has_lock;
  tg_chan *release_w;
  tg_waitgroup wg;
} starve;

static void starve_waiter(void *arg) {
  (void)arg;
  tg_mutex_lock(&starve.mu);
  store_int(&starve.w_has_lock, 1);
  tg_chan_recv(starve.release_w, NULL); /* hold it while main looks */
  tg_mutex_unlock(&starve.mu);
  tg_waitgroup_done(&starve.wg);
}

static void test_starvation_mode_hands_off(void **state) {
  (void)state;
  int old_procs = tg_maxprocs(1);
  memset(&starve, 0, sizeof starve);
  starve.release_w = tg_chan_make(sizeof(int), 0);
  tg_waitgroup_add(&starve.wg, 1);

  tg_mutex_lock(&starve.mu);
  tg_go(starve_waiter, NULL);
  WAIT_UNTIL(tg__sema_nwait(&starve.mu.sema_) == 1);
  tg_sleep(3 * TG_MILLISECOND); /* W has now waited more than 1 ms */

  tg_mutex_unlock(&starve.mu);               /* wakes W, which cannot run yet */
  assert_true(tg_mutex_trylock(&starve.mu)); /* barge */
  assert_int_equal(starve.mu.state_ & MUTEX_STARVING_BIT, 0);

  WAIT_UNTIL(tg__sema_nwait(&starve.mu.sema_) == 1); /* W ran, failed, re-queued */
  assert_int_equal(load_int(&starve.w_has_lock), 0);
  assert_int_not_equal(starve.mu.state_ & MUTEX_STARVING_BIT, 0);

  tg_mutex_unlock(&starve.mu); /* hand-off: W runs now */
  WAIT_UNTIL(load_int(&starve.w_has_lock) == 1);
  assert_false(tg_mutex_trylock(&starve.mu)); /* W owns it */
  /* W was the last waiter: normal mode again. */
  assert_int_equal(starve.mu.state_ & MUTEX_STARVING_BIT, 0);

  tg_chan_send(starve.release_w, &(int){1});
  tg_waitgroup_wait(&starve.wg);
  assert_int_equal(starve.mu.state_, 0);
  tg_chan_free(starve.release_w);
  tg_maxprocs(old_procs);
}

/* A starving mutex with two waiters: the newcomer queues behind the starving
 * waiter, hand-offs serve them in order, and the mode lasts until the last
 * waiter (who did not starve) has it. */
static struct {
  tg_mutex mu;
  int order[2];
  int norder;
  tg_waitgroup wg;
} fair;

static void fair_locker(void *arg) {
  int id = (int)(intptr_t)arg;
  tg_mutex_lock(&fair.mu);
  fair.order[fair.norder++] = id;
  tg_mutex_unlock(&fair.mu);
  tg_waitgroup_done(&fair.wg);
}

static void test_starving_mutex_keeps_fifo_order(void **state) {
  (void)state;
  int old_procs = tg_maxprocs(1);
  memset(&fair, 0, sizeof fair);
  tg_waitgroup_add(&fair.wg, 2);
  tg_mutex_lock(&fair.mu);
  tg_go(fair_locker, (void *)(intptr_t)1);
  WAIT_UNTIL(tg__sema_nwait(&fair.mu.sema_) == 1);
  tg_sleep(3 * TG_MILLISECOND);
  tg_mutex_unlock(&fair.mu);
  tg_mutex_lock(&fair.mu); /* barge: W1 fails and turns the mutex starving */
  WAIT_UNTIL(tg__sema_nwait(&fair.mu.sema_) == 1);
  assert_int_not_equal(fair.mu.state_ & MUTEX_STARVING_BIT, 0);
  tg_go(fair_locker, (void *)(intptr_t)2); /* a newcomer queues behind W1 */
  WAIT_UNTIL(tg__sema_nwait(&fair.mu.sema_) == 2);
  tg_mutex_unlock(&fair.mu);
  tg_waitgroup_wait(&fair.wg);
  assert_int_equal(fair.norder, 2);
  assert_int_equal(fair.order[0], 1);
  assert_int_equal(fair.order[1], 2);
  assert_int_equal(fair.mu.state_, 0);
  tg_maxprocs(old_procs);
}

/* ---- misuse ------------------------------------------------------------ */

static void misuse_unlock_unlocked(void) {
  tg_mutex m = {0};
  tg_mutex_unlock(&m);
}

static void misuse_double_unlock(void) {
  tg_mutex m = {0};
  tg_mutex_lock(&m);
  tg_mutex_unlock(&m);
  tg_mutex_unlock(&m);
}

static void test_unlock_of_unlocked_is_fatal(void **state) {
  (void)state;
  expect_death("unlock_unlocked", "fatal error: sync: unlock of unlocked mutex");
  expect_death("double_unlock", "fatal error: sync: unlock of unlocked mutex");
}

static const struct child_scenario cases[] = {
    {"unlock_unlocked", misuse_unlock_unlocked},
    {"double_unlock", misuse_double_unlock},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  go_child_dispatch(argc, argv, cases);
  const struct CMUnitTest tests[] = {
      GO_TEST(test_zero_value_lock_unlock),          GO_TEST(test_trylock),
      GO_TEST(test_mutual_exclusion_counter),        GO_TEST(test_lock_blocks_until_unlock),
      GO_TEST(test_unlock_from_other_goroutine),     GO_TEST(test_starvation_mode_hands_off),
      GO_TEST(test_starving_mutex_keeps_fifo_order), GO_TEST(test_unlock_of_unlocked_is_fatal),
  };
  return go_run_tests("sync_mutex", tests, sizeof tests / sizeof tests[0]);
}
