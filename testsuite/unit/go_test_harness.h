/* Harness of the unit tests whose bodies must run as goroutines (sync,
 * context, semaphore, network).
 *
 * cmocka keeps its state in thread-locals, and a goroutine (main included)
 * may resume on another thread after anything that parks. So cmocka runs on
 * a plain thread of its own; each test body runs as a goroutine that the
 * main goroutine starts on the runner's request: a pipe, which the main
 * goroutine reads through the poller, so that while a test runs the harness
 * owns no timer and no sync object the test could count. The body's
 * goroutine posts its completion on a POSIX semaphore.
 *
 * Inside bodies, assert_* and CHECK are this header's own checks: a failure
 * prints the file, line and condition and aborts, failing the binary.
 *
 * Cases that must end the process (Go's panics and fatal errors) or need a
 * runtime in a known state run in a fresh copy of the binary (child.h):
 * expect_death() from a body, expect_child_ok() from the runner thread.
 * (The other unit tests run cmocka on the main goroutine pinned to the main
 * thread by lock_main.c; this harness unpins it.) */
#ifndef GO_TEST_HARNESS_H
#define GO_TEST_HARNESS_H

#include <tangle.h>

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
// clang-format on

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"

/* ---- checks usable on any goroutine or thread ----------------------------- */

static inline _Noreturn void go_check_failed(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
  fflush(stderr);
  abort();
}

#define GO_CHECK(c, what)                                                                          \
  do {                                                                                             \
    if (!(c))                                                                                      \
      go_check_failed(__FILE__, __LINE__, what);                                                   \
  } while (0)

#define GO_CHECK_EQ(a, b, eq)                                                                      \
  do {                                                                                             \
    long long a_ = (long long)(a), b_ = (long long)(b);                                            \
    if ((a_ == b_) != (eq)) {                                                                      \
      char m_[512];                                                                                \
      snprintf(m_, sizeof m_, "%s %s %s (%lld, %lld)", #a, (eq) ? "==" : "!=", #b, a_, b_);        \
      go_check_failed(__FILE__, __LINE__, m_);                                                     \
    }                                                                                              \
  } while (0)

#define CHECK(c)       GO_CHECK((c), #c)
#define CHECK_EQ(a, b) GO_CHECK_EQ((a), (b), true)

#undef assert_true
#undef assert_false
#undef assert_int_equal
#undef assert_int_not_equal
#undef assert_ptr_equal
#undef assert_ptr_not_equal
#undef assert_null
#undef assert_non_null
#undef assert_memory_equal
#define assert_true(c)             GO_CHECK((c), #c)
#define assert_false(c)            GO_CHECK(!(c), "!(" #c ")")
#define assert_int_equal(a, b)     GO_CHECK_EQ((a), (b), true)
#define assert_int_not_equal(a, b) GO_CHECK_EQ((a), (b), false)
#define assert_ptr_equal(a, b)     GO_CHECK_EQ((uintptr_t)(a), (uintptr_t)(b), true)
#define assert_ptr_not_equal(a, b) GO_CHECK_EQ((uintptr_t)(a), (uintptr_t)(b), false)
#define assert_null(p)             GO_CHECK((p) == NULL, #p " == NULL")
#define assert_non_null(p)         GO_CHECK((p) != NULL, #p " != NULL")
#define assert_memory_equal(a, b, n)                                                               \
  GO_CHECK(memcmp((a), (b), (n)) == 0, "memcmp(" #a ", " #b ") == 0")

/* ---- bodies as goroutines ------------------------------------------------ */

/* One request from the runner thread to the main goroutine: run fn(arg) as
 * a goroutine. fn NULL stops the main goroutine's loop. */
struct go_request {
  void (*fn)(void *arg);
  void *arg;
};

/* Owned by the harness, set up once by go_run_tests, then used by one test
 * at a time. */
static int go_req_pipe[2];
static sem_t go_done;
static struct go_request go_current;

static inline void go_trampoline(void *arg) {
  struct go_request *rq = arg;
  rq->fn(rq->arg);
  sem_post(&go_done);
}

static inline void go_send_request(void (*fn)(void *), void *arg) {
  struct go_request rq = {fn, arg};
  if (write(go_req_pipe[1], &rq, sizeof rq) != (ssize_t)sizeof rq)
    abort();
}

/* From the runner thread: run fn(arg) as a goroutine and wait for it. */
static inline void go_run(void (*fn)(void *), void *arg) {
  go_send_request(fn, arg);
  while (sem_wait(&go_done) != 0)
    ;
}

/* cmocka's test function for GO_TEST entries: the body is the entry's
 * initial state. */
typedef void (*go_test_fn)(void **state);

static inline void go_call_test(void *arg) {
  go_test_fn fn;
  memcpy(&fn, arg, sizeof fn);
  void *state = NULL;
  fn(&state);
}

static inline void go_test_runner(void **state) {
  go_run(go_call_test, state);
}

#define GO_TEST(f)                                                                                 \
  { #f, go_test_runner, NULL, NULL, (void *)(uintptr_t)(f) }

struct go_runner_arg {
  const char *group;
  const struct CMUnitTest *tests;
  size_t ntests;
  int result;
};

static inline void *go_runner_main(void *arg) {
  struct go_runner_arg *a = arg;
  a->result = _cmocka_run_group_tests(a->group, a->tests, a->ntests, NULL, NULL);
  go_send_request(NULL, NULL);
  return NULL;
}

/* The main goroutine: start bodies when asked, until cmocka is done. */
static inline int go_run_tests(const char *group, const struct CMUnitTest *tests, size_t ntests) {
  tg_unlock_thread(); /* cmocka has a thread of its own here */
  if (pipe2(go_req_pipe, O_CLOEXEC) != 0)
    abort();
  sem_init(&go_done, 0, 0);
  struct go_runner_arg ra = {group, tests, ntests, 0};
  pthread_t runner;
  if (pthread_create(&runner, NULL, go_runner_main, &ra) != 0)
    abort();
  for (;;) {
    size_t got = 0;
    while (got < sizeof go_current) {
      ssize_t r = tg_read(go_req_pipe[0], (char *)&go_current + got, sizeof go_current - got);
      if (r <= 0)
        abort();
      got += (size_t)r;
    }
    if (!go_current.fn)
      break;
    tg_go(go_trampoline, &go_current);
  }
  tg_enter_blocking();
  pthread_join(runner, NULL);
  tg_exit_blocking();
  return ra.result;
}

/* ---- cases in a child process -------------------------------------------- */

/* In main: if argv names a child case of the NULL-terminated list, run it;
 * a case that returns exits 0. */
static inline void go_child_dispatch(int argc, char **argv, const struct child_scenario *cases) {
  int n = 0;
  while (cases && cases[n].name)
    n++;
  child_dispatch(argc, argv, cases, n);
}

/* From a body: case `name` must die the way Go does, status 2 with
 * `message` on stderr. */
static inline void expect_death(const char *name, const char *message) {
  static struct child_result r; /* large; one test at a time */
  memset(&r, 0, sizeof r);
  tg_enter_blocking();
  run_child(name, NULL, &r);
  tg_exit_blocking();
  if (r.status != 2 || !strstr(r.err, message))
    fprintf(stderr, "child case %s: status %d, stderr:\n%s\n", name, r.status, r.err);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, message));
}

/* From the runner thread: case `name` must exit 0. */
static inline void expect_child_ok(const char *name) {
  static struct child_result r;
  memset(&r, 0, sizeof r);
  run_child(name, NULL, &r);
  if (r.status != 0)
    fprintf(stderr, "child case %s: status %d, stderr:\n%s\n", name, r.status, r.err);
  assert_int_equal(r.status, 0);
}

#endif
