/* `tangle test`: the CI gate. Runs every binary --count times with different
 * scheduler seeds, --jobs at a time, merges and de-duplicates the findings,
 * writes the chosen format and exits 0 (clean), 1 (findings that count, or a
 * binary that failed by itself: crash, timeout, nonzero status without a
 * finding to explain it) or 2 (usage, or a binary that could not run). */
#include "cli.h"
#include "exec.h"
#include "fmt.h"
#include "opts.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

struct progress {
  bool on;
};

static void show_progress(size_t done, size_t total, void *arg) {
  struct progress *p = arg;
  if (!p->on)
    return;
  fprintf(stderr, "\rtangle test: %zu/%zu runs", done, total);
  if (done == total)
    fputs("\r\033[K", stderr);
  fflush(stderr);
}

static uint64_t random_seed(void) {
  uint32_t s;
  if (getrandom(&s, sizeof s, 0) == (ssize_t)sizeof s)
    return s;
  return (uint64_t)time(NULL) ^ (uint64_t)getpid();
}

/* Whether a run failed by itself: crashed, timed out, or a nonzero status
 * that its findings do not explain (the race build exits 66, or 2 on a global
 * deadlock, because of them). */
static char *run_failure(const struct run_spec *s, const struct run_result *r, int counting) {
  if (r->timed_out || !r->exited)
    return run_ending(s, r);
  if (r->status != 0 && counting == 0)
    return run_ending(s, r);
  return NULL;
}

int verb_test(int argc, char **argv) {
  const char *format = "text", *output = NULL, *timeout = NULL, *seed = NULL, *count_s = NULL,
             *jobs_s = NULL;
  bool quiet = false;
  struct strvec bins = {0};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      for (i++; i < argc; i++)
        sv_push(&bins, argv[i]);
      break;
    }
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      sv_push(&bins, a);
      continue;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      help_print("test", 1);
      sv_free(&bins);
      return EXIT_CLEAN;
    }
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
      quiet = true;
      continue;
    }
    int r;
    if ((r = opt_value("test", argc, argv, &i, "--format", &format)) ||
        (r = opt_value("test", argc, argv, &i, "--output", &output)) ||
        (r = opt_value("test", argc, argv, &i, "--timeout", &timeout)) ||
        (r = opt_value("test", argc, argv, &i, "--seed", &seed)) ||
        (r = opt_value("test", argc, argv, &i, "--count", &count_s)) ||
        (r = opt_value("test", argc, argv, &i, "--jobs", &jobs_s))) {
      if (r < 0)
        goto usage;
      continue;
    }
    cli_error("test", "unknown option '%s' (see `tangle test --help`)", a);
    goto usage;
  }
  int fmt = format_from_name(format);
  if (fmt < 0) {
    cli_error("test", "--format: '%s' is not text, json, sarif or junit", format);
    goto usage;
  }
  long count = 1, jobs = sysconf(_SC_NPROCESSORS_ONLN);
  if (jobs < 1)
    jobs = 1;
  if (count_s && opt_int("test", "--count", count_s, 1, &count) < 0)
    goto usage;
  if (jobs_s && opt_int("test", "--jobs", jobs_s, 1, &jobs) < 0)
    goto usage;
  int64_t timeout_ns = 0;
  if (timeout && (timeout_ns = parse_duration(timeout)) <= 0) {
    cli_error("test", "--timeout: '%s' is not a duration (e.g. 60s, 500ms, 2m)", timeout);
    goto usage;
  }
  uint64_t base = 0;
  if (seed ? opt_u64("test", "--seed", seed, &base) < 0 : (base = random_seed(), false))
    goto usage;
  if (bins.n == 0) {
    cli_error("test", "no test binaries (usage: tangle test [options] BINARY...)");
    goto usage;
  }

  FILE *out = open_output("test", output, stdout);
  char *dir = make_tmpdir("test");
  size_t n = bins.n * (size_t)count;
  struct run_spec *specs = xcalloc(n, sizeof *specs);
  struct run_result *res = xcalloc(n, sizeof *res);
  char **argvs = xcalloc(n * 2, sizeof *argvs);
  for (size_t b = 0, k = 0; b < bins.n; b++)
    for (long c = 0; c < count; c++, k++) {
      /* "./name" so a bare file name runs that file, not something in PATH */
      const char *p = bins.v[b];
      argvs[2 * k] = strchr(p, '/') ? xstrdup(p) : xasprintf("./%s", p);
      specs[k] = (struct run_spec){.argv = &argvs[2 * k],
                                   .has_seed = true,
                                   .seed = base + (uint64_t)c,
                                   .timeout_ns = timeout_ns,
                                   .capture = true,
                                   .log_path = xasprintf("%s/report.%zu", dir, k)};
    }
  struct progress pr = {.on = !quiet && isatty(2)};
  run_programs(specs, res, n, (int)jobs, show_progress, &pr);

  struct findings fs = {0};
  struct bin_result *br = xcalloc(bins.n, sizeof *br);
  int problems = 0, failures = 0, bad_lines = 0;
  for (size_t b = 0, k = 0; b < bins.n; b++) {
    br[b].path = bins.v[b];
    for (long c = 0; c < count; c++, k++) {
      struct run_result *r = &res[k];
      br[b].runs++;
      br[b].seconds += r->seconds;
      bad_lines += r->bad_lines;
      int counting = 0;
      for (size_t j = 0; j < r->nfindings; j++) {
        struct finding *f =
            findings_add(&fs, finding_new(r->findings[j], bins.v[b], true, specs[k].seed));
        counting += kind_counts(f->kind);
        r->findings[j] = NULL;
      }
      r->nfindings = 0;
      char *problem = run_problem(&specs[k], r);
      char *failure = problem ? NULL : run_failure(&specs[k], r, counting);
      if (problem && !br[b].problem) {
        br[b].problem = problem;
        problem = NULL;
        problems++;
      }
      if (failure && !br[b].failure) {
        br[b].failure = xasprintf("seed %" PRIu64 ": %s", specs[k].seed, failure);
        failures++;
      }
      if ((br[b].problem || failure) && r->output && !br[b].output) {
        br[b].output = r->output;
        r->output = NULL;
      }
      free(problem);
      free(failure);
    }
  }
  struct render rd = {.fs = &fs, .bins = br, .nbins = bins.n, .tool_verb = "test"};
  render(out, (enum format)fmt, &rd);
  if (out != stdout)
    fclose(out);
  else
    fflush(out);
  /* in CI logs, say why the gate fails even when the report went to a file */
  for (size_t b = 0; b < bins.n; b++)
    if (br[b].problem)
      cli_error("test", "%s", br[b].problem);
  if (fmt != FMT_TEXT || output) {
    char *s = findings_summary(&fs);
    if (!quiet)
      fprintf(stderr, "tangle test: %s (%zu binar%s, %ld run%s each)\n", s, bins.n,
              bins.n == 1 ? "y" : "ies", count, count == 1 ? "" : "s");
    free(s);
  }
  if (bad_lines)
    cli_error("test", "warning: %d side-channel line%s were not findings", bad_lines,
              bad_lines == 1 ? "" : "s");
  int status = problems                                   ? EXIT_USAGE
               : (findings_counting(&fs) > 0 || failures) ? EXIT_FINDINGS
                                                          : EXIT_CLEAN;
  for (size_t k = 0; k < n; k++) {
    free((char *)specs[k].log_path);
    free(argvs[2 * k]);
    run_result_free(&res[k]);
  }
  for (size_t b = 0; b < bins.n; b++) {
    free(br[b].problem);
    free(br[b].failure);
    free(br[b].output);
  }
  free(br);
  free(specs);
  free(res);
  free(argvs);
  findings_free(&fs);
  remove_tmpdir(dir);
  sv_free(&bins);
  return status;
usage:
  sv_free(&bins);
  return EXIT_USAGE;
}
