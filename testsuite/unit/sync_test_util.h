/* Helpers of the sync, context and semaphore unit tests.
 *
 * cmocka keeps its state in thread-locals, and a goroutine (main included)
 * may resume on another thread after anything that parks. So cmocka runs on
 * a plain thread of its own; each test function runs as a goroutine that the
 * main goroutine starts on the runner's request (GO_TEST). Inside test
 * functions, assert_* are this header's own checks: a failure prints the
 * file, line and condition and aborts, failing the test binary.
 *
 * Misuse cases must kill the program the way Go does: `fatal error: ...` or
 * `panic: ...` on stderr and exit status 2. Each runs in a fresh copy of the
 * test binary (`<exe> --misuse <name>`), so the runtime in the child is
 * whole (a fork of a running runtime would have lost its threads).
 *
 * Waiting for another goroutine to reach a state is done by polling a
 * condition with short sleeps, never by a fixed delay: tests assert orders
 * and counts, not times. */
#ifndef SYNC_TEST_UTIL_H
#define SYNC_TEST_UTIL_H

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
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ---- checks usable on any goroutine ------------------------------------- */

static inline _Noreturn void sync_check_failed(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
  fflush(stderr);
  abort();
}

#define SYNC_CHECK(c, what)                                                                        \
  do {                                                                                             \
    if (!(c))                                                                                      \
      sync_check_failed(__FILE__, __LINE__, what);                                                 \
  } while (0)

#define SYNC_CHECK_EQ(a, b, eq)                                                                    \
  do {                                                                                             \
    long long a_ = (long long)(a), b_ = (long long)(b);                                            \
    if ((a_ == b_) != (eq)) {                                                                      \
      char m_[512];                                                                                \
      snprintf(m_, sizeof m_, "%s %s %s (%lld, %lld)", #a, (eq) ? "==" : "!=", #b, a_, b_);        \
      sync_check_failed(__FILE__, __LINE__, m_);                                                   \
    }                                                                                              \
  } while (0)

#undef assert_true
#undef assert_false
#undef assert_int_equal
#undef assert_int_not_equal
#undef assert_ptr_equal
#undef assert_ptr_not_equal
#undef assert_null
#undef assert_non_null
#undef assert_memory_equal
#define assert_true(c)             SYNC_CHECK((c), #c)
#define assert_false(c)            SYNC_CHECK(!(c), "!(" #c ")")
#define assert_int_equal(a, b)     SYNC_CHECK_EQ((a), (b), true)
#define assert_int_not_equal(a, b) SYNC_CHECK_EQ((a), (b), false)
#define assert_ptr_equal(a, b)     SYNC_CHECK_EQ((uintptr_t)(a), (uintptr_t)(b), true)
#define assert_ptr_not_equal(a, b) SYNC_CHECK_EQ((uintptr_t)(a), (uintptr_t)(b), false)
#define assert_null(p)             SYNC_CHECK((p) == NULL, #p " == NULL")
#define assert_non_null(p)         SYNC_CHECK((p) != NULL, #p " != NULL")
#define assert_memory_equal(a, b, n)                                                               \
  SYNC_CHECK(memcmp((a), (b), (n)) == 0, "memcmp(" #a ", " #b ") == 0")

/* ---- test functions as goroutines ---------------------------------------- */

typedef void (*sync_test_fn)(void **state);
/* Owned by the harness: requests go from the cmocka thread to the main
 * goroutine through a pipe (a test function pointer, or NULL to stop), which
 * the main goroutine reads through the poller: while a test runs the
 * harness owns no timer and no sync object the test could count. The test
 * goroutine posts its completion on a POSIX semaphore. */
static int sync_req_pipe[2];
static sem_t sync_done;

static void sync_test_trampoline(void *arg) {
  sync_test_fn fn;
  memcpy(&fn, &arg, sizeof fn);
  void *state = NULL;
  fn(&state);
  sem_post(&sync_done);
}

static void sync_send_request(sync_test_fn fn) {
  if (write(sync_req_pipe[1], &fn, sizeof fn) != (ssize_t)sizeof fn)
    abort();
}

/* cmocka's test function (on the runner thread): the real one is the
 * entry's initial state. */
static void sync_go_runner(void **state) {
  sync_test_fn fn;
  memcpy(&fn, state, sizeof fn);
  sync_send_request(fn);
  while (sem_wait(&sync_done) != 0)
    ;
}

#define GO_TEST(f)                                                                                 \
  { #f, sync_go_runner, NULL, NULL, (void *)(uintptr_t)(f) }

struct sync_runner_arg {
  const struct CMUnitTest *tests;
  size_t ntests;
  const char *group;
  int result;
};

static void *sync_runner_main(void *arg) {
  struct sync_runner_arg *a = arg;
  a->result = _cmocka_run_group_tests(a->group, a->tests, a->ntests, NULL, NULL);
  sync_send_request(NULL);
  return NULL;
}

/* The main goroutine: start test goroutines when asked, until cmocka is
 * done. */
static inline int sync_run_tests(const char *group, const struct CMUnitTest *tests, size_t ntests) {
  /* cmocka has a thread of its own here: the main goroutine need not stay
   * on the main thread (lock_main.c locks it for the other unit tests). */
  tg_unlock_thread();
  if (pipe2(sync_req_pipe, O_CLOEXEC) != 0)
    abort();
  sem_init(&sync_done, 0, 0);
  struct sync_runner_arg ra = {tests, ntests, group, 0};
  pthread_t runner;
  if (pthread_create(&runner, NULL, sync_runner_main, &ra) != 0)
    abort();
  for (;;) {
    sync_test_fn fn;
    size_t got = 0;
    while (got < sizeof fn) {
      ssize_t r = tg_read(sync_req_pipe[0], (char *)&fn + got, sizeof fn - got);
      if (r <= 0)
        abort();
      got += (size_t)r;
    }
    if (!fn)
      break;
    void *arg;
    memcpy(&arg, &fn, sizeof arg);
    tg_go(sync_test_trampoline, arg);
  }
  tg_enter_blocking();
  pthread_join(runner, NULL);
  tg_exit_blocking();
  return ra.result;
}

struct misuse_case {
  const char *name;
  void (*fn)(void);
};

/* In the child: runs the named case. A case that returns did not die, which
 * the parent sees as exit status 0. */
static inline bool misuse_dispatch(int argc, char **argv, const struct misuse_case *cases) {
  if (argc != 3 || strcmp(argv[1], "--misuse") != 0)
    return false;
  for (const struct misuse_case *c = cases; c->name; c++) {
    if (strcmp(c->name, argv[2]) == 0) {
      c->fn();
      exit(0);
    }
  }
  fprintf(stderr, "unknown misuse case %s\n", argv[2]);
  exit(100);
}

/* Runs case `name` in a child; asserts exit status 2 and that stderr holds
 * `message`. */
static inline void expect_death(const char *name, const char *message) {
  char path[] = "/tmp/tangle_misuse_XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  unlink(path);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, fd, 2);
  char exe[4096];
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  assert_true(len > 0);
  exe[len] = 0;
  char *argv[] = {exe, "--misuse", (char *)name, NULL};
  pid_t pid;
  assert_int_equal(posix_spawn(&pid, exe, &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  tg_enter_blocking();
  while (waitpid(pid, &status, 0) < 0)
    ;
  tg_exit_blocking();
  char out[16384];
  ssize_t n = pread(fd, out, sizeof out - 1, 0);
  close(fd);
  out[n > 0 ? n : 0] = 0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 2 || !strstr(out, message))
    fprintf(stderr, "misuse case %s: status %#x, stderr:\n%s\n", name, status, out);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 2);
  assert_non_null(strstr(out, message));
}

/* Polls until cond holds, sleeping briefly between tries. */
#define WAIT_UNTIL(cond)                                                                           \
  do {                                                                                             \
    while (!(cond))                                                                                \
      tg_sleep(50 * TG_MICROSECOND);                                                               \
  } while (0)

static inline int load_int(const int *p) {
  return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}
static inline void store_int(int *p, int v) {
  __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
static inline int inc_int(int *p) {
  return __atomic_add_fetch(p, 1, __ATOMIC_SEQ_CST);
}

#endif
