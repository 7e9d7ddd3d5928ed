/* tg_rwmutex: zero value, readers share, a writer excludes everyone, a
 * waiting writer blocks new readers (writer preference), Try variants,
 * readers/writers invariant under load, and the fatal errors of misuse. */
#include "rt.h"
#include "sema.h"
#include "sync_test_util.h"

static void test_zero_value(void **state) {
  (void)state;
  tg_rwmutex rw = {0};
  tg_rwmutex_rlock(&rw);
  tg_rwmutex_rlock(&rw);
  tg_rwmutex_runlock(&rw);
  tg_rwmutex_runlock(&rw);
  tg_rwmutex_lock(&rw);
  tg_rwmutex_unlock(&rw);
  tg_rwmutex zero = {0};
  assert_memory_equal(&rw, &zero, sizeof rw);
}

static void test_try_variants(void **state) {
  (void)state;
  tg_rwmutex rw = {0};
  assert_true(tg_rwmutex_tryrlock(&rw));
  assert_true(tg_rwmutex_tryrlock(&rw)); /* readers share */
  assert_false(tg_rwmutex_trylock(&rw)); /* not while read-locked */
  tg_rwmutex_runlock(&rw);
  tg_rwmutex_runlock(&rw);
  assert_true(tg_rwmutex_trylock(&rw));
  assert_false(tg_rwmutex_tryrlock(&rw)); /* not while write-locked */
  assert_false(tg_rwmutex_trylock(&rw));
  tg_rwmutex_unlock(&rw);
  assert_true(tg_rwmutex_tryrlock(&rw));
  tg_rwmutex_runlock(&rw);
}

/* Two readers hold the lock at the same time: each waits, while holding it,
 * for the other to have it too. */
static struct {
  tg_rwmutex rw;
  tg_chan *a_in, *b_in;
  tg_waitgroup wg;
} share;

static void share_reader_a(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&share.rw);
  tg_chan_send(share.a_in, &(int){1});
  tg_chan_recv(share.b_in, NULL);
  tg_rwmutex_runlock(&share.rw);
  tg_waitgroup_done(&share.wg);
}

static void share_reader_b(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&share.rw);
  tg_chan_recv(share.a_in, NULL);
  tg_chan_send(share.b_in, &(int){1});
  tg_rwmutex_runlock(&share.rw);
  tg_waitgroup_done(&share.wg);
}

static void test_readers_share(void **state) {
  (void)state;
  memset(&share, 0, sizeof share);
  share.a_in = tg_chan_make(sizeof(int), 0);
  share.b_in = tg_chan_make(sizeof(int), 0);
  tg_waitgroup_add(&share.wg, 2);
  tg_go(share_reader_a, NULL);
  tg_go(share_reader_b, NULL);
  tg_waitgroup_wait(&share.wg); /* would deadlock if readers excluded each other */
  tg_chan_free(share.a_in);
  tg_chan_free(share.b_in);
}

/* Writer preference: reader R1 holds the lock; writer W waits for it; a new
 * reader R2 must now wait too, and gets the lock only after W. */
static struct {
  tg_rwmutex rw;
  tg_mutex order_mu;
  int order[2];
  int norder;
  int w_locked;
  tg_waitgroup wg;
} pref;

static void pref_record(int who) {
  tg_mutex_lock(&pref.order_mu);
  pref.order[pref.norder++] = who;
  tg_mutex_unlock(&pref.order_mu);
}

static void pref_writer(void *arg) {
  (void)arg;
  tg_rwmutex_lock(&pref.rw);
  store_int(&pref.w_locked, 1);
  pref_record('W');
  tg_rwmutex_unlock(&pref.rw);
  tg_waitgroup_done(&pref.wg);
}

static void pref_reader2(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&pref.rw);
  pref_record('R');
  tg_rwmutex_runlock(&pref.rw);
  tg_waitgroup_done(&pref.wg);
}

static void test_waiting_writer_blocks_new_readers(void **state) {
  (void)state;
  memset(&pref, 0, sizeof pref);
  tg_waitgroup_add(&pref.wg, 2);
  tg_rwmutex_rlock(&pref.rw); /* main is R1 */
  tg_go(pref_writer, NULL);
  WAIT_UNTIL(tg__sema_nwait(&pref.rw.writer_sema_) == 1); /* W waits for R1 */
  assert_false(tg_rwmutex_tryrlock(&pref.rw));            /* new readers are refused */
  tg_go(pref_reader2, NULL);
  WAIT_UNTIL(tg__sema_nwait(&pref.rw.reader_sema_) == 1); /* R2 waits behind W */
  assert_int_equal(load_int(&pref.w_locked), 0);
  tg_rwmutex_runlock(&pref.rw);
  tg_waitgroup_wait(&pref.wg);
  assert_int_equal(pref.norder, 2);
  assert_int_equal(pref.order[0], 'W');
  assert_int_equal(pref.order[1], 'R');
  tg_rwmutex zero = {0};
  assert_memory_equal(&pref.rw, &zero, sizeof zero);
}

/* A writer waits for every active reader, and readers that queued behind a
 * writer all get in together when it unlocks. */
static struct {
  tg_rwmutex rw;
  int readers_in;
  int max_readers_in;
  tg_waitgroup wg;
  tg_chan *hold;
} many;

static void many_reader(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&many.rw);
  int n = inc_int(&many.readers_in);
  int m = load_int(&many.max_readers_in);
  while (n > m && !__atomic_compare_exchange_n(&many.max_readers_in, &m, n, false, __ATOMIC_SEQ_CST,
                                               __ATOMIC_SEQ_CST))
    ;
  tg_chan_recv(many.hold, NULL);
  __atomic_sub_fetch(&many.readers_in, 1, __ATOMIC_SEQ_CST);
  tg_rwmutex_runlock(&many.rw);
  tg_waitgroup_done(&many.wg);
}

static void test_queued_readers_enter_together(void **state) {
  (void)state;
  enum { N = 5 };
  memset(&many, 0, sizeof many);
  many.hold = tg_chan_make(sizeof(int), 0);
  tg_waitgroup_add(&many.wg, N);
  tg_rwmutex_lock(&many.rw);
  for (int i = 0; i < N; i++)
    tg_go(many_reader, NULL);
  WAIT_UNTIL(tg__sema_nwait(&many.rw.reader_sema_) == N);
  assert_int_equal(load_int(&many.readers_in), 0);
  tg_rwmutex_unlock(&many.rw);
  WAIT_UNTIL(load_int(&many.readers_in) == N); /* all inside at once */
  assert_false(tg_rwmutex_trylock(&many.rw));
  tg_chan_close(many.hold);
  tg_waitgroup_wait(&many.wg);
  assert_int_equal(load_int(&many.max_readers_in), N);
  assert_true(tg_rwmutex_trylock(&many.rw));
  tg_rwmutex_unlock(&many.rw);
  tg_chan_free(many.hold);
}

/* Under load: a writer is always alone; readers never see a half-written
 * pair of values. */
static struct {
  tg_rwmutex rw;
  long a, b;
  int writers_in, readers_in;
  int violations;
  tg_waitgroup wg;
} load;

static void load_writer(void *arg) {
  (void)arg;
  for (int i = 0; i < 2000; i++) {
    tg_rwmutex_lock(&load.rw);
    if (inc_int(&load.writers_in) != 1 || load_int(&load.readers_in) != 0)
      inc_int(&load.violations);
    load.a++;
    if (i % 16 == 0)
      tg_yield();
    load.b++;
    __atomic_sub_fetch(&load.writers_in, 1, __ATOMIC_SEQ_CST);
    tg_rwmutex_unlock(&load.rw);
  }
  tg_waitgroup_done(&load.wg);
}

static void load_reader(void *arg) {
  (void)arg;
  for (int i = 0; i < 5000; i++) {
    tg_rwmutex_rlock(&load.rw);
    inc_int(&load.readers_in);
    if (load_int(&load.writers_in) != 0 || load.a != load.b)
      inc_int(&load.violations);
    __atomic_sub_fetch(&load.readers_in, 1, __ATOMIC_SEQ_CST);
    tg_rwmutex_runlock(&load.rw);
  }
  tg_waitgroup_done(&load.wg);
}

static void test_invariants_under_load(void **state) {
  (void)state;
  memset(&load, 0, sizeof load);
  tg_waitgroup_add(&load.wg, 3 + 6);
  for (int i = 0; i < 3; i++)
    tg_go(load_writer, NULL);
  for (int i = 0; i < 6; i++)
    tg_go(load_reader, NULL);
  tg_waitgroup_wait(&load.wg);
  assert_int_equal(load_int(&load.violations), 0);
  assert_int_equal(load.a, 3 * 2000);
  assert_int_equal(load.b, 3 * 2000);
}

/* ---- misuse ------------------------------------------------------------ */

static void misuse_runlock_unlocked(void) {
  tg_rwmutex rw = {0};
  tg_rwmutex_runlock(&rw);
}

static void misuse_runlock_write_locked(void) {
  tg_rwmutex rw = {0};
  tg_rwmutex_lock(&rw);
  tg_rwmutex_runlock(&rw);
}

static void misuse_unlock_unlocked(void) {
  tg_rwmutex rw = {0};
  tg_rwmutex_unlock(&rw);
}

static void misuse_double_unlock(void) {
  tg_rwmutex rw = {0};
  tg_rwmutex_lock(&rw);
  tg_rwmutex_unlock(&rw);
  tg_rwmutex_unlock(&rw);
}

static void test_misuse_is_fatal(void **state) {
  (void)state;
  expect_death("runlock_unlocked", "fatal error: sync: RUnlock of unlocked RWMutex");
  expect_death("runlock_write_locked", "fatal error: sync: RUnlock of unlocked RWMutex");
  expect_death("unlock_unlocked", "fatal error: sync: Unlock of unlocked RWMutex");
  expect_death("double_unlock", "fatal error: sync: Unlock of unlocked RWMutex");
}

static const struct child_scenario cases[] = {
    {"runlock_unlocked", misuse_runlock_unlocked},
    {"runlock_write_locked", misuse_runlock_write_locked},
    {"unlock_unlocked", misuse_unlock_unlocked},
    {"double_unlock", misuse_double_unlock},
    {NULL, NULL},
};

int main(int argc, char **argv) {
  go_child_dispatch(argc, argv, cases);
  const struct CMUnitTest tests[] = {
      GO_TEST(test_zero_value),
      GO_TEST(test_try_variants),
      GO_TEST(test_readers_share),
      GO_TEST(test_waiting_writer_blocks_new_readers),
      GO_TEST(test_queued_readers_enter_together),
      GO_TEST(test_invariants_under_load),
      GO_TEST(test_misuse_is_fatal),
  };
  return go_run_tests("sync_rwmutex", tests, sizeof tests / sizeof tests[0]);
}
