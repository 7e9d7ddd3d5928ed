/* Channels: Go's semantics, including the odd corners. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <tangle.h>

#include "child.h"

static void send_ints(void *arg) {
  tg_chan *c = arg;
  for (int i = 1; i <= 3; i++)
    tg_chan_send(c, &i);
}

static void test_unbuffered_rendezvous(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  assert_int_equal(tg_chan_cap(c), 0);
  tg_go(send_ints, c);
  int v;
  for (int i = 1; i <= 3; i++) {
    assert_true(tg_chan_recv(c, &v));
    assert_int_equal(v, i);
    assert_int_equal(tg_chan_len(c), 0);
  }
  tg_chan_free(c);
}

static void test_buffered_fifo_len_cap(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(int), 4);
  assert_int_equal(tg_chan_cap(c), 4);
  for (int i = 0; i < 4; i++) {
    tg_chan_send(c, &i);
    assert_int_equal(tg_chan_len(c), (size_t)i + 1);
  }
  int v;
  for (int i = 0; i < 4; i++) {
    assert_true(tg_chan_recv(c, &v));
    assert_int_equal(v, i);
  }
  assert_int_equal(tg_chan_len(c), 0);
  tg_chan_free(c);
}

struct big {
  char bytes[300];
};

static void test_large_elements_copied_by_value(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(struct big), 1);
  struct big b;
  memset(b.bytes, 'x', sizeof b.bytes);
  tg_chan_send(c, &b);
  memset(b.bytes, 'y', sizeof b.bytes); /* the channel holds a copy */
  struct big out;
  assert_true(tg_chan_recv(c, &out));
  for (size_t i = 0; i < sizeof out.bytes; i++)
    assert_int_equal(out.bytes[i], 'x');
  tg_chan_free(c);
}

static void test_recv_null_element(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(int), 1);
  tg_chan_send(c, &(int){7});
  assert_true(tg_chan_recv(c, NULL)); /* value dropped */
  tg_go(send_ints, c);
  assert_true(tg_chan_recv(c, NULL));
  assert_true(tg_chan_recv(c, NULL));
  assert_true(tg_chan_recv(c, NULL));
  tg_chan_close(c);
  assert_false(tg_chan_recv(c, NULL));
  tg_chan_free(c);
}

static void test_closed_drains_then_zero(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(int), 3);
  tg_chan_send(c, &(int){10});
  tg_chan_send(c, &(int){20});
  tg_chan_close(c);
  int v = -1;
  assert_true(tg_chan_recv(c, &v));
  assert_int_equal(v, 10);
  assert_true(tg_chan_recv(c, &v));
  assert_int_equal(v, 20);
  v = -1;
  assert_false(tg_chan_recv(c, &v));
  assert_int_equal(v, 0); /* zero element */
  assert_false(tg_chan_recv(c, &v));
  tg_chan_free(c);
}

static atomic_int woken_false;

static void receiver_expect_closed(void *arg) {
  tg_chan **cs = arg;
  int v = 99;
  if (!tg_chan_recv(cs[0], &v) && v == 0)
    atomic_fetch_add(&woken_false, 1);
  tg_chan_send(cs[1], NULL);
}

static void test_close_wakes_all_receivers(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  tg_chan *done = tg_chan_make(0, 0);
  tg_chan *cs[2] = {c, done};
  atomic_store(&woken_false, 0);
  for (int i = 0; i < 10; i++)
    tg_go(receiver_expect_closed, cs);
  tg_sleep(5 * TG_MILLISECOND);
  tg_chan_close(c);
  for (int i = 0; i < 10; i++)
    tg_chan_recv(done, NULL);
  assert_int_equal(atomic_load(&woken_false), 10);
  tg_chan_free(c);
  tg_chan_free(done);
}

static void test_zero_size_elements(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(0, 2);
  tg_chan_send(c, NULL);
  tg_chan_send(c, NULL);
  assert_int_equal(tg_chan_len(c), 2);
  assert_true(tg_chan_recv(c, NULL));
  assert_true(tg_chan_recv(c, NULL));
  tg_chan_free(c);
}

static void test_nil_channel_len_cap(void **state) {
  (void)state;
  assert_int_equal(tg_chan_len(NULL), 0);
  assert_int_equal(tg_chan_cap(NULL), 0);
  tg_chan_free(NULL); /* no-op */
}

/* ---- misuse: Go's panics ----------------------------------------------- */

static void child_send_closed(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 1);
  tg_chan_close(c);
  tg_chan_send(c, &(int){1});
}

static void child_close_closed(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 1);
  tg_chan_close(c);
  tg_chan_close(c);
}

static void child_close_nil(void) {
  tg_chan_close(NULL);
}

static atomic_bool sender_sending;

static void parked_sender(void *arg) {
  atomic_store(&sender_sending, true);
  tg_chan_send(arg, &(int){1});
}

/* Until the sender is (all but) parked: a fixed sleep was not always enough
 * on a loaded machine, and free_with_waiters then freed an idle channel. */
static void await_sender(void) {
  while (!atomic_load(&sender_sending))
    tg_sleep(TG_MILLISECOND);
  tg_sleep(10 * TG_MILLISECOND); /* its send is a call away */
}

static void child_close_with_parked_senders(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  tg_go(parked_sender, c);
  await_sender();
  tg_chan_close(c); /* the parked sender wakes and panics */
  tg_sleep(TG_SECOND);
}

static void child_nil_send_blocks_forever(void) {
  tg_chan_send(NULL, &(int){1});
}

static void child_nil_recv_blocks_forever(void) {
  tg_chan_recv(NULL, NULL);
}

static void child_free_with_waiters(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  tg_go(parked_sender, c);
  await_sender();
  tg_chan_free(c);
}

static const struct child_scenario scenarios[] = {
    {"send_closed", child_send_closed},
    {"close_closed", child_close_closed},
    {"close_nil", child_close_nil},
    {"close_with_parked_senders", child_close_with_parked_senders},
    {"nil_send", child_nil_send_blocks_forever},
    {"nil_recv", child_nil_recv_blocks_forever},
    {"free_with_waiters", child_free_with_waiters},
};

static struct child_result res;

static void expect_child(const char *name, int status, const char *needle) {
  memset(&res, 0, sizeof res);
  run_child(name, NULL, &res);
  if (res.status != status || !strstr(res.err, needle))
    fprintf(stderr, "child %s: status %d, stderr:\n%s\n", name, res.status, res.err);
  assert_int_equal(res.status, status);
  assert_non_null(strstr(res.err, needle));
}

static void test_panics(void **state) {
  (void)state;
  expect_child("send_closed", 2, "panic: send on closed channel");
  expect_child("close_closed", 2, "panic: close of closed channel");
  expect_child("close_nil", 2, "panic: close of nil channel");
  expect_child("close_with_parked_senders", 2, "panic: send on closed channel");
  assert_non_null(strstr(res.err, "parked_sender"));
  expect_child("free_with_waiters", 2, "goroutines are still waiting");
}

static void test_nil_channels_block_forever(void **state) {
  (void)state;
  expect_child("nil_send", 2, "goroutine 1 [chan send (nil chan)]:");
  assert_non_null(strstr(res.err, "all goroutines are asleep - deadlock!"));
  expect_child("nil_recv", 2, "goroutine 1 [chan receive (nil chan)]:");
}

int main(int argc, char **argv) {
  child_dispatch(argc, argv, scenarios, sizeof scenarios / sizeof *scenarios);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unbuffered_rendezvous),
      cmocka_unit_test(test_buffered_fifo_len_cap),
      cmocka_unit_test(test_large_elements_copied_by_value),
      cmocka_unit_test(test_recv_null_element),
      cmocka_unit_test(test_closed_drains_then_zero),
      cmocka_unit_test(test_close_wakes_all_receivers),
      cmocka_unit_test(test_zero_size_elements),
      cmocka_unit_test(test_nil_channel_len_cap),
      cmocka_unit_test(test_panics),
      cmocka_unit_test(test_nil_channels_block_forever),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
