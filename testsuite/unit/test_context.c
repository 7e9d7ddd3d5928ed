/* context: the roots, WithCancel (Done, Err, idempotent cancel), the cancel
 * tree (descendants through value contexts, not ancestors or siblings, a
 * child of a canceled parent), deadlines and timeouts (Err ==
 * TG_DEADLINE_EXCEEDED, inherited deadlines, deadlines in the past), value
 * lookup, waking goroutines blocked on Done, and no leak of contexts, timers
 * or memory over a million create/release cycles. */
#include "rt.h"
#include "sema.h"
#include "sync_test_util.h"

#include <malloc.h>

/* True if done is closed (a receive does not block and reports closed). */
static bool is_closed(tg_chan *done) {
  bool ok = true;
  tg_case c[] = {TG_RECV(done, NULL, &ok)};
  return tg_select_nb(c, 1) == 0 && !ok;
}

static void test_background_and_todo(void **state) {
  (void)state;
  tg_ctx *roots[] = {tg_background(), tg_todo()};
  assert_ptr_not_equal(roots[0], roots[1]);
  assert_ptr_equal(tg_background(), roots[0]);
  for (int i = 0; i < 2; i++) {
    tg_ctx *r = roots[i];
    assert_null(tg_ctx_done(r));
    assert_int_equal(tg_ctx_err(r), 0);
    int64_t d = 123;
    assert_false(tg_ctx_deadline(r, &d));
    assert_null(tg_ctx_value(r, &d));
    tg_cancel(r);      /* no-op */
    tg_ctx_release(r); /* no-op: never freed */
    assert_int_equal(tg_ctx_err(r), 0);
  }
}

static void test_with_cancel(void **state) {
  (void)state;
  tg_ctx *c = tg_with_cancel(tg_background());
  tg_chan *done = tg_ctx_done(c);
  assert_non_null(done);
  assert_ptr_equal(tg_ctx_done(c), done); /* one channel */
  assert_int_equal(tg_ctx_err(c), 0);
  assert_false(is_closed(done));
  assert_false(tg_ctx_deadline(c, NULL));
  tg_cancel(c);
  assert_int_equal(tg_ctx_err(c), TG_CANCELED);
  assert_true(is_closed(done));
  tg_cancel(c); /* idempotent: closing twice would panic */
  assert_int_equal(tg_ctx_err(c), TG_CANCELED);
  assert_ptr_equal(tg_ctx_done(c), done);
  tg_ctx_release(c);
}

/* Done asked for only after the cancel: a closed channel. */
static void test_done_after_cancel_is_closed(void **state) {
  (void)state;
  tg_ctx *c = tg_with_cancel(tg_background());
  tg_cancel(c);
  tg_chan *done = tg_ctx_done(c);
  assert_non_null(done);
  assert_true(is_closed(done));
  tg_ctx_release(c);
}

/* Release cancels (C's defer cancel()); a grandchild's reference keeps the
 * released child readable. */
static void test_release_cancels(void **state) {
  (void)state;
  tg_ctx *parent = tg_with_cancel(tg_background());
  tg_ctx *child = tg_with_cancel(parent);
  tg_ctx *grandchild = tg_with_cancel(child);
  tg_chan *done = tg_ctx_done(child);
  tg_ctx_release(child);
  assert_true(is_closed(done));
  assert_int_equal(tg_ctx_err(child), TG_CANCELED);
  assert_int_equal(tg_ctx_err(grandchild), TG_CANCELED);
  assert_int_equal(tg_ctx_err(parent), 0);
  tg_ctx_release(grandchild);
  tg_ctx_release(parent);
}

/* root -> a -> value -> b -> c, and a -> sibling: canceling a reaches b and
 * c through the value context; canceling b alone reaches c but not a. */
static void test_cancel_propagates_down_only(void **state) {
  (void)state;
  tg_ctx *root = tg_with_cancel(tg_background());
  tg_ctx *a = tg_with_cancel(root);
  tg_ctx *v = tg_with_value(a, "k", "v");
  tg_ctx *b = tg_with_cancel(v);
  tg_ctx *c = tg_with_timeout(b, TG_SECOND * 3600);
  tg_ctx *sib = tg_with_cancel(a);

  tg_chan *done_c = tg_ctx_done(c);
  tg_cancel(b);
  assert_int_equal(tg_ctx_err(b), TG_CANCELED);
  assert_int_equal(tg_ctx_err(c), TG_CANCELED);
  assert_true(is_closed(done_c));
  assert_int_equal(tg_ctx_err(v), 0); /* up the tree: untouched */
  assert_int_equal(tg_ctx_err(a), 0);
  assert_int_equal(tg_ctx_err(sib), 0);
  assert_int_equal(tg_ctx_err(root), 0);

  tg_chan *done_v = tg_ctx_done(v);
  assert_ptr_equal(done_v, tg_ctx_done(a)); /* a value context shares its parent's */
  tg_cancel(root);
  assert_int_equal(tg_ctx_err(a), TG_CANCELED);
  assert_int_equal(tg_ctx_err(v), TG_CANCELED);
  assert_int_equal(tg_ctx_err(sib), TG_CANCELED);
  assert_true(is_closed(done_v));

  tg_ctx *late = tg_with_cancel(v); /* from a canceled parent: canceled at once */
  assert_int_equal(tg_ctx_err(late), TG_CANCELED);
  assert_true(is_closed(tg_ctx_done(late)));

  tg_ctx *all[] = {late, sib, c, b, v, a, root};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    tg_ctx_release(all[i]);
}

/* A deep chain: cancel must not recurse per level. */
static void test_deep_chain(void **state) {
  (void)state;
  enum { DEPTH = 100000 };
  tg_ctx **chain = malloc(DEPTH * sizeof *chain);
  chain[0] = tg_with_cancel(tg_background());
  for (int i = 1; i < DEPTH; i++)
    chain[i] = i % 3 ? tg_with_cancel(chain[i - 1]) : tg_with_value(chain[i - 1], chain, NULL);
  tg_cancel(chain[0]);
  assert_int_equal(tg_ctx_err(chain[DEPTH - 1]), TG_CANCELED);
  assert_int_equal(tg_ctx_err(chain[DEPTH / 2]), TG_CANCELED);
  /* Release leaves first, then root first: both orders are valid. */
  for (int i = DEPTH - 1; i >= DEPTH / 2; i--)
    tg_ctx_release(chain[i]);
  for (int i = 0; i < DEPTH / 2; i++)
    tg_ctx_release(chain[i]);
  free(chain);
}

static void test_timeout_expires(void **state) {
  (void)state;
  int64_t t0 = tg_now();
  tg_ctx *c = tg_with_timeout(tg_background(), 2 * TG_MILLISECOND);
  tg_ctx *child = tg_with_cancel(c);
  int64_t d;
  assert_true(tg_ctx_deadline(c, &d));
  assert_true(d >= t0 + 2 * TG_MILLISECOND);
  assert_true(tg_ctx_deadline(child, &d)); /* inherited */
  assert_int_equal(tg_ctx_err(c), 0);
  bool ok = true;
  assert_false(tg_chan_recv(tg_ctx_done(child), &ok)); /* blocks until the deadline */
  assert_true(tg_now() >= d);
  assert_int_equal(tg_ctx_err(c), TG_DEADLINE_EXCEEDED);
  assert_int_equal(tg_ctx_err(child), TG_DEADLINE_EXCEEDED);
  assert_true(is_closed(tg_ctx_done(c)));
  tg_cancel(c); /* after expiry: the error stays */
  assert_int_equal(tg_ctx_err(c), TG_DEADLINE_EXCEEDED);
  tg_ctx_release(child);
  tg_ctx_release(c);
}

static void test_deadline_in_past(void **state) {
  (void)state;
  tg_ctx *c = tg_with_deadline(tg_background(), tg_now() - TG_SECOND);
  assert_int_equal(tg_ctx_err(c), TG_DEADLINE_EXCEEDED);
  assert_true(is_closed(tg_ctx_done(c)));
  tg_ctx *z = tg_with_timeout(tg_background(), 0);
  assert_int_equal(tg_ctx_err(z), TG_DEADLINE_EXCEEDED);
  tg_ctx_release(z);
  tg_ctx_release(c);
}

static void test_deadline_inheritance(void **state) {
  (void)state;
  int64_t now = tg_now();
  tg_ctx *outer = tg_with_deadline(tg_background(), now + TG_SECOND * 100);
  tg_ctx *later = tg_with_deadline(outer, now + TG_SECOND * 200);
  tg_ctx *sooner = tg_with_deadline(outer, now + TG_SECOND * 50);
  tg_ctx *val = tg_with_value(sooner, "k", NULL);
  int64_t d;
  assert_true(tg_ctx_deadline(outer, &d));
  assert_int_equal(d, now + TG_SECOND * 100);
  assert_true(tg_ctx_deadline(later, &d)); /* the parent's comes first */
  assert_int_equal(d, now + TG_SECOND * 100);
  assert_true(tg_ctx_deadline(sooner, &d));
  assert_int_equal(d, now + TG_SECOND * 50);
  assert_true(tg_ctx_deadline(val, &d));
  assert_int_equal(d, now + TG_SECOND * 50);
  tg_cancel(outer);
  assert_int_equal(tg_ctx_err(later), TG_CANCELED);
  assert_int_equal(tg_ctx_err(val), TG_CANCELED);
  tg_ctx_release(val);
  tg_ctx_release(sooner);
  tg_ctx_release(later);
  tg_ctx_release(outer);
}

static void test_values(void **state) {
  (void)state;
  static const char k1, k2, k3;
  int v1 = 1, v2 = 2, v1b = 11;
  tg_ctx *a = tg_with_value(tg_background(), &k1, &v1);
  tg_ctx *b = tg_with_cancel(a);
  tg_ctx *c = tg_with_value(b, &k2, &v2);
  tg_ctx *d = tg_with_value(c, &k1, &v1b); /* shadows k1 below it */
  assert_ptr_equal(tg_ctx_value(a, &k1), &v1);
  assert_ptr_equal(tg_ctx_value(c, &k1), &v1); /* up through a cancel context */
  assert_ptr_equal(tg_ctx_value(c, &k2), &v2);
  assert_ptr_equal(tg_ctx_value(d, &k1), &v1b);
  assert_ptr_equal(tg_ctx_value(d, &k2), &v2);
  assert_null(tg_ctx_value(d, &k3));
  assert_null(tg_ctx_value(a, &k2)); /* not down the tree */
  assert_null(tg_ctx_done(a));       /* a value over Background: never canceled */
  assert_int_equal(tg_ctx_err(a), 0);
  tg_cancel(d); /* a value context has no cancel of its own */
  assert_int_equal(tg_ctx_err(d), 0);
  tg_ctx_release(d);
  tg_ctx_release(c);
  tg_ctx_release(b);
  tg_ctx_release(a);
}

/* Goroutines blocked on Done (plain receive and select) wake on cancel and
 * see Err set. */
static struct {
  tg_ctx *ctx;
  int woke_with_err;
  tg_waitgroup wg;
} wake;

static void wake_recv(void *arg) {
  (void)arg;
  tg_chan_recv(tg_ctx_done(wake.ctx), NULL);
  if (tg_ctx_err(wake.ctx) == TG_CANCELED)
    inc_int(&wake.woke_with_err);
  tg_waitgroup_done(&wake.wg);
}

static void wake_select(void *arg) {
  (void)arg;
  tg_case cs[] = {TG_RECV(tg_ctx_done(wake.ctx), NULL, NULL), TG_AFTER(TG_SECOND * 3600)};
  if (tg_select(cs, 2) == 0 && tg_ctx_err(wake.ctx) == TG_CANCELED)
    inc_int(&wake.woke_with_err);
  tg_waitgroup_done(&wake.wg);
}

static void test_cancel_wakes_waiters(void **state) {
  (void)state;
  memset(&wake, 0, sizeof wake);
  tg_ctx *parent = tg_with_cancel(tg_background());
  wake.ctx = tg_with_value(parent, "k", NULL);
  tg_waitgroup_add(&wake.wg, 6);
  for (int i = 0; i < 3; i++) {
    tg_go(wake_recv, NULL);
    tg_go(wake_select, NULL);
  }
  tg_sleep(TG_MILLISECOND);
  assert_int_equal(load_int(&wake.woke_with_err), 0);
  tg_cancel(parent);
  tg_waitgroup_wait(&wake.wg);
  assert_int_equal(load_int(&wake.woke_with_err), 6);
  tg_ctx_release(wake.ctx);
  tg_ctx_release(parent);
}

/* Workers still look at the context just after the owner released it (Go's
 * `defer cancel()`): it reads as canceled, not as freed memory. */
static struct {
  tg_ctx *ctx;
  int saw_canceled;
  tg_waitgroup wg;
} after;

static void after_worker(void *arg) {
  (void)arg;
  tg_chan_recv(tg_ctx_done(after.ctx), NULL);
  if (tg_ctx_err(after.ctx) == TG_CANCELED)
    inc_int(&after.saw_canceled);
  tg_waitgroup_done(&after.wg);
}

static void test_use_just_after_release(void **state) {
  (void)state;
  memset(&after, 0, sizeof after);
  after.ctx = tg_with_cancel(tg_background());
  tg_waitgroup_add(&after.wg, 4);
  for (int i = 0; i < 4; i++)
    tg_go(after_worker, NULL);
  tg_sleep(TG_MILLISECOND);
  tg_ctx_release(after.ctx);
  tg_waitgroup_wait(&after.wg);
  assert_int_equal(load_int(&after.saw_canceled), 4);
}

/* A million create/release cycles of every kind: the number of allocated
 * contexts, of pending timers and (outside ASan) the heap stay flat. */
static void test_no_leak_over_a_million_cycles(void **state) {
  (void)state;
  bool asan = getenv("TANGLE_ASAN_TEST") != NULL;
  int cycles = asan ? 200000 : 1000000;
  tg_ctx *parent = tg_with_cancel(tg_background());
  /* Warm up: the quarantine fills, the closed channel exists. */
  for (int i = 0; i < 2 * TG__CTX_QUARANTINE; i++)
    tg_ctx_release(tg_with_cancel(parent));
  int64_t live0 = tg__ctx_live();
  int timers0 = atomic_load(&tg__sched.ntimers);
  struct mallinfo2 m0 = mallinfo2();
  for (int i = 0; i < cycles; i++) {
    switch (i % 5) {
    case 0:
      tg_ctx_release(tg_with_cancel(tg_background()));
      break;
    case 1: {
      tg_ctx *c = tg_with_cancel(parent);
      tg_ctx_done(c); /* a real channel to free */
      tg_ctx_release(c);
      break;
    }
    case 2:
      tg_ctx_release(tg_with_timeout(parent, TG_SECOND * 3600)); /* timer armed, stopped */
      break;
    case 3: {
      tg_ctx *v = tg_with_value(parent, "k", NULL);
      tg_ctx *c = tg_with_cancel(v);
      tg_ctx *g = tg_with_timeout(c, TG_SECOND * 3600);
      tg_ctx_release(v); /* parents first: children keep them alive */
      tg_ctx_release(c);
      tg_ctx_release(g);
      break;
    }
    case 4: {
      tg_ctx *c = tg_with_cancel(parent);
      tg_cancel(c);
      tg_ctx_release(c);
      break;
    }
    }
    if (i % 100000 == 0)
      assert_true(tg__ctx_live() - live0 <= TG__CTX_QUARANTINE);
  }
  int64_t live1 = tg__ctx_live();
  assert_true(live1 - live0 <= TG__CTX_QUARANTINE);
  /* The count is global: a timer of some other goroutine may be pending for
   * a moment (on a loaded machine, one was). A leak stays; that does not. */
  for (int i = 0; i < 2000 && atomic_load(&tg__sched.ntimers) != timers0; i++)
    tg_sleep(TG_MILLISECOND);
  assert_int_equal(atomic_load(&tg__sched.ntimers), timers0);
  if (!asan) {
    struct mallinfo2 m1 = mallinfo2();
    long grown = (long)m1.uordblks - (long)m0.uordblks;
    /* A leak of even one small allocation per cycle would be ~100 MB. */
    assert_true(grown < 1024 * 1024);
  }
  tg_ctx_release(parent);
}

/* Expired timers release their reference too: after they fire and the
 * contexts are released, nothing is left. */
static void test_fired_timers_do_not_leak(void **state) {
  (void)state;
  enum { N = 2000 };
  int64_t live0 = tg__ctx_live();
  tg_ctx **cs = malloc(N * sizeof *cs);
  for (int i = 0; i < N; i++)
    cs[i] = tg_with_timeout(tg_background(), (i % 50) * TG_MICROSECOND);
  for (int i = 0; i < N; i++) {
    tg_chan_recv(tg_ctx_done(cs[i]), NULL);
    assert_int_equal(tg_ctx_err(cs[i]), TG_DEADLINE_EXCEEDED);
  }
  for (int i = 0; i < N; i++)
    tg_ctx_release(cs[i]);
  free(cs);
  /* Push the released ones out of the quarantine. */
  for (int i = 0; i < 2 * TG__CTX_QUARANTINE; i++)
    tg_ctx_release(tg_with_cancel(tg_background()));
  assert_true(tg__ctx_live() - live0 <= TG__CTX_QUARANTINE);
}

/* ---- misuse ------------------------------------------------------------ */

static void misuse_nil_parent(void) {
  tg_with_cancel(NULL);
}
static void misuse_nil_key(void) {
  tg_with_value(tg_background(), NULL, NULL);
}
static void misuse_double_release(void) {
  tg_ctx *c = tg_with_cancel(tg_background());
  tg_ctx_release(c);
  tg_ctx_release(c);
}

static void test_misuse(void **state) {
  (void)state;
  expect_death("nil_parent", "panic: cannot create context from nil parent");
  expect_death("nil_key", "panic: nil key");
  expect_death("double_release", "fatal error: context: tg_ctx_release of a released context");
}

static const struct child_scenario cases[] = {
    {"nil_parent", misuse_nil_parent},
    {"nil_key", misuse_nil_key},
    {"double_release", misuse_double_release},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  go_child_dispatch(argc, argv, cases);
  const struct CMUnitTest tests[] = {
      GO_TEST(test_background_and_todo),
      GO_TEST(test_with_cancel),
      GO_TEST(test_done_after_cancel_is_closed),
      GO_TEST(test_release_cancels),
      GO_TEST(test_cancel_propagates_down_only),
      GO_TEST(test_deep_chain),
      GO_TEST(test_timeout_expires),
      GO_TEST(test_deadline_in_past),
      GO_TEST(test_deadline_inheritance),
      GO_TEST(test_values),
      GO_TEST(test_cancel_wakes_waiters),
      GO_TEST(test_use_just_after_release),
      GO_TEST(test_no_leak_over_a_million_cycles),
      GO_TEST(test_fired_timers_do_not_leak),
      GO_TEST(test_misuse),
  };
  return go_run_tests("context", tests, sizeof tests / sizeof tests[0]);
}
