/* tg_sem (x/sync/semaphore): Acquire/TryAcquire/Release accounting, FIFO
 * grants, a large request not starved by small ones, context cancellation
 * and deadlines leaving the count unchanged, a canceled front waiter letting
 * the ones behind in, requests larger than the semaphore, and the panic on
 * releasing more than held. */
#include "rt.h"
#include "sema.h"
#include "sync_test_util.h"

static void test_acquire_release_accounting(void **state) {
  (void)state;
  tg_sem *s = tg_sem_new(10);
  assert_int_equal(tg_sem_acquire(s, NULL, 3), 0);
  assert_int_equal(tg_sem_acquire(s, tg_background(), 7), 0);
  assert_false(tg_sem_try_acquire(s, 1));
  tg_sem_release(s, 4);
  assert_true(tg_sem_try_acquire(s, 4));
  assert_false(tg_sem_try_acquire(s, 1));
  tg_sem_release(s, 10);
  assert_true(tg_sem_try_acquire(s, 10)); /* exactly the full count is back */
  tg_sem_release(s, 10);
  assert_true(tg_sem_try_acquire(s, 0));
  tg_sem_free(s);
}

/* Waiters record the order in which they were granted. */
static struct {
  tg_sem *s;
  tg_mutex mu;
  int order[8];
  int norder;
  int results[8];
  tg_waitgroup wg;
} w;

struct req {
  int id;
  int64_t n;
  tg_ctx *ctx;
  bool hold; /* keep it (true) or release right away */
};

static void waiter(void *arg) {
  struct req *r = arg;
  int err = tg_sem_acquire(w.s, r->ctx, r->n);
  w.results[r->id] = err;
  if (err == 0) {
    tg_mutex_lock(&w.mu);
    w.order[w.norder++] = r->id;
    tg_mutex_unlock(&w.mu);
    if (!r->hold)
      tg_sem_release(w.s, r->n);
  }
  tg_waitgroup_done(&w.wg);
}

static int granted(void) {
  tg_mutex_lock(&w.mu);
  int n = w.norder;
  tg_mutex_unlock(&w.mu);
  return n;
}

static void start(struct req *r) {
  int before = tg__sem_nwaiters(w.s);
  tg_waitgroup_add(&w.wg, 1);
  tg_go(waiter, r);
  WAIT_UNTIL(tg__sem_nwaiters(w.s) == before + 1); /* queued, in this order */
}

static void w_reset(int64_t size) {
  memset(&w, 0, sizeof w);
  for (int i = 0; i < 8; i++)
    w.results[i] = -1;
  w.s = tg_sem_new(size);
}

static void test_fifo_order(void **state) {
  (void)state;
  w_reset(1);
  assert_int_equal(tg_sem_acquire(w.s, NULL, 1), 0);
  struct req r[4];
  for (int i = 0; i < 4; i++) {
    r[i] = (struct req){.id = i, .n = 1};
    start(&r[i]);
  }
  tg_sem_release(w.s, 1);
  tg_waitgroup_wait(&w.wg);
  assert_int_equal(w.norder, 4);
  for (int i = 0; i < 4; i++)
    assert_int_equal(w.order[i], i);
  assert_true(tg_sem_try_acquire(w.s, 1));
  tg_sem_release(w.s, 1);
  tg_sem_free(w.s);
}

/* size 10, 5 held: a request for 10 queues; a request for 1 behind it would
 * fit but must wait; TryAcquire too. */
static void test_big_request_not_starved(void **state) {
  (void)state;
  w_reset(10);
  assert_int_equal(tg_sem_acquire(w.s, NULL, 5), 0);
  struct req big = {.id = 0, .n = 10, .hold = true};
  struct req small = {.id = 1, .n = 1};
  start(&big);
  assert_false(tg_sem_try_acquire(w.s, 1)); /* 5 free, but someone waits */
  start(&small);
  tg_sleep(TG_MILLISECOND);
  assert_int_equal(granted(), 0);
  tg_sem_release(w.s, 5);
  WAIT_UNTIL(granted() == 1);
  assert_int_equal(w.order[0], 0); /* the big one */
  assert_int_equal(tg__sem_nwaiters(w.s), 1);
  tg_sem_release(w.s, 10); /* big's */
  tg_waitgroup_wait(&w.wg);
  assert_int_equal(w.order[1], 1);
  assert_true(tg_sem_try_acquire(w.s, 10));
  tg_sem_release(w.s, 10);
  tg_sem_free(w.s);
}

/* A waiter whose context is canceled returns its error; the count is as
 * before. */
static void test_cancel_leaves_count_unchanged(void **state) {
  (void)state;
  w_reset(2);
  assert_int_equal(tg_sem_acquire(w.s, NULL, 2), 0);
  tg_ctx *ctx = tg_with_cancel(tg_background());
  struct req r = {.id = 0, .n = 1, .ctx = ctx, .hold = true};
  start(&r);
  tg_cancel(ctx);
  tg_waitgroup_wait(&w.wg);
  assert_int_equal(w.results[0], TG_CANCELED);
  assert_int_equal(tg__sem_nwaiters(w.s), 0);
  assert_false(tg_sem_try_acquire(w.s, 1)); /* still 2 held by main */
  tg_sem_release(w.s, 2);
  assert_true(tg_sem_try_acquire(w.s, 2)); /* and nothing more */
  tg_sem_release(w.s, 2);
  tg_ctx_release(ctx);
  tg_sem_free(w.s);
}

static void test_deadline_returns_deadline_exceeded(void **state) {
  (void)state;
  w_reset(1);
  assert_int_equal(tg_sem_acquire(w.s, NULL, 1), 0);
  tg_ctx *ctx = tg_with_timeout(tg_background(), 2 * TG_MILLISECOND);
  assert_int_equal(tg_sem_acquire(w.s, ctx, 1), TG_DEADLINE_EXCEEDED);
  assert_int_equal(tg__sem_nwaiters(w.s), 0);
  tg_sem_release(w.s, 1);
  assert_true(tg_sem_try_acquire(w.s, 1));
  tg_sem_release(w.s, 1);
  tg_ctx_release(ctx);
  tg_sem_free(w.s);
}

/* A context already done wins even when the semaphore is free. */
static void test_done_context_fails_fast(void **state) {
  (void)state;
  tg_sem *s = tg_sem_new(5);
  tg_ctx *ctx = tg_with_cancel(tg_background());
  tg_cancel(ctx);
  assert_int_equal(tg_sem_acquire(s, ctx, 1), TG_CANCELED);
  assert_true(tg_sem_try_acquire(s, 5));
  tg_sem_release(s, 5);
  tg_ctx_release(ctx);
  tg_sem_free(s);
}

/* The big request at the front gives up: the small one behind it fits and
 * is granted at once. */
static void test_canceled_front_lets_others_in(void **state) {
  (void)state;
  w_reset(10);
  assert_int_equal(tg_sem_acquire(w.s, NULL, 5), 0);
  tg_ctx *ctx = tg_with_cancel(tg_background());
  struct req big = {.id = 0, .n = 10, .ctx = ctx};
  struct req small = {.id = 1, .n = 1, .hold = true};
  start(&big);
  start(&small);
  assert_int_equal(granted(), 0);
  tg_cancel(ctx);
  tg_waitgroup_wait(&w.wg);
  assert_int_equal(w.results[0], TG_CANCELED);
  assert_int_equal(w.results[1], 0);
  assert_int_equal(w.norder, 1);
  assert_int_equal(w.order[0], 1);
  assert_true(tg_sem_try_acquire(w.s, 4)); /* 5 + 1 held, 4 left */
  assert_false(tg_sem_try_acquire(w.s, 1));
  tg_sem_release(w.s, 10);
  tg_ctx_release(ctx);
  tg_sem_free(w.s);
}

/* More than the semaphore can ever hold: does not queue (others go on), and
 * returns the context's error when it ends. */
static void test_request_larger_than_size(void **state) {
  (void)state;
  w_reset(3);
  tg_ctx *ctx = tg_with_cancel(tg_background());
  struct req huge = {.id = 0, .n = 4, .ctx = ctx};
  tg_waitgroup_add(&w.wg, 1);
  tg_go(waiter, &huge);
  tg_sleep(TG_MILLISECOND);
  assert_int_equal(tg__sem_nwaiters(w.s), 0);
  assert_true(tg_sem_try_acquire(w.s, 3)); /* not blocked by the huge one */
  tg_sem_release(w.s, 3);
  tg_cancel(ctx);
  tg_waitgroup_wait(&w.wg);
  assert_int_equal(w.results[0], TG_CANCELED);
  tg_ctx_release(ctx);
  tg_sem_free(w.s);
}

/* ---- misuse ------------------------------------------------------------ */

static void misuse_release_more(void) {
  tg_sem *s = tg_sem_new(2);
  tg_sem_acquire(s, NULL, 1);
  tg_sem_release(s, 2);
}

static void misuse_release_unheld(void) {
  tg_sem *s = tg_sem_new(2);
  tg_sem_release(s, 1);
}

static void test_release_more_than_held_panics(void **state) {
  (void)state;
  expect_death("release_more", "panic: semaphore: released more than held");
  expect_death("release_unheld", "panic: semaphore: released more than held");
}

static const struct child_scenario cases[] = {
    {"release_more", misuse_release_more},
    {"release_unheld", misuse_release_unheld},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  go_child_dispatch(argc, argv, cases);
  const struct CMUnitTest tests[] = {
      GO_TEST(test_acquire_release_accounting),
      GO_TEST(test_fifo_order),
      GO_TEST(test_big_request_not_starved),
      GO_TEST(test_cancel_leaves_count_unchanged),
      GO_TEST(test_deadline_returns_deadline_exceeded),
      GO_TEST(test_done_context_fails_fast),
      GO_TEST(test_canceled_front_lets_others_in),
      GO_TEST(test_request_larger_than_size),
      GO_TEST(test_release_more_than_held_panics),
  };
  return go_run_tests("semaphore", tests, sizeof tests / sizeof tests[0]);
}
