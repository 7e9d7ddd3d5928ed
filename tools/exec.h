/* Running race-built programs with the detector's side channel: a pipe whose
 * write end the program inherits as the descriptor named by TANGLE_REPORT_FD,
 * on which the race build writes a "hello" line at start, one JSON line per
 * finding as soon as it is found, and a "summary" line at exit. Several
 * programs may run at once (tangle test --jobs). */
#ifndef TANGLE_EXEC_H
#define TANGLE_EXEC_H

#include "json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct run_spec {
  char **argv; /* argv[0]: the program (searched in PATH without '/') */
  bool has_seed;
  uint64_t seed;        /* appended to TANGLE_OPTIONS as seed=S */
  int64_t timeout_ns;   /* 0: none */
  bool capture;         /* collect stdout+stderr (else they are inherited) */
  const char *log_path; /* TANGLE_OPTIONS log_path= for the text reports, or NULL */
};

struct run_result {
  int exec_errno; /* != 0: the program could not be started */
  bool exited;    /* normal exit with `status` */
  int status;
  int signal; /* killed by this signal */
  bool timed_out;
  bool hello;    /* the race build greeted on the side channel */
  bool has_seed; /* the seed the run used, from hello */
  uint64_t seed;
  bool summary;           /* the exit summary arrived */
  struct json **findings; /* checked finding objects, in arrival order */
  size_t nfindings;
  int bad_lines;   /* lines on the side channel that were not findings */
  char *first_bad; /* why the first one was rejected */
  char *output;    /* captured stdout+stderr (tail), NUL-terminated */
  size_t output_len;
  double seconds;
};

/* Runs n programs, at most `jobs` at a time. progress(done, n, arg) is called
 * after each one ends. */
void run_programs(const struct run_spec *specs, struct run_result *results, size_t n, int jobs,
                  void (*progress)(size_t done, size_t total, void *arg), void *arg);
void run_result_free(struct run_result *r);

/* Parses "30s", "500ms", "2m", "1h", "1.5s" or plain seconds ("10").
 * Returns -1 when malformed. */
int64_t parse_duration(const char *s);
/* What went wrong with a run that produced no usable report, or NULL when it
 * reported normally: "cannot run ./x: No such file or directory", "not a
 * tangle race build (...)", "crashed (signal 11) before reporting", ... */
char *run_problem(const struct run_spec *spec, const struct run_result *r);
/* A one-line account of how the run ended: "exited with status 66",
 * "killed by signal 11 (Segmentation fault)", "timed out after 2s". */
char *run_ending(const struct run_spec *spec, const struct run_result *r);

#endif
