/* Shared helpers of the tangle benchmark programs.
 *
 * Every program takes its operation count as argv[1] (a default otherwise),
 * times only the measured region with the monotonic clock, checks its own
 * result (a wrong answer exits 1, so a broken runtime cannot post a fast
 * time), and prints one line the driver (run_bench.py) parses:
 *   BENCH <name> ns_per_op=<f> ops=<n> hwm_kib=<peak RSS> [key=value ...]
 * The Go peers in go/ print the same line the same way. */
#ifndef TANGLE_BENCH_H
#define TANGLE_BENCH_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline int64_t bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline long bench_ops(int argc, char **argv, long def) {
  if (argc < 2)
    return def;
  long n = strtol(argv[1], NULL, 10);
  return n > 0 ? n : def;
}

/* Resident set size now, from /proc/self/statm (the Go peers read the same
 * file), so per-goroutine figures are measured identically on both sides. */
static inline long bench_rss_kib(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f) {
    if (fscanf(f, "%ld %ld", &size, &resident) != 2)
      resident = 0;
    fclose(f);
  }
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Peak resident set size of this process, VmHWM in /proc/self/status. Not
 * the parent's wait4 rusage: Linux carries the forking parent's peak into
 * the child's ru_maxrss across exec, which puts a floor of the driver's own
 * size under every small program. */
static inline long bench_hwm_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = 0;
  if (f) {
    while (fgets(line, sizeof line, f))
      if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
        break;
    fclose(f);
  }
  return kib;
}

/* extra: "" or " key=value ..." appended verbatim. */
static inline void bench_report(const char *name, int64_t ns, long ops, const char *extra_fmt,
                                ...) {
  char extra[256] = "";
  if (extra_fmt) {
    va_list ap;
    va_start(ap, extra_fmt);
    vsnprintf(extra, sizeof extra, extra_fmt, ap);
    va_end(ap);
  }
  printf("BENCH %s ns_per_op=%.2f ops=%ld hwm_kib=%ld%s\n", name, (double)ns / (double)ops, ops,
         bench_hwm_kib(), extra);
  fflush(stdout);
}

static inline void bench_check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "bench: wrong result: %s\n", what);
    exit(1);
  }
}

#endif
