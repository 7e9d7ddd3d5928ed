/* tg_once: fn runs exactly once however many goroutines call Do, every
 * caller returns only after fn has finished, a zero value is ready, and a
 * later Do with another function does nothing. */
#include "rt.h"
#include "sema.h"
#include "sync_test_util.h"

static int calls;
static void count_call(void *arg) {
  (void)arg;
  inc_int(&calls);
}

static void test_zero_value_runs_once(void **state) {
  (void)state;
  tg_once o = {0};
  calls = 0;
  tg_once_do(&o, count_call, NULL);
  tg_once_do(&o, count_call, NULL);
  assert_int_equal(calls, 1);
  tg_once_do(&o, count_call, NULL);
  assert_int_equal(calls, 1);
}

static int other_calls;
static void other_fn(void *arg) {
  (void)arg;
  other_calls++;
}

static void test_second_function_not_run(void **state) {
  (void)state;
  tg_once o = {0};
  calls = other_calls = 0;
  tg_once_do(&o, count_call, NULL);
  tg_once_do(&o, other_fn, NULL);
  assert_int_equal(calls, 1);
  assert_int_equal(other_calls, 0);
}

static int got_arg;
static void take_arg(void *arg) {
  got_arg = *(int *)arg;
}

static void test_passes_arg(void **state) {
  (void)state;
  tg_once o = {0};
  int v = 42;
  tg_once_do(&o, take_arg, &v);
  assert_int_equal(got_arg, 42);
}

/* fn blocks until released; goroutines that call Do meanwhile wait for it
 * and, when they return, see what fn wrote. */
static struct {
  tg_once once;
  tg_chan *started, *proceed;
  int value;
  int returned;
  int saw_value;
  tg_waitgroup wg;
} slow;

static void slow_fn(void *arg) {
  (void)arg;
  tg_chan_send(slow.started, &(int){1});
  tg_chan_recv(slow.proceed, NULL);
  slow.value = 99; /* plain write: Do's return publishes it */
  inc_int(&calls);
}

static void slow_caller(void *arg) {
  (void)arg;
  tg_once_do(&slow.once, slow_fn, NULL);
  if (slow.value == 99)
    inc_int(&slow.saw_value);
  inc_int(&slow.returned);
  tg_waitgroup_done(&slow.wg);
}

static void test_callers_wait_for_fn(void **state) {
  (void)state;
  enum { N = 6 };
  memset(&slow, 0, sizeof slow);
  calls = 0;
  slow.started = tg_chan_make(sizeof(int), 0);
  slow.proceed = tg_chan_make(sizeof(int), 0);
  tg_waitgroup_add(&slow.wg, N);
  tg_go(slow_caller, NULL);
  tg_chan_recv(slow.started, NULL); /* fn is running now */
  for (int i = 1; i < N; i++)
    tg_go(slow_caller, NULL);
  WAIT_UNTIL(tg__sema_nwait(&slow.once.m_.sema_) == N - 1); /* all wait on fn */
  assert_int_equal(load_int(&slow.returned), 0);
  tg_chan_send(slow.proceed, &(int){1});
  tg_waitgroup_wait(&slow.wg);
  assert_int_equal(load_int(&calls), 1);
  assert_int_equal(load_int(&slow.returned), N);
  assert_int_equal(load_int(&slow.saw_value), N);
  tg_chan_free(slow.started);
  tg_chan_free(slow.proceed);
}

/* Many goroutines race to the first Do. */
static struct {
  tg_once once;
  tg_waitgroup wg;
  int returned_early; /* returned while fn had not run: must stay 0 */
} race;

static void race_caller(void *arg) {
  (void)arg;
  tg_once_do(&race.once, count_call, NULL);
  if (load_int(&calls) != 1)
    inc_int(&race.returned_early);
  tg_waitgroup_done(&race.wg);
}

static void test_concurrent_first_calls(void **state) {
  (void)state;
  for (int round = 0; round < 50; round++) {
    memset(&race, 0, sizeof race);
    calls = 0;
    tg_waitgroup_add(&race.wg, 16);
    for (int i = 0; i < 16; i++)
      tg_go(race_caller, NULL);
    tg_waitgroup_wait(&race.wg);
    assert_int_equal(load_int(&calls), 1);
    assert_int_equal(load_int(&race.returned_early), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GO_TEST(test_zero_value_runs_once),
      GO_TEST(test_second_function_not_run),
      GO_TEST(test_passes_arg),
      GO_TEST(test_callers_wait_for_fn),
      GO_TEST(test_concurrent_first_calls),
  };
  return go_run_tests("sync_once", tests, sizeof tests / sizeof tests[0]);
}
