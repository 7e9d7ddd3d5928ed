/* Idle stacks (runtime/stack_idle.c): goroutines parked a long time on a
 * channel have their stacks copied out and their pages dropped; everything
 * on those stacks must be there again when they run, when a waker writes
 * into them, and when another thread unwinds them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>
#include <unistd.h>

#include "rt.h"
#include "stack.h"

#define CANARY_WORDS 48

static uint64_t canary_of(long id, int i) {
  return (uint64_t)id * 0x9e3779b97f4a7c15ULL + (uint64_t)i;
}

struct waiter {
  tg_chan *c;
  long id;
  _Atomic int *parked; /* counts waiters about to block */
  _Atomic long *got;   /* receivers: sum of the values received */
  _Atomic int *intact; /* waiters whose stack canaries survived */
  _Atomic int *closed; /* receivers that saw the channel closed */
  struct tg_g *_Atomic *self;
};

/* The canaries sit in the waiter's own frame, below the channel operation's
 * frames and its sudog: all of it is in the copied range. */
static void check_canaries(struct waiter *w, volatile uint64_t *canary) {
  int ok = 1;
  for (int i = 0; i < CANARY_WORDS; i++)
    ok &= canary[i] == canary_of(w->id, i);
  if (ok)
    atomic_fetch_add(w->intact, 1);
}

static void receiver(void *arg) {
  struct waiter *w = arg;
  volatile uint64_t canary[CANARY_WORDS];
  for (int i = 0; i < CANARY_WORDS; i++)
    canary[i] = canary_of(w->id, i);
  if (w->self)
    atomic_store(w->self, tg__getg());
  long v = -1;
  atomic_fetch_add(w->parked, 1);
  if (tg_chan_recv(w->c, &v))
    atomic_fetch_add(w->got, v);
  else if (v == 0)
    atomic_fetch_add(w->closed, 1);
  check_canaries(w, canary);
}

static void sender(void *arg) {
  struct waiter *w = arg;
  volatile uint64_t canary[CANARY_WORDS];
  for (int i = 0; i < CANARY_WORDS; i++)
    canary[i] = canary_of(w->id, i);
  long v = w->id; /* sent from this stack */
  atomic_fetch_add(w->parked, 1);
  tg_chan_send(w->c, &v);
  check_canaries(w, canary);
}

struct fixture {
  _Atomic int parked, intact, closed;
  _Atomic long got;
  struct waiter *w;
  long n;
};

static void start(struct fixture *f, tg_chan *c, long n, long id0, tg_func fn) {
  for (long i = 0; i < n; i++) {
    struct waiter *w = &f->w[f->n++];
    *w = (struct waiter){.c = c,
                         .id = id0 + i,
                         .parked = &f->parked,
                         .got = &f->got,
                         .intact = &f->intact,
                         .closed = &f->closed};
    tg_go(fn, w);
  }
}

static void wait_parked(struct fixture *f, int n) {
  while (atomic_load(&f->parked) < n)
    tg_sleep(TG_MILLISECOND);
  tg_sleep(5 * TG_MILLISECOND); /* from the count to the park is a call */
}

/* Parks more goroutines of the same kind on c, one at a time, until `want`
 * stacks more than `before` are copied out (each park runs the pass). */
static void copy_out_by_parking(struct fixture *f, tg_chan *c, tg_func fn, uint64_t before,
                                uint64_t want) {
  tg_sleep(50 * TG_MILLISECOND); /* twice the idle threshold, and more */
  for (int k = 0; k < 400; k++) {
    if (atomic_load(&tg__stack_idle_stats.copied_out) - before >= want)
      return;
    start(f, c, 1, 1000000 + k, fn);
    wait_parked(f, atomic_load(&f->parked) + 1);
    tg_sleep(5 * TG_MILLISECOND);
  }
  fail_msg("only %llu of %llu stacks copied out",
           (unsigned long long)(atomic_load(&tg__stack_idle_stats.copied_out) - before),
           (unsigned long long)want);
}

static long resident_kib(void) {
  long pages = 0, rss = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f) {
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
      rss = 0;
    fclose(f);
  }
  return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

enum { N = 200 };

static void test_receivers_get_their_values_and_stacks_back(void **state) {
  (void)state;
  static struct waiter ws[N + 400];
  struct fixture f = {.w = ws};
  tg_chan *c = tg_chan_make(sizeof(long), 0);
  uint64_t out0 = atomic_load(&tg__stack_idle_stats.copied_out);
  uint64_t back0 = atomic_load(&tg__stack_idle_stats.restored);
  start(&f, c, N, 1, receiver);
  wait_parked(&f, N);
  copy_out_by_parking(&f, c, receiver, out0, N);
  long expect = 0;
  for (long v = 1; v <= f.n; v++) {
    tg_chan_send(c, &v); /* a direct send into a copied-out stack */
    expect += v;
  }
  while (atomic_load(&f.intact) < f.n)
    tg_sleep(TG_MILLISECOND);
  assert_int_equal(atomic_load(&f.got), expect);
  assert_true(atomic_load(&tg__stack_idle_stats.restored) - back0 >= N);
  tg_chan_free(c);
}

static void test_senders_values_come_from_restored_stacks(void **state) {
  (void)state;
  static struct waiter ws[N + 400];
  struct fixture f = {.w = ws};
  tg_chan *c = tg_chan_make(sizeof(long), 0);
  uint64_t out0 = atomic_load(&tg__stack_idle_stats.copied_out);
  start(&f, c, N, 1, sender);
  wait_parked(&f, N);
  copy_out_by_parking(&f, c, sender, out0, N);
  long sum = 0, expect = 0;
  for (long i = 0; i < f.n; i++) {
    long v = -1;
    assert_true(tg_chan_recv(c, &v));
    sum += v;
    expect += f.w[i].id;
  }
  assert_int_equal(sum, expect);
  while (atomic_load(&f.intact) < f.n)
    tg_sleep(TG_MILLISECOND);
  tg_chan_free(c);
}

static void test_close_wakes_copied_out_receivers(void **state) {
  (void)state;
  static struct waiter ws[N + 400];
  struct fixture f = {.w = ws};
  tg_chan *c = tg_chan_make(sizeof(long), 0);
  uint64_t out0 = atomic_load(&tg__stack_idle_stats.copied_out);
  start(&f, c, N, 1, receiver);
  wait_parked(&f, N);
  copy_out_by_parking(&f, c, receiver, out0, N);
  tg_chan_close(c);
  while (atomic_load(&f.intact) < f.n)
    tg_sleep(TG_MILLISECOND);
  assert_int_equal(atomic_load(&f.closed), f.n); /* zero value, ok == false */
  assert_int_equal(atomic_load(&f.got), 0);
  tg_chan_free(c);
}

/* Another thread's unwind (reports, dumps) sees the real frames. */
static void test_unwinding_a_copied_out_goroutine(void **state) {
  (void)state;
  static struct waiter ws[400];
  struct fixture f = {.w = ws};
  struct tg_g *_Atomic g = NULL;
  tg_chan *c = tg_chan_make(sizeof(long), 0);
  uint64_t out0 = atomic_load(&tg__stack_idle_stats.copied_out);
  start(&f, c, 1, 1, receiver);
  f.w[0].self = &g;
  while (!atomic_load(&g))
    tg_sleep(TG_MILLISECOND);
  wait_parked(&f, 1);
  copy_out_by_parking(&f, c, receiver, out0, 1);
  assert_int_equal(atomic_load(&atomic_load(&g)->stack_state), 2); /* copied out */
  uintptr_t pcs[32];
  int n = tg__stack_capture_g(atomic_load(&g), pcs, 32);
  char text[4096];
  tg__stack_format(text, sizeof text, pcs, n);
  assert_non_null(strstr(text, "receiver"));
  for (long v = 1; v <= f.n; v++)
    tg_chan_send(c, &v);
  while (atomic_load(&f.intact) < f.n)
    tg_sleep(TG_MILLISECOND);
  tg_chan_free(c);
}

/* What the pass is for: the pages of idle goroutines go back. Without it,
 * each parked goroutine keeps at least a 4 KiB page (fewer here only for the
 * stacks earlier tests left resident in the caches). */
static void test_resident_memory_drops(void **state) {
  (void)state;
  enum { M = 4000 };
  static struct waiter ws[M + 400];
  struct fixture f = {.w = ws};
  tg_chan *c = tg_chan_make(sizeof(long), 0);
  uint64_t out0 = atomic_load(&tg__stack_idle_stats.copied_out);
  long before = resident_kib();
  start(&f, c, M, 1, receiver);
  wait_parked(&f, M);
  copy_out_by_parking(&f, c, receiver, out0, M);
  long after = resident_kib();
  print_message("resident %ld KiB before, %ld KiB with %d goroutines parked\n", before, after, M);
#if defined(__SANITIZE_ADDRESS__)
  /* AddressSanitizer's shadow of each stack top is a page of its own. */
  assert_true(atomic_load(&tg__stack_idle_stats.copied_out) - out0 >= M);
#else
  assert_true(after - before <= M * 2);
#endif
  tg_chan_close(c);
  while (atomic_load(&f.intact) < f.n)
    tg_sleep(TG_MILLISECOND);
  tg_chan_free(c);
}

static void select_receiver(void *arg) {
  struct waiter *w = arg;
  long v = -1;
  tg_case cs[] = {TG_RECV(w->c, &v, NULL)};
  atomic_fetch_add(w->parked, 1);
  tg_select(cs, 1);
  atomic_fetch_add(w->got, v);
  atomic_fetch_add(w->intact, 1);
}

/* A select waits in several queues under several locks: left alone. */
static void test_select_waiters_stay_resident(void **state) {
  (void)state;
  static struct waiter ws[N + 10];
  struct fixture f = {.w = ws};
  tg_chan *c = tg_chan_make(sizeof(long), 0);
  uint64_t out0 = atomic_load(&tg__stack_idle_stats.copied_out);
  start(&f, c, N, 1, select_receiver);
  wait_parked(&f, N);
  tg_sleep(50 * TG_MILLISECOND);
  start(&f, c, 10, 1000, select_receiver);
  wait_parked(&f, N + 10);
  assert_int_equal(atomic_load(&tg__stack_idle_stats.copied_out), out0);
  long expect = 0;
  for (long v = 1; v <= f.n; v++) {
    tg_chan_send(c, &v);
    expect += v;
  }
  while (atomic_load(&f.intact) < f.n)
    tg_sleep(TG_MILLISECOND);
  assert_int_equal(atomic_load(&f.got), expect);
  tg_chan_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_receivers_get_their_values_and_stacks_back),
      cmocka_unit_test(test_senders_values_come_from_restored_stacks),
      cmocka_unit_test(test_close_wakes_copied_out_receivers),
      cmocka_unit_test(test_unwinding_a_copied_out_goroutine),
      cmocka_unit_test(test_resident_memory_drops),
      cmocka_unit_test(test_select_waiters_stay_resident),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
