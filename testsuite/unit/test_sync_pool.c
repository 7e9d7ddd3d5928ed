/* tg_pool: Get falls back to new_fn (or NULL), Put then Get on the same P
 * returns the object, objects are cached on the putting P's slot, other Ps
 * take them when theirs is empty, objects are conserved under concurrent
 * use, and destroy hands every cached object to free_fn once. */
#include "rt.h"
#include "sema.h"
#include "sync_test_util.h"

static int made;
static void *make_obj(void *ctx) {
  inc_int(&made);
  int *o = malloc(sizeof *o);
  *o = ctx ? *(int *)ctx : 0;
  return o;
}

static int freed;
static void free_obj(void *obj) {
  inc_int(&freed);
  free(obj);
}

static int my_pid(void) {
  return tg__getm()->p->id;
}

static void test_get_empty_uses_new_fn(void **state) {
  (void)state;
  tg_pool p;
  int seven = 7;
  made = freed = 0;
  tg_pool_init(&p, make_obj, &seven);
  int *a = tg_pool_get(&p);
  assert_non_null(a);
  assert_int_equal(*a, 7); /* new_fn got the ctx */
  assert_int_equal(made, 1);
  free(a);
  tg_pool_destroy(&p, free_obj);
  assert_int_equal(freed, 0);
}

static void test_zero_value_pool_returns_null(void **state) {
  (void)state;
  tg_pool p;
  memset(&p, 0, sizeof p);
  assert_null(tg_pool_get(&p));
  int x;
  tg_pool_put(&p, &x);
  assert_ptr_equal(tg_pool_get(&p), &x);
  assert_null(tg_pool_get(&p));
  tg_pool_put(&p, NULL); /* ignored */
  assert_null(tg_pool_get(&p));
  tg_pool_destroy(&p, NULL);
}

/* Put and Get with no park in between run on one P: the object comes back
 * from that P's slot, and objects stay on the slot they were put on. */
static void test_put_get_same_p(void **state) {
  (void)state;
  tg_pool p;
  made = freed = 0;
  tg_pool_init(&p, make_obj, NULL);
  void *a = tg_pool_get(&p);
  void *b = tg_pool_get(&p);
  void *c = tg_pool_get(&p);
  assert_int_equal(made, 3);
  int pid = my_pid();
  tg_pool_put(&p, a);
  tg_pool_put(&p, b);
  tg_pool_put(&p, c);
  assert_int_equal(tg__pool_cached(&p, pid), 3);
  for (int i = 0; i < 64; i++)
    if (i != pid)
      assert_int_equal(tg__pool_cached(&p, i), 0);
  assert_int_equal(tg__pool_cached(&p, -1), 0);
  void *got[3] = {tg_pool_get(&p), tg_pool_get(&p), tg_pool_get(&p)};
  assert_int_equal(made, 3); /* all three came from the pool */
  assert_int_equal(tg__pool_cached(&p, pid), 0);
  int seen = 0;
  for (int i = 0; i < 3; i++)
    seen |= (got[i] == a) | (got[i] == b) << 1 | (got[i] == c) << 2;
  assert_int_equal(seen, 7);
  for (int i = 0; i < 3; i++)
    tg_pool_put(&p, got[i]);
  tg_pool_destroy(&p, free_obj);
  assert_int_equal(freed, 3);
}

/* Objects put on one P beyond its private one are found by a goroutine on
 * another P (which steals them) rather than new ones being made; the
 * private object is the owner's alone, as in Go. main spins without parking
 * while the getter runs, so the getter cannot run on main's P. */
static struct {
  tg_pool pool;
  void *got;
  int pid;
  int finished;
} steal;

static void steal_getter(void *arg) {
  (void)arg;
  steal.got = tg_pool_get(&steal.pool);
  steal.pid = my_pid();
  store_int(&steal.finished, 1);
}

static void test_other_p_steals(void **state) {
  (void)state;
  int old = tg_maxprocs(2);
  made = freed = 0;
  memset(&steal, 0, sizeof steal);
  tg_pool_init(&steal.pool, make_obj, NULL);
  void *a = tg_pool_get(&steal.pool);
  void *b = tg_pool_get(&steal.pool);
  int pid = my_pid();
  tg_pool_put(&steal.pool, a); /* private */
  tg_pool_put(&steal.pool, b); /* shared part of the slot */
  assert_int_equal(tg__pool_cached(&steal.pool, pid), 2);
  tg_go(steal_getter, NULL);
  while (!load_int(&steal.finished))
    ; /* no park: main keeps its P */
  assert_int_not_equal(steal.pid, pid);
  assert_ptr_equal(steal.got, b); /* a cached object, not a new one */
  assert_int_equal(made, 2);
  assert_int_equal(tg__pool_cached(&steal.pool, pid), 1);
  assert_ptr_equal(tg_pool_get(&steal.pool), a); /* still ours */
  free(a);
  free(b);
  tg_pool_destroy(&steal.pool, free_obj);
  assert_int_equal(freed, 0);
  tg_maxprocs(old);
}

/* Objects are conserved: goroutines Get and Put concurrently; at the end
 * every object ever made is in the pool exactly once. */
#define CONS_G     8
#define CONS_ITERS 20000
static struct {
  tg_pool pool;
  tg_waitgroup wg;
  int in_use_twice;
} cons;

static void *make_flagged(void *ctx) {
  (void)ctx;
  inc_int(&made);
  return calloc(1, sizeof(int));
}

static void cons_worker(void *arg) {
  (void)arg;
  for (int i = 0; i < CONS_ITERS; i++) {
    int *a = tg_pool_get(&cons.pool);
    int *b = tg_pool_get(&cons.pool);
    /* The flag is ours while we hold the object: 1 means two holders. */
    if (__atomic_exchange_n(a, 1, __ATOMIC_SEQ_CST) != 0 ||
        __atomic_exchange_n(b, 1, __ATOMIC_SEQ_CST) != 0)
      inc_int(&cons.in_use_twice);
    if (i % 32 == 0)
      tg_yield();
    __atomic_store_n(a, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(b, 0, __ATOMIC_SEQ_CST);
    tg_pool_put(&cons.pool, b);
    tg_pool_put(&cons.pool, a);
  }
  tg_waitgroup_done(&cons.wg);
}

static void test_objects_conserved(void **state) {
  (void)state;
  memset(&cons, 0, sizeof cons);
  made = freed = 0;
  tg_pool_init(&cons.pool, make_flagged, NULL);
  tg_waitgroup_add(&cons.wg, CONS_G);
  for (int i = 0; i < CONS_G; i++)
    tg_go(cons_worker, NULL);
  tg_waitgroup_wait(&cons.wg);
  assert_int_equal(load_int(&cons.in_use_twice), 0);
  assert_true(made >= 2);
  int cached = tg__pool_cached(&cons.pool, -1);
  for (int i = 0; i < 256; i++)
    cached += tg__pool_cached(&cons.pool, i);
  assert_int_equal(cached, made);
  tg_pool_destroy(&cons.pool, free_obj);
  assert_int_equal(freed, made);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GO_TEST(test_get_empty_uses_new_fn), GO_TEST(test_zero_value_pool_returns_null),
      GO_TEST(test_put_get_same_p),        GO_TEST(test_other_p_steals),
      GO_TEST(test_objects_conserved),
  };
  return go_run_tests("sync_pool", tests, sizeof tests / sizeof tests[0]);
}
