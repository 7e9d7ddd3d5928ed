/* Harness of the network unit tests.
 *
 * cmocka keeps its state in thread-locals, and a goroutine (main included)
 * can resume on another thread after any call that parks. So cmocka runs on
 * a plain thread of its own, outside the runtime; each test body runs as a
 * goroutine that the main goroutine starts on the runner's request (a pipe,
 * which the main goroutine reads through the poller). A failed CHECK in a
 * body prints what failed and aborts: the test binary fails, with the line.
 *
 * Cases that need a runtime in a known state (the global deadlock check)
 * run in a fresh copy of the binary: `<exe> --child <name>`; the child's
 * main goroutine runs the body directly and exits 0 when it returns. */
#ifndef NET_TEST_HARNESS_H
#define NET_TEST_HARNESS_H

#include "rt.h"

// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
// clang-format on

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static inline _Noreturn void net_check_failed(const char *file, int line, const char *what) {
  fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
  fflush(stderr);
  abort();
}

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c))                                                                                      \
      net_check_failed(__FILE__, __LINE__, #c);                                                    \
  } while (0)

#define CHECK_EQ(a, b)                                                                             \
  do {                                                                                             \
    long long a_ = (long long)(a), b_ = (long long)(b);                                            \
    if (a_ != b_) {                                                                                \
      char m_[512];                                                                                \
      snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_);                          \
      net_check_failed(__FILE__, __LINE__, m_);                                                    \
    }                                                                                              \
  } while (0)

typedef void (*net_body)(void);

/* The pipes between the cmocka thread and the main goroutine; set up once by
 * net_test_main, then used by one test at a time. */
static int net_req_pipe[2];  /* runner -> main goroutine: a net_body, NULL to stop */
static int net_done_pipe[2]; /* body goroutine -> runner: one byte */

static void net_body_trampoline(void *arg) {
  net_body fn;
  memcpy(&fn, &arg, sizeof fn);
  fn();
  char c = 1;
  CHECK(write(net_done_pipe[1], &c, 1) == 1);
}

/* From a cmocka test (the runner thread): run body as a goroutine, wait. */
static inline void net_run(net_body body) {
  CHECK(write(net_req_pipe[1], &body, sizeof body) == (ssize_t)sizeof body);
  char c;
  CHECK(read(net_done_pipe[0], &c, 1) == 1);
}

/* Runs `<exe> --child name`; asserts it exited 0. */
static inline void net_run_child(const char *name) {
  char path[] = "/tmp/tangle_net_child_XXXXXX";
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
  char *argv[] = {exe, "--child", (char *)name, NULL};
  pid_t pid;
  assert_int_equal(posix_spawn(&pid, exe, &fa, NULL, argv, environ), 0);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    ;
  char out[16384];
  ssize_t n = pread(fd, out, sizeof out - 1, 0);
  close(fd);
  out[n > 0 ? n : 0] = 0;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fprintf(stderr, "child %s: status %#x, stderr:\n%s\n", name, status, out);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
}

struct net_child_case {
  const char *name;
  net_body fn;
};

struct net_runner_arg {
  const struct CMUnitTest *tests;
  size_t ntests;
  int result;
};

static void *net_runner_main(void *arg) {
  struct net_runner_arg *a = arg;
  a->result = _cmocka_run_group_tests("net", a->tests, a->ntests, NULL, NULL);
  net_body stop = NULL;
  CHECK(write(net_req_pipe[1], &stop, sizeof stop) == (ssize_t)sizeof stop);
  return NULL;
}

/* The test binary's main: a child case, or the cmocka run. */
static inline int net_test_main(int argc, char **argv, const struct CMUnitTest *tests,
                                size_t ntests, const struct net_child_case *children) {
  if (argc == 3 && strcmp(argv[1], "--child") == 0) {
    for (const struct net_child_case *c = children; c && c->name; c++) {
      if (strcmp(c->name, argv[2]) == 0) {
        c->fn();
        return 0;
      }
    }
    fprintf(stderr, "unknown child case %s\n", argv[2]);
    return 100;
  }
  CHECK(pipe2(net_req_pipe, O_NONBLOCK | O_CLOEXEC) == 0);
  CHECK(pipe2(net_done_pipe, O_CLOEXEC) == 0);
  struct net_runner_arg ra = {tests, ntests, 0};
  pthread_t runner;
  CHECK(pthread_create(&runner, NULL, net_runner_main, &ra) == 0);
  for (;;) {
    net_body fn;
    size_t got = 0;
    while (got < sizeof fn) {
      ssize_t r = tg_read(net_req_pipe[0], (char *)&fn + got, sizeof fn - got);
      CHECK(r > 0);
      got += (size_t)r;
    }
    if (!fn)
      break;
    void *arg;
    memcpy(&arg, &fn, sizeof arg);
    tg_go(net_body_trampoline, arg);
  }
  tg_enter_blocking();
  pthread_join(runner, NULL);
  tg_exit_blocking();
  return ra.result;
}

#endif
