/* select: random choice among ready cases, default, timeouts, nil and
 * closed channels, duplicate channels, many cases, contention. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <tangle.h>

#include "child.h"

static void test_default_when_nothing_ready(void **state) {
  (void)state;
  tg_chan *a = tg_chan_make(sizeof(int), 0);
  int v;
  tg_case cs[] = {TG_RECV(a, &v, NULL), TG_SEND(a, &(int){1})};
  assert_int_equal(tg_select_nb(cs, 2), -1);
  assert_int_equal(tg_select_nb(NULL, 0), -1);
  tg_chan_free(a);
}

static void test_ready_case_chosen_nonblocking(void **state) {
  (void)state;
  tg_chan *a = tg_chan_make(sizeof(int), 1);
  tg_chan *b = tg_chan_make(sizeof(int), 1);
  tg_chan_send(b, &(int){42});
  int va = 0, vb = 0;
  bool ok = false;
  tg_case cs[] = {TG_RECV(a, &va, NULL), TG_RECV(b, &vb, &ok)};
  assert_int_equal(tg_select_nb(cs, 2), 1);
  assert_int_equal(vb, 42);
  assert_true(ok);
  tg_case sends[] = {TG_SEND(a, &(int){5})};
  assert_int_equal(tg_select_nb(sends, 1), 0);
  assert_true(tg_chan_recv(a, &va));
  assert_int_equal(va, 5);
  tg_chan_free(a);
  tg_chan_free(b);
}

/* Both ready: each must be chosen a fair share of the time. */
static void test_uniform_random_choice(void **state) {
  (void)state;
  tg_chan *a = tg_chan_make(0, 1);
  tg_chan *b = tg_chan_make(0, 1);
  int hits[2] = {0, 0};
  const int n = 4000;
  for (int i = 0; i < n; i++) {
    tg_chan_send(a, NULL);
    tg_chan_send(b, NULL);
    tg_case cs[] = {TG_RECV(a, NULL, NULL), TG_RECV(b, NULL, NULL)};
    int r = tg_select(cs, 2);
    hits[r]++;
    /* drain the other */
    tg_chan_recv(r == 0 ? b : a, NULL);
  }
  /* Binomial(4000, 0.5): 40% is more than 12 standard deviations away. */
  assert_true(hits[0] > n * 4 / 10);
  assert_true(hits[1] > n * 4 / 10);
}

static void test_after_fires(void **state) {
  (void)state;
  tg_chan *never = tg_chan_make(sizeof(int), 0);
  int v;
  int64_t t0 = tg_now();
  tg_case cs[] = {TG_RECV(never, &v, NULL), TG_AFTER(15 * TG_MILLISECOND)};
  assert_int_equal(tg_select(cs, 2), 1);
  assert_true(tg_now() - t0 >= 15 * TG_MILLISECOND);
  /* TG_AFTER(0) is ready at once; the earliest of several wins. */
  tg_case cs2[] = {TG_AFTER(10 * TG_SECOND), TG_AFTER(0), TG_RECV(never, &v, NULL)};
  assert_int_equal(tg_select(cs2, 3), 1);
  tg_case cs3[] = {TG_AFTER(10 * TG_SECOND), TG_AFTER(5 * TG_MILLISECOND)};
  assert_int_equal(tg_select(cs3, 2), 1);
  tg_chan_free(never);
}

static void delayed_send(void *arg) {
  tg_sleep(5 * TG_MILLISECOND);
  tg_chan_send(arg, &(int){77});
}

static void test_channel_beats_timeout(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  tg_go(delayed_send, c);
  int v = 0;
  tg_case cs[] = {TG_RECV(c, &v, NULL), TG_AFTER(10 * TG_SECOND)};
  assert_int_equal(tg_select(cs, 2), 0);
  assert_int_equal(v, 77);
  /* The select's timer must not fire into a later sleep. */
  int64_t t0 = tg_now();
  tg_sleep(20 * TG_MILLISECOND);
  assert_true(tg_now() - t0 >= 20 * TG_MILLISECOND);
  tg_chan_free(c);
}

static void test_nil_and_closed_cases(void **state) {
  (void)state;
  tg_chan *closed = tg_chan_make(sizeof(int), 0);
  tg_chan_close(closed);
  int v = 5;
  bool ok = true;
  tg_case cs[] = {TG_RECV(NULL, &v, NULL), TG_SEND(NULL, &v), TG_RECV(closed, &v, &ok)};
  assert_int_equal(tg_select(cs, 3), 2);
  assert_false(ok);
  assert_int_equal(v, 0);
  tg_case only_nil[] = {TG_RECV(NULL, &v, NULL), TG_AFTER(TG_MILLISECOND)};
  assert_int_equal(tg_select(only_nil, 2), 1);
  tg_chan_free(closed);
}

/* The same channel in several cases: locked once, either case may fire. */
static void test_duplicate_channels(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  tg_go(delayed_send, c);
  int v1 = 0, v2 = 0;
  tg_case cs[] = {TG_RECV(c, &v1, NULL), TG_RECV(c, &v2, NULL), TG_RECV(c, &v1, NULL)};
  int r = tg_select(cs, 3);
  assert_true(r >= 0 && r <= 2);
  assert_int_equal(r == 1 ? v2 : v1, 77);
  /* send and receive on the same channel in one select: no deadlock with
   * itself, and a second goroutine completes one of them. */
  tg_chan *d = tg_chan_make(sizeof(int), 0);
  tg_go(delayed_send, d);
  int got = 0;
  tg_case mixed[] = {TG_SEND(d, &(int){1}), TG_RECV(d, &got, NULL)};
  assert_int_equal(tg_select(mixed, 2), 1);
  assert_int_equal(got, 77);
  tg_chan_free(c);
  tg_chan_free(d);
}

static void send_to_index(void *arg) {
  tg_chan **cs = arg;
  tg_sleep(2 * TG_MILLISECOND);
  tg_chan_send(cs[37], &(int){37});
}

static void test_many_cases(void **state) {
  (void)state;
  enum { N = 100 };
  static tg_chan *cs[N];
  tg_case cases[N];
  int vals[N];
  for (int i = 0; i < N; i++) {
    cs[i] = tg_chan_make(sizeof(int), 0);
    cases[i] = TG_RECV(cs[i], &vals[i], NULL);
  }
  tg_go(send_to_index, cs);
  assert_int_equal(tg_select(cases, N), 37);
  assert_int_equal(vals[37], 37);
  for (int i = 0; i < N; i++)
    tg_chan_free(cs[i]);
}

/* Two goroutines select over the same channels in opposite orders while
 * others feed them: address-ordered locking means no deadlock, and every
 * value arrives exactly once. */
#define FEED 20000
static tg_chan *x, *y, *results;

static void feeder(void *arg) {
  tg_chan *c = arg;
  for (int i = 0; i < FEED; i++)
    tg_chan_send(c, &i);
}

static void selector(void *arg) {
  bool reverse = arg != NULL;
  long count = 0;
  for (;;) {
    int v;
    bool ok;
    tg_case cs[3];
    cs[reverse ? 1 : 0] = TG_RECV(x, &v, &ok);
    cs[reverse ? 0 : 1] = TG_RECV(y, &v, &ok);
    cs[2] = TG_AFTER(200 * TG_MILLISECOND);
    int r = tg_select(cs, 3);
    if (r == 2)
      break;
    count++;
  }
  tg_chan_send(results, &count);
}

static void test_opposite_orders_under_contention(void **state) {
  (void)state;
  int old = tg_maxprocs(2);
  x = tg_chan_make(sizeof(int), 0);
  y = tg_chan_make(sizeof(int), 3);
  results = tg_chan_make(sizeof(long), 0);
  tg_go(selector, NULL);
  tg_go(selector, (void *)1);
  tg_go(feeder, x);
  tg_go(feeder, y);
  long a, b;
  tg_chan_recv(results, &a);
  tg_chan_recv(results, &b);
  assert_int_equal(a + b, 2 * FEED);
  tg_maxprocs(old);
}

static void child_select_no_cases(void) {
  tg_select(NULL, 0);
}

static void child_select_send_closed(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 1);
  tg_chan_close(c);
  tg_case cs[] = {TG_SEND(c, &(int){1})};
  tg_select(cs, 1);
}

static void child_select_all_nil(void) {
  int v;
  tg_case cs[] = {TG_RECV(NULL, &v, NULL), TG_SEND(NULL, &v)};
  tg_select(cs, 2);
}

static const struct child_scenario scenarios[] = {
    {"no_cases", child_select_no_cases},
    {"send_closed", child_select_send_closed},
    {"all_nil", child_select_all_nil},
};

static struct child_result res;

static void test_select_misuse_and_deadlock(void **state) {
  (void)state;
  run_child("no_cases", NULL, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "goroutine 1 [select (no cases)]:"));
  assert_non_null(strstr(res.err, "all goroutines are asleep - deadlock!"));
  run_child("send_closed", NULL, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "panic: send on closed channel"));
  run_child("all_nil", NULL, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "goroutine 1 [select]:"));
}

int main(int argc, char **argv) {
  child_dispatch(argc, argv, scenarios, sizeof scenarios / sizeof *scenarios);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_when_nothing_ready),
      cmocka_unit_test(test_ready_case_chosen_nonblocking),
      cmocka_unit_test(test_uniform_random_choice),
      cmocka_unit_test(test_after_fires),
      cmocka_unit_test(test_channel_beats_timeout),
      cmocka_unit_test(test_nil_and_closed_cases),
      cmocka_unit_test(test_duplicate_channels),
      cmocka_unit_test(test_many_cases),
      cmocka_unit_test(test_opposite_orders_under_contention),
      cmocka_unit_test(test_select_misuse_and_deadlock),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
