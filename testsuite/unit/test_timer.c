/* Sleep, tg_after, timers and tickers. Only lower bounds on time are
 * asserted: the machine is shared, so anything may run late. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <tangle.h>

static void test_sleep_lower_bound(void **state) {
  (void)state;
  int64_t t0 = tg_now();
  tg_sleep(10 * TG_MILLISECOND);
  assert_true(tg_now() - t0 >= 10 * TG_MILLISECOND);
  t0 = tg_now();
  tg_sleep(0); /* returns at once */
  tg_sleep(-5);
  assert_true(tg_now() >= t0);
}

static void test_now_monotonic(void **state) {
  (void)state;
  int64_t prev = tg_now();
  for (int i = 0; i < 1000; i++) {
    int64_t t = tg_now();
    assert_true(t >= prev);
    prev = t;
  }
}

static void test_after_delivers_fire_time(void **state) {
  (void)state;
  int64_t t0 = tg_now();
  tg_chan *c = tg_after(5 * TG_MILLISECOND);
  assert_int_equal(tg_chan_cap(c), 1);
  int64_t fired;
  assert_true(tg_chan_recv(c, &fired));
  assert_true(fired >= t0 + 5 * TG_MILLISECOND);
  assert_true(tg_now() >= fired);
  tg_chan_free(c);
}

static void test_after_freed_before_firing(void **state) {
  (void)state;
  for (int i = 0; i < 1000; i++)
    tg_chan_free(tg_after(TG_SECOND)); /* stops the timer: nothing fires later */
  tg_chan *c = tg_after(TG_MILLISECOND);
  tg_sleep(5 * TG_MILLISECOND);
  tg_chan_free(c); /* fired, unread: freed with its value */
}

static void test_timer_stop_before_fire(void **state) {
  (void)state;
  tg_timer *t = tg_timer_new(TG_SECOND);
  assert_true(tg_timer_stop(t));
  assert_false(tg_timer_stop(t)); /* already stopped */
  int64_t v;
  tg_case cs[] = {TG_RECV(tg_timer_chan(t), &v, NULL), TG_AFTER(20 * TG_MILLISECOND)};
  assert_int_equal(tg_select(cs, 2), 1); /* nothing delivered */
  tg_timer_free(t);
}

static void test_timer_fires_then_stop_false(void **state) {
  (void)state;
  tg_timer *t = tg_timer_new(2 * TG_MILLISECOND);
  int64_t v;
  assert_true(tg_chan_recv(tg_timer_chan(t), &v));
  assert_false(tg_timer_stop(t));
  tg_timer_free(t);
}

static void test_timer_reset(void **state) {
  (void)state;
  tg_timer *t = tg_timer_new(TG_SECOND);
  int64_t t0 = tg_now();
  assert_true(tg_timer_reset(t, 5 * TG_MILLISECOND)); /* was pending */
  int64_t v;
  assert_true(tg_chan_recv(tg_timer_chan(t), &v));
  assert_true(v >= t0 + 5 * TG_MILLISECOND);
  /* Reset after firing, with a stale tick unread: the stale one is dropped
   * (Go 1.23), the next one comes after the new duration. */
  tg_sleep(0);
  tg_timer_reset(t, TG_MILLISECOND);
  tg_sleep(10 * TG_MILLISECOND); /* it fired into the buffer */
  int64_t t1 = tg_now();
  assert_false(tg_timer_reset(t, 10 * TG_MILLISECOND)); /* had fired */
  assert_true(tg_chan_recv(tg_timer_chan(t), &v));
  assert_true(v >= t1 + 10 * TG_MILLISECOND);
  tg_timer_free(t);
}

static void test_ticker_ticks_and_drops(void **state) {
  (void)state;
  tg_ticker *tk = tg_ticker_new(2 * TG_MILLISECOND);
  assert_int_equal(tg_chan_cap(tg_ticker_chan(tk)), 1);
  int64_t prev = 0, v;
  for (int i = 0; i < 5; i++) {
    assert_true(tg_chan_recv(tg_ticker_chan(tk), &v));
    assert_true(v > prev);
    prev = v;
  }
  /* A slow reader: ticks are dropped, never more than one buffered. */
  tg_sleep(30 * TG_MILLISECOND);
  assert_true(tg_chan_len(tg_ticker_chan(tk)) <= 1);
  tg_ticker_stop(tk);
  tg_case cs[] = {TG_RECV(tg_ticker_chan(tk), &v, NULL), TG_AFTER(20 * TG_MILLISECOND)};
  assert_int_equal(tg_select(cs, 2), 1); /* stopped: no tick */
  tg_ticker_free(tk);
}

/* Many goroutines sleeping different amounts wake in deadline order
 * relative to each other only loosely; what must hold is that each sleeps
 * at least its own amount and all wake. */
static atomic_int woke;

static void sleeper(void *arg) {
  int64_t d = (int64_t)(intptr_t)arg * TG_MILLISECOND;
  int64_t t0 = tg_now();
  tg_sleep(d);
  if (tg_now() - t0 >= d)
    atomic_fetch_add(&woke, 1);
}

static void test_many_sleepers(void **state) {
  (void)state;
  atomic_store(&woke, 0);
  for (int i = 0; i < 1000; i++)
    tg_go(sleeper, (void *)(intptr_t)(1 + i % 20));
  while (atomic_load(&woke) < 1000)
    tg_sleep(TG_MILLISECOND);
  assert_int_equal(atomic_load(&woke), 1000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sleep_lower_bound),
      cmocka_unit_test(test_now_monotonic),
      cmocka_unit_test(test_after_delivers_fire_time),
      cmocka_unit_test(test_after_freed_before_firing),
      cmocka_unit_test(test_timer_stop_before_fire),
      cmocka_unit_test(test_timer_fires_then_stop_false),
      cmocka_unit_test(test_timer_reset),
      cmocka_unit_test(test_ticker_ticks_and_drops),
      cmocka_unit_test(test_many_sleepers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
