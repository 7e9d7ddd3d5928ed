/* The process side of `tangle run` and `tangle test`: fork/exec with the
 * side channel, a poll loop over every running program's pipes, timeouts
 * (SIGQUIT first so the runtime dumps its goroutines, then SIGKILL), and the
 * parsing of side-channel lines as they arrive, so that nothing a program
 * reported is lost if it later crashes or is killed. */
#include "exec.h"
#include "cli.h"
#include "finding.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Captured output beyond this is dropped from the front: the tail is what
 * explains a crash. */
enum { OUTPUT_KEEP = 256 * 1024, LINE_MAX_BYTES = 64 * 1024 * 1024 };
/* Between SIGQUIT (goroutine dump) and SIGKILL on a timeout. */
static const int64_t KILL_GRACE_NS = 2000000000;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t parse_duration(const char *s) {
  if (!s || !*s)
    return -1;
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || v < 0 || isnan(v))
    return -1;
  double mult = 1e9;
  if (*end == 0 || strcmp(end, "s") == 0)
    mult = 1e9;
  else if (strcmp(end, "ms") == 0)
    mult = 1e6;
  else if (strcmp(end, "us") == 0)
    mult = 1e3;
  else if (strcmp(end, "m") == 0)
    mult = 60e9;
  else if (strcmp(end, "h") == 0)
    mult = 3600e9;
  else
    return -1;
  double ns = v * mult;
  if (ns > 9e18)
    return -1;
  return (int64_t)ns;
}

struct job {
  const struct run_spec *spec;
  struct run_result *res;
  pid_t pid;
  int report_fd, out_fd;
  char *line;
  size_t line_len, line_cap;
  int64_t start, deadline, kill_at;
  bool quit_sent, report_eof;
};

/* The last SIGINT/SIGTERM tangle received while programs ran; written by the
 * handler, read and cleared by run_programs' loop (the only owner). */
static volatile sig_atomic_t interrupted;
static void on_signal(int sig) {
  interrupted = sig;
}

static void set_nonblock(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void note_bad(struct run_result *r, const char *why) {
  if (r->bad_lines++ == 0)
    r->first_bad = xstrdup(why);
}

static void handle_line(struct job *j, char *line, size_t len) {
  while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
    len--;
  if (len == 0)
    return;
  char err[256];
  struct json *o = json_parse(line, len, err, sizeof err);
  if (!o) {
    note_bad(j->res, err);
    return;
  }
  bool control;
  if (finding_check(o, &control, err, sizeof err) < 0) {
    note_bad(j->res, err);
    json_free(o);
    return;
  }
  struct run_result *r = j->res;
  if (control) {
    const char *kind = json_get_string(o, "kind");
    if (strcmp(kind, "hello") == 0) {
      r->hello = true;
      uint64_t s;
      if (json_u64(json_get(o, "seed"), &s))
        r->seed = s, r->has_seed = true;
    } else {
      r->summary = true;
    }
    json_free(o);
    return;
  }
  r->findings = xrealloc(r->findings, (r->nfindings + 1) * sizeof *r->findings);
  r->findings[r->nfindings++] = o;
}

/* Reads what the report pipe has; returns false at EOF/error. */
static bool read_report(struct job *j) {
  char buf[65536];
  for (;;) {
    ssize_t n = read(j->report_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return true;
    if (n <= 0)
      return false;
    for (ssize_t i = 0; i < n; i++) {
      if (buf[i] == '\n') {
        handle_line(j, j->line, j->line_len);
        j->line_len = 0;
        continue;
      }
      if (j->line_len + 2 > j->line_cap) {
        if (j->line_cap >= LINE_MAX_BYTES) {
          note_bad(j->res, "a line longer than 64 MiB");
          j->line_len = 0;
          continue;
        }
        j->line_cap = j->line_cap ? j->line_cap * 2 : 4096;
        j->line = xrealloc(j->line, j->line_cap);
      }
      j->line[j->line_len++] = buf[i];
    }
  }
}

static bool read_output(struct job *j) {
  struct run_result *r = j->res;
  char buf[65536];
  for (;;) {
    ssize_t n = read(j->out_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN)
      return true;
    if (n <= 0)
      return false;
    r->output = xrealloc(r->output, r->output_len + (size_t)n + 1);
    memcpy(r->output + r->output_len, buf, (size_t)n);
    r->output_len += (size_t)n;
    if (r->output_len > OUTPUT_KEEP) {
      size_t drop = r->output_len - OUTPUT_KEEP;
      memmove(r->output, r->output + drop, OUTPUT_KEEP);
      r->output_len = OUTPUT_KEEP;
    }
    r->output[r->output_len] = 0;
  }
}

/* TANGLE_OPTIONS for the child: the user's, minus any seed= when we set one,
 * plus seed= and log_path= (unless the user chose a log_path). */
static char *child_options(const struct run_spec *s) {
  const char *user = getenv("TANGLE_OPTIONS");
  char *out = xstrdup("");
  bool user_log = false;
  if (user) {
    char *copy = xstrdup(user), *save = NULL;
    for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
      if (s->has_seed && strncmp(w, "seed=", 5) == 0)
        continue;
      user_log |= strncmp(w, "log_path=", 9) == 0;
      char *n = xasprintf("%s%s%s", out, *out ? " " : "", w);
      free(out);
      out = n;
    }
    free(copy);
  }
  if (s->has_seed) {
    char *n = xasprintf("%s%sseed=%" PRIu64, out, *out ? " " : "", s->seed);
    free(out);
    out = n;
  }
  if (s->log_path && !user_log) {
    char *n = xasprintf("%s%slog_path=%s", out, *out ? " " : "", s->log_path);
    free(out);
    out = n;
  }
  return out;
}

static int start(struct job *j) {
  int rep[2], out[2] = {-1, -1}, errp[2];
  if (pipe2(rep, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
      (j->spec->capture && pipe2(out, O_CLOEXEC) < 0)) {
    j->res->exec_errno = errno;
    return -1;
  }
  char *opts = child_options(j->spec);
  fflush(NULL);
  j->start = now_ns();
  pid_t pid = fork();
  if (pid < 0) {
    j->res->exec_errno = errno;
    free(opts);
    return -1;
  }
  if (pid == 0) {
    if (j->spec->capture) {
      /* a program of its own group: a timeout kills its children too */
      setpgid(0, 0);
      int null = open("/dev/null", O_RDONLY);
      if (null >= 0)
        dup2(null, 0);
      dup2(out[1], 1);
      dup2(out[1], 2);
    }
    int fd = rep[1];
    if (fd < 3)
      fd = fcntl(rep[1], F_DUPFD, 3);
    fcntl(fd, F_SETFD, 0);
    char num[16];
    snprintf(num, sizeof num, "%d", fd);
    setenv("TANGLE_REPORT_FD", num, 1);
    setenv("TANGLE_OPTIONS", opts, 1);
    signal(SIGPIPE, SIG_DFL);
    execvp(j->spec->argv[0], j->spec->argv);
    int e = errno;
    ssize_t w = write(errp[1], &e, sizeof e);
    (void)w;
    _exit(127);
  }
  free(opts);
  close(rep[1]);
  close(errp[1]);
  if (j->spec->capture)
    close(out[1]);
  int e = 0;
  ssize_t n;
  while ((n = read(errp[0], &e, sizeof e)) < 0 && errno == EINTR)
    ;
  close(errp[0]);
  j->pid = pid;
  j->report_fd = rep[0];
  j->out_fd = j->spec->capture ? out[0] : -1;
  set_nonblock(j->report_fd);
  if (j->out_fd >= 0)
    set_nonblock(j->out_fd);
  j->deadline = j->spec->timeout_ns ? j->start + j->spec->timeout_ns : 0;
  if (n == (ssize_t)sizeof e) {
    j->res->exec_errno = e ? e : ENOEXEC;
    waitpid(pid, NULL, 0);
    close(j->report_fd);
    if (j->out_fd >= 0)
      close(j->out_fd);
    return -1;
  }
  return 0;
}

static void finish(struct job *j, int status) {
  struct run_result *r = j->res;
  /* what the program wrote before it ended is all in the pipes now */
  read_report(j);
  if (j->line_len)
    handle_line(j, j->line, j->line_len); /* a last line without '\n' */
  if (j->out_fd >= 0) {
    read_output(j);
    close(j->out_fd);
  }
  close(j->report_fd);
  free(j->line);
  if (WIFEXITED(status)) {
    r->exited = true;
    r->status = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r->signal = WTERMSIG(status);
  }
  if (j->spec->capture)
    kill(-j->pid, SIGKILL); /* leftover children of a test binary */
  r->seconds = (double)(now_ns() - j->start) / 1e9;
  j->pid = 0;
}

void run_programs(const struct run_spec *specs, struct run_result *results, size_t n, int jobs,
                  void (*progress)(size_t, size_t, void *), void *arg) {
  if (jobs < 1)
    jobs = 1;
  struct job *active = xcalloc((size_t)jobs, sizeof *active);
  size_t next = 0, done = 0;
  struct pollfd *pfd = xcalloc((size_t)jobs * 2, sizeof *pfd);
  memset(results, 0, n * sizeof *results);
  /* A program that closes its end of a pipe early must not kill us, and an
   * interrupt must not lose what the programs reported: it is passed on to
   * them (a terminal's SIGINT already reaches a program of our own process
   * group), and they are reaped and reported as usual. */
  signal(SIGPIPE, SIG_IGN);
  struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  bool stop = false;
  while (done < n) {
    if (interrupted) {
      int sig = interrupted;
      interrupted = 0;
      stop = true;
      for (int i = 0; i < jobs; i++)
        if (active[i].pid && (active[i].spec->capture || sig != SIGINT))
          kill(active[i].spec->capture ? -active[i].pid : active[i].pid, sig);
    }
    if (stop)
      for (; next < n; next++, done++) {
        results[next].exec_errno = EINTR;
        if (progress)
          progress(done + 1, n, arg);
      }
    for (int i = 0; i < jobs && next < n; i++) {
      if (active[i].pid)
        continue;
      struct job *j = &active[i];
      memset(j, 0, sizeof *j);
      j->spec = &specs[next];
      j->res = &results[next];
      next++;
      if (start(j) < 0) {
        j->pid = 0;
        done++;
        if (progress)
          progress(done, n, arg);
      }
    }
    int np = 0;
    int64_t now = now_ns(), wait_ms = 100;
    for (int i = 0; i < jobs; i++) {
      struct job *j = &active[i];
      if (!j->pid)
        continue;
      if (!j->report_eof)
        pfd[np++] = (struct pollfd){.fd = j->report_fd, .events = POLLIN};
      if (j->out_fd >= 0)
        pfd[np++] = (struct pollfd){.fd = j->out_fd, .events = POLLIN};
      int64_t t = j->kill_at ? j->kill_at : j->deadline;
      if (t) {
        int64_t ms = (t - now) / 1000000 + 1;
        if (ms < wait_ms)
          wait_ms = ms < 0 ? 0 : ms;
      }
    }
    if (np)
      poll(pfd, (nfds_t)np, (int)wait_ms);
    else if (next >= n && done < n)
      usleep(10000);
    now = now_ns();
    for (int i = 0; i < jobs; i++) {
      struct job *j = &active[i];
      if (!j->pid)
        continue;
      if (!j->report_eof && !read_report(j))
        j->report_eof = true; /* the fd is closed by finish() */
      if (j->out_fd >= 0 && !read_output(j)) {
        close(j->out_fd);
        j->out_fd = -1;
      }
      pid_t target = j->spec->capture ? -j->pid : j->pid;
      if (j->deadline && now >= j->deadline && !j->quit_sent) {
        j->res->timed_out = true;
        j->quit_sent = true;
        kill(target, SIGQUIT); /* the runtime prints its goroutines */
        j->kill_at = now + KILL_GRACE_NS;
      } else if (j->kill_at && now >= j->kill_at) {
        kill(target, SIGKILL);
        j->kill_at = 0;
      }
      int status;
      pid_t w = waitpid(j->pid, &status, WNOHANG);
      if (w == j->pid) {
        finish(j, status);
        done++;
        if (progress)
          progress(done, n, arg);
      }
    }
  }
  free(pfd);
  free(active);
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
}

void run_result_free(struct run_result *r) {
  for (size_t i = 0; i < r->nfindings; i++)
    json_free(r->findings[i]);
  free(r->findings);
  free(r->first_bad);
  free(r->output);
  memset(r, 0, sizeof *r);
}

char *run_ending(const struct run_spec *spec, const struct run_result *r) {
  if (r->exec_errno)
    return xasprintf("could not start: %s", strerror(r->exec_errno));
  char *how = r->exited ? xasprintf("exited with status %d", r->status)
                        : xasprintf("killed by signal %d (%s)", r->signal, strsignal(r->signal));
  if (r->timed_out) {
    char *t = xasprintf("timed out after %.3gs (%s)", (double)spec->timeout_ns / 1e9, how);
    free(how);
    return t;
  }
  return how;
}

char *run_problem(const struct run_spec *spec, const struct run_result *r) {
  const char *prog = spec->argv[0];
  if (r->exec_errno)
    return xasprintf("cannot run %s: %s", prog, strerror(r->exec_errno));
  if (r->hello)
    return NULL;
  char *how = run_ending(spec, r);
  char *msg;
  if (r->timed_out)
    msg = xasprintf("%s %s before reporting anything (no greeting on the side channel)", prog, how);
  else if (!r->exited)
    msg = xasprintf("%s crashed before reporting anything: %s", prog, how);
  else if (r->status != 0)
    msg = xasprintf("%s %s before reporting anything on TANGLE_REPORT_FD: not a tangle race "
                    "build, or it failed at start-up (see its own messages%s)",
                    prog, how, spec->capture ? " in the output" : " above");
  else
    msg = xasprintf("%s is not a tangle race build: it %s without greeting on TANGLE_REPORT_FD "
                    "(build it with `tangle cc -race`)",
                    prog, how);
  free(how);
  return msg;
}
