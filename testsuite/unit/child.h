/* Scenarios that end the process (panics, fatal errors, deadlocks) run in a
 * child: the test binary re-executes itself with "--child NAME", and the
 * parent checks the child's exit status and output. */
#ifndef TANGLE_TEST_CHILD_H
#define TANGLE_TEST_CHILD_H

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct child_result {
  int status; /* exit status, or 128+signal */
  char out[1 << 16];
  char err[1 << 16];
};

struct child_scenario {
  const char *name;
  void (*fn)(void);
};

/* In main: if argv asks for a child scenario, run it and exit. */
static inline void child_dispatch(int argc, char **argv, const struct child_scenario *sc, int n) {
  if (argc < 3 || strcmp(argv[1], "--child") != 0)
    return;
  for (int i = 0; i < n; i++)
    if (!strcmp(sc[i].name, argv[2])) {
      sc[i].fn();
      fflush(NULL);
      exit(0);
    }
  fprintf(stderr, "no child scenario %s\n", argv[2]);
  exit(100);
}

static inline void drain(int fd, char *buf, size_t cap, size_t *len) {
  ssize_t r = read(fd, buf + *len, cap - 1 - *len);
  if (r > 0)
    *len += (size_t)r;
  buf[*len] = 0;
}

/* Runs this binary's scenario `name` with extra environment entries
 * (NULL-terminated "K=V" list, may be NULL); signal_after_ms > 0 sends
 * `sig` after that long. */
static inline void run_child_sig(const char *name, const char *const *env, int sig,
                                 int signal_after_ms, struct child_result *r) {
  int po[2], pe[2];
  if (pipe(po) || pipe(pe))
    abort();
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, po[1], 1);
  posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
  posix_spawn_file_actions_addclose(&fa, po[0]);
  posix_spawn_file_actions_addclose(&fa, pe[0]);
  char *envp[256];
  int k = 0;
  for (char **e = environ; *e && k < 200; e++)
    envp[k++] = *e;
  for (int i = 0; env && env[i] && k < 254; i++)
    envp[k++] = (char *)env[i];
  envp[k] = NULL;
  char self[4096];
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  if (sl < 0)
    abort();
  self[sl] = 0;
  char *argv[] = {self, "--child", (char *)name, NULL};
  pid_t pid;
  if (posix_spawn(&pid, self, &fa, NULL, argv, envp) != 0)
    abort();
  posix_spawn_file_actions_destroy(&fa);
  close(po[1]);
  close(pe[1]);
  size_t lo = 0, le = 0;
  int waited_ms = 0;
  bool signalled = false;
  for (;;) {
    struct pollfd pfd[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    int n = poll(pfd, 2, 50);
    waited_ms += 50;
    if (n > 0) {
      if (pfd[0].revents)
        drain(po[0], r->out, sizeof r->out, &lo);
      if (pfd[1].revents)
        drain(pe[0], r->err, sizeof r->err, &le);
    }
    if (signal_after_ms > 0 && !signalled && waited_ms >= signal_after_ms) {
      kill(pid, sig);
      signalled = true;
    }
    int st;
    if (waitpid(pid, &st, WNOHANG) == pid) {
      size_t before;
      do {
        before = lo + le;
        drain(po[0], r->out, sizeof r->out, &lo);
        drain(pe[0], r->err, sizeof r->err, &le);
      } while (lo + le != before);
      r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    if (waited_ms > 60000) {
      kill(pid, SIGKILL);
    }
  }
  close(po[0]);
  close(pe[0]);
}

static inline void run_child(const char *name, const char *const *env, struct child_result *r) {
  run_child_sig(name, env, 0, 0, r);
}

#endif
