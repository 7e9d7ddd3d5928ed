/* The scheduler: goroutine identity and lifecycle, yield, goexit, maxprocs,
 * blocking calls, 1M goroutines, cross-P hand-off, deadlock and crash
 * reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <stdatomic.h>
#include <tangle.h>

#include "child.h"

static tg_chan *ids;

static void send_self(void *arg) {
  (void)arg;
  uint64_t id = tg_self();
  tg_chan_send(ids, &id);
}

static void test_ids(void **state) {
  (void)state;
  assert_int_equal(tg_self(), 1);
  ids = tg_chan_make(sizeof(uint64_t), 0);
  uint64_t a = tg_go(send_self, NULL);
  uint64_t got;
  assert_true(tg_chan_recv(ids, &got));
  assert_int_equal(got, a);
  uint64_t b = tg_go(send_self, NULL);
  assert_true(b > a);
  assert_true(tg_chan_recv(ids, &got));
  assert_int_equal(got, b);
  tg_chan_free(ids);
}

static atomic_int counter;
static tg_chan *exited;

static void goexit_body(void *arg) {
  (void)arg;
  atomic_fetch_add(&counter, 1);
  tg_chan_send(exited, NULL);
  tg_goexit();
  atomic_fetch_add(&counter, 100); /* never runs */
}

static void test_goexit_and_count(void **state) {
  (void)state;
  atomic_store(&counter, 0);
  exited = tg_chan_make(0, 0);
  int before = tg_num_goroutine();
  tg_go(goexit_body, NULL);
  tg_chan_recv(exited, NULL);
  /* It is gone once it switched away after the send. */
  for (int i = 0; i < 1000 && tg_num_goroutine() != before; i++)
    tg_sleep(TG_MILLISECOND);
  assert_int_equal(tg_num_goroutine(), before);
  assert_int_equal(atomic_load(&counter), 1);
  tg_chan_free(exited);
}

static atomic_int turns;

static void yielder(void *arg) {
  int *flag = arg;
  while (!atomic_load((atomic_int *)flag))
    tg_yield();
  atomic_fetch_add(&turns, 1);
}

/* With one P, a goroutine spinning on tg_yield must let the goroutine that
 * sets its flag run. */
static void test_yield_lets_others_run(void **state) {
  (void)state;
  int old = tg_maxprocs(1);
  atomic_int flag = 0;
  atomic_store(&turns, 0);
  tg_go(yielder, &flag);
  tg_yield();
  atomic_store(&flag, 1);
  while (atomic_load(&turns) == 0)
    tg_yield();
  assert_int_equal(atomic_load(&turns), 1);
  assert_int_equal(tg_maxprocs(old), 1);
  assert_int_equal(tg_maxprocs(0), old);
}

static tg_chan *million;

static void one_value(void *arg) {
  tg_chan_send(million, &(int){(int)(intptr_t)arg});
}

static void test_million_goroutines(void **state) {
  (void)state;
  const int n = getenv("TANGLE_ASAN_TEST") ? 100000 : 1000000;
  million = tg_chan_make(sizeof(int), 1024);
  for (int i = 0; i < n; i++)
    tg_go(one_value, (void *)(intptr_t)1);
  long sum = 0;
  int v;
  for (int i = 0; i < n; i++) {
    assert_true(tg_chan_recv(million, &v));
    sum += v;
  }
  assert_int_equal(sum, n);
  tg_chan_free(million);
}

/* Many producers and consumers over one channel, two Ps: every value
 * arrives exactly once. */
#define HANDOFF_PRODUCERS 8
#define HANDOFF_PER       20000
static tg_chan *handoff, *handoff_done;
static atomic_uchar seen[HANDOFF_PRODUCERS * HANDOFF_PER];

static void handoff_producer(void *arg) {
  int base = (int)(intptr_t)arg * HANDOFF_PER;
  for (int i = 0; i < HANDOFF_PER; i++)
    tg_chan_send(handoff, &(int){base + i});
}

static void handoff_consumer(void *arg) {
  (void)arg;
  int v;
  long n = 0;
  while (tg_chan_recv(handoff, &v)) {
    atomic_fetch_add(&seen[v], 1);
    n++;
  }
  tg_chan_send(handoff_done, &n);
}

static void run_handoff(size_t cap) {
  memset(seen, 0, sizeof seen);
  handoff = tg_chan_make(sizeof(int), cap);
  handoff_done = tg_chan_make(sizeof(long), 0);
  for (int c = 0; c < 4; c++)
    tg_go(handoff_consumer, NULL);
  for (int p = 0; p < HANDOFF_PRODUCERS; p++)
    tg_go(handoff_producer, (void *)(intptr_t)p);
  /* Wait for all values, then close so consumers report. */
  long total = 0;
  for (;;) {
    long sum = 0;
    for (size_t i = 0; i < sizeof seen; i++)
      sum += atomic_load(&seen[i]);
    if (sum == (long)sizeof seen)
      break;
    tg_sleep(TG_MILLISECOND);
  }
  tg_chan_close(handoff);
  for (int c = 0; c < 4; c++) {
    long n;
    tg_chan_recv(handoff_done, &n);
    total += n;
  }
  assert_int_equal(total, HANDOFF_PRODUCERS * HANDOFF_PER);
  for (size_t i = 0; i < sizeof seen; i++)
    assert_int_equal(atomic_load(&seen[i]), 1);
  tg_chan_free(handoff);
  tg_chan_free(handoff_done);
}

static void test_cross_p_handoff(void **state) {
  (void)state;
  int old = tg_maxprocs(2);
  run_handoff(0);
  run_handoff(7);
  tg_maxprocs(old);
}

/* Goroutines readied by a goroutine that then never yields (it spins on a
 * flag they set) must be taken by the other P: the waker's runnext slot and
 * a short run queue are left to their owner only while it keeps switching.
 * Without that rule this test spins until its deadline. */
static atomic_int hostages_ran;

static void hostage(void *arg) {
  tg_chan_recv(arg, NULL);
  atomic_fetch_add(&hostages_ran, 1);
}

static void run_hostages(int n) {
  tg_chan *release = tg_chan_make(0, 0);
  atomic_store(&hostages_ran, 0);
  for (int i = 0; i < n; i++)
    tg_go(hostage, release);
  tg_sleep(10 * TG_MILLISECOND); /* every hostage parks on its receive */
  tg_chan_close(release);        /* readies all of them on this P */
  int64_t deadline = tg_now() + 20 * TG_SECOND;
  while (atomic_load(&hostages_ran) < n && tg_now() < deadline)
    ; /* no yield: only another P can run them */
  assert_int_equal(atomic_load(&hostages_ran), n);
  tg_chan_free(release);
}

static void test_readied_work_not_held_hostage(void **state) {
  (void)state;
  int old = tg_maxprocs(2);
  run_hostages(1); /* runnext alone */
  run_hostages(3); /* runnext and a short queue */
  tg_maxprocs(old);
}

/* Two goroutines handing a value back and forth keep refilling their P's
 * runnext; a third one queued behind them on the same P must still run:
 * taken by the other P's thief (the queue does not drain), or, with one P,
 * by its own P once sysmon sees the queue stuck (Go: runnext inherits the
 * time slice, and a 10 ms slice ends). Without either this test waits
 * until its deadline. */
static tg_chan *handoff_ping, *handoff_pong, *handoff_wake;
static atomic_int handoff_stop;

static void queued_stopper(void *arg) {
  (void)arg;
  tg_chan_recv(handoff_wake, NULL);
  atomic_store(&handoff_stop, 1);
}

/* Request and response: at every ping the ponger is parked on its
 * receive, so readying it kicks whatever sat in runnext to the queue. */
static void handoff_pinger(void *arg) {
  char tok = 0;
  for (long i = 0; !atomic_load(&handoff_stop); i++) {
    if (i == 100)
      tg_chan_send(handoff_wake, &tok); /* the stopper: runnext, then the queue */
    tg_chan_send(handoff_ping, &tok);
    tg_chan_recv(handoff_pong, NULL);
  }
  tg_chan_close(handoff_ping);
  tg_chan_send(arg, &tok);
}

static void handoff_ponger(void *arg) {
  char tok = 0;
  while (tg_chan_recv(handoff_ping, NULL))
    tg_chan_send(handoff_pong, &tok);
  tg_chan_send(arg, &tok);
}

/* A plain thread, outside the runtime, so that no timer of the waiting
 * side perturbs the hand-offs (a timer readies its goroutine into the
 * runnext slot and lets the queue move). */
static atomic_int starve_done;
static void *handoff_watchdog(void *arg) {
  (void)arg;
  for (int i = 0; i < 2000 && !atomic_load(&starve_done); i++)
    usleep(10000);
  if (!atomic_load(&starve_done)) {
    fprintf(stderr, "a goroutine queued behind hand-offs never ran (20 s)\n");
    _exit(1);
  }
  return NULL;
}

static void run_queued_behind_handoffs(int procs) {
  int old = tg_maxprocs(procs);
  atomic_store(&handoff_stop, 0);
  atomic_store(&starve_done, 0);
  pthread_t wd;
  assert_int_equal(pthread_create(&wd, NULL, handoff_watchdog, NULL), 0);
  handoff_ping = tg_chan_make(1, 0);
  handoff_pong = tg_chan_make(1, 0);
  handoff_wake = tg_chan_make(1, 0);
  tg_chan *fin = tg_chan_make(1, 2);
  tg_go(queued_stopper, NULL);
  tg_go(handoff_ponger, fin);
  tg_go(handoff_pinger, fin);
  tg_chan_recv(fin, NULL);
  tg_chan_recv(fin, NULL);
  atomic_store(&starve_done, 1);
  tg_enter_blocking();
  pthread_join(wd, NULL);
  tg_exit_blocking();
  tg_chan_free(fin);
  tg_chan_free(handoff_ping);
  tg_chan_free(handoff_pong);
  tg_chan_free(handoff_wake);
  tg_maxprocs(old);
}

static void test_queue_not_starved_by_handoffs(void **state) {
  (void)state;
  run_queued_behind_handoffs(1);
  run_queued_behind_handoffs(2);
}

/* errno belongs to the goroutine: each one sets its own, parks, maybe
 * resumes on another thread, and must find its own value, whatever the
 * others set meanwhile. */
#define ERRNO_GS     8
#define ERRNO_ROUNDS 2000
static atomic_int errno_bad;

static tg_chan *errno_fin;

/* __errno_location() is declared const, so a compiler may keep errno's
 * address across a call that moved the goroutine to another thread; code
 * that reads errno after a possible park must take it afresh, as these do
 * (docs/guide.md says so). */
__attribute__((noinline)) static int errno_get(void) {
  return errno;
}
__attribute__((noinline)) static void errno_set(int e) {
  errno = e;
}

static void errno_keeper(void *arg) {
  tg_chan *c = arg;
  int mine = 1000 + (int)(tg_self() % 1000);
  for (int i = 0; i < ERRNO_ROUNDS; i++) {
    errno_set(mine + i);
    tg_chan_recv(c, NULL);
    if (errno_get() != mine + i)
      atomic_fetch_add(&errno_bad, 1);
    tg_yield();
    if (errno_get() != mine + i)
      atomic_fetch_add(&errno_bad, 1);
  }
  tg_chan_send(errno_fin, NULL);
}

static void test_errno_follows_goroutine(void **state) {
  (void)state;
  int old = tg_maxprocs(2);
  tg_chan *c = tg_chan_make(0, 0);
  errno_fin = tg_chan_make(0, ERRNO_GS);
  for (int i = 0; i < ERRNO_GS; i++)
    tg_go(errno_keeper, c);
  char token = 0;
  for (int i = 0; i < ERRNO_GS * ERRNO_ROUNDS; i++) {
    errno_set(-1);
    tg_chan_send(c, &token);
  }
  for (int i = 0; i < ERRNO_GS; i++)
    tg_chan_recv(errno_fin, NULL);
  assert_int_equal(errno_get(), -1);
  assert_int_equal(atomic_load(&errno_bad), 0);
  tg_chan_free(errno_fin);
  tg_chan_free(c);
  tg_maxprocs(old);
}

/* A goroutine inside tg_enter_blocking must not hold up the others, even
 * with one P. */
static int block_pipe[2];
static atomic_int progressed;

static void blocker(void *arg) {
  (void)arg;
  char ch;
  tg_enter_blocking();
  ssize_t r = read(block_pipe[0], &ch, 1);
  tg_exit_blocking();
  assert_int_equal(r, 1);
  atomic_fetch_add(&progressed, 10);
}

static void runner(void *arg) {
  (void)arg;
  atomic_fetch_add(&progressed, 1);
  char ch = 'x';
  assert_int_equal(write(block_pipe[1], &ch, 1), 1);
}

static void test_blocking_call_hands_p_off(void **state) {
  (void)state;
  int old = tg_maxprocs(1);
  assert_int_equal(pipe(block_pipe), 0);
  atomic_store(&progressed, 0);
  tg_go(blocker, NULL);
  tg_sleep(5 * TG_MILLISECOND); /* let it block in read */
  tg_go(runner, NULL);
  while (atomic_load(&progressed) != 11)
    tg_sleep(TG_MILLISECOND);
  close(block_pipe[0]);
  close(block_pipe[1]);
  tg_maxprocs(old);
}

/* ---- scenarios that end the process ---------------------------------- */

static void child_deadlock(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  int v;
  tg_chan_recv(c, &v);
}

static void blocked_sender(void *arg) {
  tg_chan_send(arg, &(int){1});
}

static void child_deadlock_many(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  tg_go(blocked_sender, tg_chan_make(sizeof(int), 0));
  tg_sleep(TG_MILLISECOND);
  tg_chan_recv(c, NULL);
}

static void child_goexit_main(void) {
  tg_go(blocked_sender, tg_chan_make(sizeof(int), 1));
  tg_goexit();
}

static volatile int depth_limit = 1 << 30; /* defeats -Winfinite-recursion */

static int recurse(int n) {
  volatile char pad[512];
  pad[0] = (char)n;
  if (n > depth_limit)
    return 0;
  return recurse(n + 1) + pad[0];
}

static void overflow_body(void *arg) {
  (void)arg;
  recurse(0);
}

static void child_stack_overflow(void) {
  tg_go(overflow_body, NULL);
  tg_sleep(10 * TG_SECOND);
}

static void child_sigquit(void) {
  tg_go(blocked_sender, tg_chan_make(sizeof(int), 0));
  tg_sleep(30 * TG_SECOND);
}

static void child_panic(void) {
  tg_panic("boom %d", 42);
}

static void child_bad_options(void) {
  tg_sleep(1);
}

static void child_sleep_no_deadlock(void) {
  /* Sleeping goroutines are not deadlocked: the timer wakes them. */
  tg_sleep(20 * TG_MILLISECOND);
  printf("woke\n");
}

static const struct child_scenario scenarios[] = {
    {"deadlock", child_deadlock},       {"deadlock_many", child_deadlock_many},
    {"goexit_main", child_goexit_main}, {"stack_overflow", child_stack_overflow},
    {"sigquit", child_sigquit},         {"panic", child_panic},
    {"bad_options", child_bad_options}, {"sleep_no_deadlock", child_sleep_no_deadlock},
};

static struct child_result res;

static void test_global_deadlock(void **state) {
  (void)state;
  run_child("deadlock", NULL, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "fatal error: all goroutines are asleep - deadlock!"));
  assert_non_null(strstr(res.err, "goroutine 1 [chan receive]:"));
  assert_non_null(strstr(res.err, "child_deadlock"));
  run_child("deadlock_many", NULL, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "goroutine 1 [chan receive]:"));
  assert_non_null(strstr(res.err, "[chan send]:"));
  assert_non_null(strstr(res.err, "blocked_sender"));
  run_child("goexit_main", NULL, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "deadlock!"));
}

static void test_no_deadlock_while_sleeping(void **state) {
  (void)state;
  run_child("sleep_no_deadlock", NULL, &res);
  assert_int_equal(res.status, 0);
  assert_string_equal(res.out, "woke\n");
}

static void test_stack_overflow_message(void **state) {
  (void)state;
  if (getenv("TANGLE_ASAN_TEST"))
    skip(); /* AddressSanitizer reports the overflow itself */
  run_child("stack_overflow", NULL, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "fatal error: stack overflow"));
  assert_non_null(strstr(res.err, "child_stack_overflow"));
}

static void test_sigquit_dump(void **state) {
  (void)state;
  run_child_sig("sigquit", NULL, SIGQUIT, 300, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "goroutine 1 [sleep]:"));
  assert_non_null(strstr(res.err, "[chan send]:"));
  assert_non_null(strstr(res.err, "waiting on channel 0x"));
}

static void test_panic_message(void **state) {
  (void)state;
  run_child("panic", NULL, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "panic: boom 42"));
  assert_non_null(strstr(res.err, "goroutine 1 [running]:"));
}

static void test_bad_options_rejected(void **state) {
  (void)state;
  const char *env1[] = {"TANGLE_OPTIONS=no_such_key=1", NULL};
  run_child("bad_options", env1, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "no_such_key"));
  const char *env2[] = {"TANGLE_OPTIONS=exitcode=abc", NULL};
  run_child("bad_options", env2, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "exitcode=abc"));
  const char *env3[] = {"TANGLE_MAXPROCS=zero", NULL};
  run_child("bad_options", env3, &res);
  assert_int_equal(res.status, 2);
  assert_non_null(strstr(res.err, "TANGLE_MAXPROCS"));
}

static void test_dump_goroutines(void **state) {
  (void)state;
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  tg_go(blocked_sender, c);
  tg_sleep(5 * TG_MILLISECOND);
  int p[2];
  assert_int_equal(pipe(p), 0);
  fcntl(p[0], F_SETFL, O_NONBLOCK);
  tg_dump_goroutines(p[1]);
  close(p[1]);
  static char buf[1 << 16];
  ssize_t n = read(p[0], buf, sizeof buf - 1);
  assert_true(n > 0);
  buf[n] = 0;
  close(p[0]);
  assert_non_null(strstr(buf, "goroutine 1 [running]:"));
  assert_non_null(strstr(buf, "[chan send]:"));
  assert_non_null(strstr(buf, "blocked_sender"));
  /* which channel, and since when */
  char want[64];
  snprintf(want, sizeof want, "waiting on channel %p for ", (void *)c);
  assert_non_null(strstr(buf, want));
  int v;
  tg_chan_recv(c, &v);
  assert_int_equal(v, 1);
}

static pthread_t locked_thread;
static atomic_int locked_ok;

static void locked_body(void *arg) {
  tg_chan *c = arg;
  tg_lock_thread();
  pthread_t me = pthread_self();
  int ok = 1;
  for (int i = 0; i < 2000; i++) {
    tg_chan_recv(c, NULL); /* parks: must come back on the same thread */
    ok &= pthread_equal(me, pthread_self()) != 0;
    if (i % 100 == 0)
      tg_yield();
  }
  tg_unlock_thread();
  atomic_store(&locked_ok, ok ? 1 : 2);
}

static void unlocked_sender(void *arg) {
  for (int i = 0; i < 2000; i++)
    tg_chan_send(arg, NULL);
}

/* A locked goroutine in a long blocking call loses its P to sysmon; it must
 * come back on its own thread. */
static int lock_block_pipe[2];

static void locked_blocker(void *arg) {
  (void)arg;
  tg_lock_thread();
  pthread_t me = pthread_self();
  char ch;
  tg_enter_blocking();
  ssize_t r = read(lock_block_pipe[0], &ch, 1);
  tg_exit_blocking();
  int ok = r == 1 && pthread_equal(me, pthread_self());
  tg_sleep(TG_MILLISECOND); /* park and resume once more */
  ok &= pthread_equal(me, pthread_self()) != 0;
  tg_unlock_thread();
  atomic_store(&locked_ok, ok ? 1 : 2);
}

static void busy_runner(void *arg) {
  (void)arg;
  tg_sleep(20 * TG_MILLISECOND); /* sysmon has taken the P by now */
  char ch = 'x';
  assert_int_equal(write(lock_block_pipe[1], &ch, 1), 1);
}

static void test_locked_goroutine_blocking_call(void **state) {
  (void)state;
  int old = tg_maxprocs(1);
  assert_int_equal(pipe(lock_block_pipe), 0);
  atomic_store(&locked_ok, 0);
  tg_go(locked_blocker, NULL);
  tg_go(busy_runner, NULL);
  while (atomic_load(&locked_ok) == 0)
    tg_sleep(TG_MILLISECOND);
  assert_int_equal(atomic_load(&locked_ok), 1);
  close(lock_block_pipe[0]);
  close(lock_block_pipe[1]);
  tg_maxprocs(old);
}

static void test_lock_thread(void **state) {
  (void)state;
  (void)locked_thread;
  int old = tg_maxprocs(2);
  atomic_store(&locked_ok, 0);
  tg_chan *c = tg_chan_make(0, 0);
  tg_go(locked_body, c);
  tg_go(unlocked_sender, c);
  while (atomic_load(&locked_ok) == 0)
    tg_sleep(TG_MILLISECOND);
  assert_int_equal(atomic_load(&locked_ok), 1);
  tg_maxprocs(old);
}

int main(int argc, char **argv) {
  child_dispatch(argc, argv, scenarios, sizeof scenarios / sizeof *scenarios);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids),
      cmocka_unit_test(test_lock_thread),
      cmocka_unit_test(test_locked_goroutine_blocking_call),
      cmocka_unit_test(test_goexit_and_count),
      cmocka_unit_test(test_yield_lets_others_run),
      cmocka_unit_test(test_million_goroutines),
      cmocka_unit_test(test_cross_p_handoff),
      cmocka_unit_test(test_readied_work_not_held_hostage),
      cmocka_unit_test(test_errno_follows_goroutine),
      cmocka_unit_test(test_queue_not_starved_by_handoffs),
      cmocka_unit_test(test_blocking_call_hands_p_off),
      cmocka_unit_test(test_global_deadlock),
      cmocka_unit_test(test_no_deadlock_while_sleeping),
      cmocka_unit_test(test_stack_overflow_message),
      cmocka_unit_test(test_sigquit_dump),
      cmocka_unit_test(test_panic_message),
      cmocka_unit_test(test_bad_options_rejected),
      cmocka_unit_test(test_dump_goroutines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
