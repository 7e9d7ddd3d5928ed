/* The report sink (detector/report.h), race build only: every finding of
 * every detector goes through tg__report_emit.
 *
 * Outputs: the text report (or, with format=json, its JSON line) on stderr
 * or log_path.PID; and, when the environment names one in
 * TANGLE_REPORT_FD (tangle run / tangle test), a side channel that always
 * gets JSON lines: {"kind":"hello","pid":P,"seed":S,"race":true} at start,
 * one line per finding, and at exit
 * {"kind":"summary","pid":P,"seed":S,"status":X,"data_race":N,...}.
 * Every line is written with one write(2) as soon as it exists.
 *
 * At exit (an atexit handler, so also when exit() is called from any
 * goroutine, or main returns while goroutines still run) "Found N data
 * race(s)" and the exit status: exitcode= (66) when findings that count
 * were made, the handler then ending the process with _exit(status). */
#ifdef TANGLE_RACE
#include "report.h"

#include "report_buf.h"
#include "rt.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *__libc_calloc(size_t n, size_t m);
void __libc_free(void *p);
void tg__suppress_load(const char *path);
bool tg__suppress_frames(enum tg_finding_kind k, const struct tg_frame *fr, int n);
bool tg__suppress_any(enum tg_finding_kind k);
void tg__report_json(struct tg_buf *b, const struct tg_finding *f);

static const char *const kind_names[TG_FIND__COUNT] = {
    [TG_FIND_DATA_RACE] = "data_race",
    [TG_FIND_DEADLOCK] = "deadlock",
    [TG_FIND_LOCK_ORDER] = "lock_order",
    [TG_FIND_GLOBAL_DEADLOCK] = "global_deadlock",
    [TG_FIND_LEAK] = "leak",
    [TG_FIND_STARVATION] = "starvation",
    [TG_FIND_MISUSE] = "misuse",
};
static const char *const kind_plural[TG_FIND__COUNT] = {
    [TG_FIND_DATA_RACE] = "data race(s)",
    [TG_FIND_DEADLOCK] = "deadlock(s)",
    [TG_FIND_LOCK_ORDER] = "lock order inversion(s)",
    [TG_FIND_GLOBAL_DEADLOCK] = "global deadlock(s)",
    [TG_FIND_LEAK] = "goroutine leak(s)",
    [TG_FIND_STARVATION] = "starvation report(s)",
    [TG_FIND_MISUSE] = "misuse report(s)",
};

const char *tg__finding_kind_name(enum tg_finding_kind k) {
  return (unsigned)k < TG_FIND__COUNT ? kind_names[k] : "unknown";
}

/* The sink's state: set up once by sink_init; the counters are atomic, the
 * rest (dedup table, output) is under sink_lock. */
static struct {
  pthread_once_t once;
  int out_fd;  /* text or JSON reports: stderr or log_path.PID */
  int side_fd; /* TANGLE_REPORT_FD, or -1 */
  tg__lock lock;
  uint64_t *seen; /* open-addressing set of (kind, dedup key) */
  size_t nseen, cap;
  _Atomic int counts[TG_FIND__COUNT];
  _Atomic int finished; /* tg__report_finish ran: its status + 1 */
  bool halting;         /* halt_on_error: the first report is out */
} sink = {.once = PTHREAD_ONCE_INIT, .out_fd = 2, .side_fd = -1};

static void write_line(int fd, const char *s, size_t n) {
  if (fd >= 0)
    tg__write_all(fd, s, n);
}

static void exit_handler(void) {
  int status = tg__report_finish();
  if (status) {
    fflush(NULL);
    _exit(status);
  }
}

static void sink_init(void) {
  if (tg__opts.log_path) {
    char path[4096];
    snprintf(path, sizeof path, "%s.%d", tg__opts.log_path, (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
      tg__fdprintf(2, "tangle: log_path: cannot open %s: %s\n", path, strerror(errno));
      _exit(2);
    }
    sink.out_fd = fd;
  }
  const char *side = getenv("TANGLE_REPORT_FD");
  if (side && *side) {
    char *end;
    long fd = strtol(side, &end, 10);
    if (!*end && fd >= 0 && fd < 1 << 20 && fcntl((int)fd, F_GETFD) >= 0)
      sink.side_fd = (int)fd;
  }
  tg__suppress_load(tg__opts.suppressions);
  if (sink.side_fd >= 0) {
    char line[128];
    int n =
        snprintf(line, sizeof line, "{\"kind\":\"hello\",\"pid\":%d,\"seed\":%llu,\"race\":true}\n",
                 (int)getpid(), (unsigned long long)tg__seed());
    write_line(sink.side_fd, line, (size_t)n);
  }
  atexit(exit_handler);
}

/* Called by the race detector's initialization (inside tg__init): the
 * hello line goes out at start, and the exit handler is in place before
 * main runs. */
void tg__race_report_init(void) {
  pthread_once(&sink.once, sink_init);
}

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb3f99bb46e1bull;
  x ^= x >> 33;
  return x ? x : 1;
}

/* Under sink.lock: true if (kind, key) was new (and is now remembered). */
static bool remember(enum tg_finding_kind k, uint64_t key) {
  uint64_t h = mix(key * 31 + (uint64_t)k + 1);
  if (sink.nseen * 2 >= sink.cap) {
    size_t cap = sink.cap ? sink.cap * 2 : 256;
    uint64_t *t = __libc_calloc(cap, sizeof *t);
    if (!t)
      return true; /* no memory to remember: report again rather than lose */
    for (size_t i = 0; i < sink.cap; i++)
      if (sink.seen[i])
        for (size_t j = sink.seen[i] & (cap - 1);; j = (j + 1) & (cap - 1))
          if (!t[j]) {
            t[j] = sink.seen[i];
            break;
          }
    __libc_free(sink.seen);
    sink.seen = t;
    sink.cap = cap;
  }
  for (size_t j = h & (sink.cap - 1);; j = (j + 1) & (sink.cap - 1)) {
    if (sink.seen[j] == h)
      return false;
    if (!sink.seen[j]) {
      sink.seen[j] = h;
      sink.nseen++;
      return true;
    }
  }
}

#define SUPP_FRAMES 128

static bool stack_suppressed(enum tg_finding_kind k, const struct tg_report_stack *s) {
  return s->n > 0 && tg__report_suppressed(k, s->pcs, s->n);
}

bool tg__report_suppressed(enum tg_finding_kind k, const uintptr_t *pcs, int n) {
  pthread_once(&sink.once, sink_init);
  if (!tg__suppress_any(k) || n <= 0)
    return false;
  struct tg_frame fr[SUPP_FRAMES];
  int nf = tg__stack_frames(pcs, n, fr, SUPP_FRAMES);
  return tg__suppress_frames(k, fr, nf);
}

static bool finding_suppressed(const struct tg_finding *f) {
  if (!tg__suppress_any(f->kind))
    return false;
  for (int i = 0; i < f->naccesses; i++)
    if (stack_suppressed(f->kind, &f->accesses[i].stack))
      return true;
  for (int i = 0; i < f->ngoroutines; i++)
    if (stack_suppressed(f->kind, &f->goroutines[i].stack) ||
        stack_suppressed(f->kind, &f->goroutines[i].created_at))
      return true;
  for (int i = 0; i < f->ncycle; i++)
    if (stack_suppressed(f->kind, &f->cycle[i].holds_at) ||
        stack_suppressed(f->kind, &f->cycle[i].waits_at))
      return true;
  return false;
}

static bool counts_as_error(enum tg_finding_kind k) {
  switch (k) {
  case TG_FIND_LEAK:
    return tg__opts.leaks >= 2;
  case TG_FIND_STARVATION:
    return tg__opts.starvation >= 2;
  default:
    return true;
  }
}

bool tg__report_emit(const struct tg_finding *f, const char *text) {
  pthread_once(&sink.once, sink_init);
  if ((unsigned)f->kind >= TG_FIND__COUNT || finding_suppressed(f))
    return false;
  struct tg_buf json = {0}, out = {0};
  bool want_json = tg__opts.format == 1 || sink.side_fd >= 0;
  if (want_json) /* symbolizes: done before taking the lock */
    tg__report_json(&json, f);
  if (tg__opts.format != 1) {
    tg__buf_str(&out, "==================\n");
    tg__buf_str(&out, text ? text : tg__finding_kind_name(f->kind));
    if (!out.n || out.s[out.n - 1] != '\n')
      tg__buf_str(&out, "\n");
    tg__buf_str(&out, "==================\n");
  }
  tg__lock_acquire(&sink.lock);
  bool fresh = !sink.halting && (!f->dedup_key || remember(f->kind, f->dedup_key));
  if (fresh && tg__opts.halt_on_error)
    sink.halting = true; /* the program ends with this one */
  if (fresh) {
    atomic_fetch_add(&sink.counts[f->kind], 1);
    if (tg__opts.format == 1)
      write_line(sink.out_fd, json.s, json.n);
    else
      write_line(sink.out_fd, out.s, out.n);
    write_line(sink.side_fd, json.s, json.n);
  }
  tg__lock_release(&sink.lock);
  tg__buf_free(&json);
  tg__buf_free(&out);
  if (fresh && tg__opts.halt_on_error) {
    int status = tg__report_finish();
    fflush(NULL);
    _exit(status ? status : tg__opts.exitcode);
  }
  return fresh;
}

/* Reports being built anywhere, and by this thread (a report that halts the
 * program, or a fatal path that reports and then exits, is one of them). */
static _Atomic int in_flight;
static _Thread_local int in_flight_here;

int tg__report_in_flight_begin(void) {
  in_flight_here++;
  atomic_fetch_add(&in_flight, 1);
  return 0;
}

void tg__report_in_flight_end(int *unused) {
  (void)unused;
  in_flight_here--;
  atomic_fetch_sub(&in_flight, 1);
}

/* Another thread is writing a report: let it finish. Bounded (10 s), since a
 * reporter could be stuck on something the exiting thread holds; then the
 * loss is said, not silent. */
void tg__report_await_in_flight(void) {
  for (int i = 0; i < 10000 && atomic_load(&in_flight) > in_flight_here; i++) {
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
  }
  if (atomic_load(&in_flight) > in_flight_here)
    tg__fdprintf(sink.out_fd, "tangle: the program exited while a report was being written; "
                              "it was not finished within 10 s and is missing\n");
}

int tg__report_count(enum tg_finding_kind k) {
  return (unsigned)k < TG_FIND__COUNT ? atomic_load(&sink.counts[k]) : 0;
}

int tg__report_finish(void) {
  pthread_once(&sink.once, sink_init);
  int done = atomic_load(&sink.finished);
  if (done)
    return done - 1;
  tg__report_await_in_flight();
  tg__lock_acquire(&sink.lock);
  if ((done = atomic_load(&sink.finished))) {
    tg__lock_release(&sink.lock);
    return done - 1;
  }
  int status = 0;
  struct tg_buf text = {0}, sum = {0};
  tg__buf_printf(&sum, "{\"kind\":\"summary\",\"pid\":%d,\"seed\":%llu", (int)getpid(),
                 (unsigned long long)tg__seed());
  for (int k = 0; k < TG_FIND__COUNT; k++) {
    int n = atomic_load(&sink.counts[k]);
    if (n && counts_as_error((enum tg_finding_kind)k))
      status = tg__opts.exitcode;
    if (n && k != TG_FIND_GLOBAL_DEADLOCK)
      tg__buf_printf(&text, "Found %d %s\n", n, kind_plural[k]);
    tg__buf_printf(&sum, ",\"%s\":%d", kind_names[k], n);
  }
  tg__buf_printf(&sum, ",\"status\":%d}\n", status);
  if (tg__opts.format == 1) {
    write_line(sink.out_fd, sum.s, sum.n);
  } else if (text.n) {
    write_line(sink.out_fd, text.s, text.n);
  }
  write_line(sink.side_fd, sum.s, sum.n);
  tg__buf_free(&text);
  tg__buf_free(&sum);
  atomic_store(&sink.finished, status + 1);
  tg__lock_release(&sink.lock);
  return status;
}
#endif
