/* `tangle run [options] -- PROG ARGS...`: one run of a race-built program
 * with the side channel; its own stdin/stdout/stderr pass through untouched
 * (the detector's text reports are sent to a temporary log_path instead, so
 * they are not printed twice), then the findings and a summary. */
#include "cli.h"
#include "exec.h"
#include "fmt.h"
#include "opts.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int verb_run(int argc, char **argv) {
  const char *format = "text", *output = NULL, *timeout = NULL, *seed = NULL;
  bool quiet = false;
  int i = 1;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      i++;
      break;
    }
    if (a[0] != '-')
      break;
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      help_print("run", 1);
      return EXIT_CLEAN;
    }
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
      quiet = true;
      continue;
    }
    int r;
    if ((r = opt_value("run", argc, argv, &i, "--format", &format)) ||
        (r = opt_value("run", argc, argv, &i, "--output", &output)) ||
        (r = opt_value("run", argc, argv, &i, "--timeout", &timeout)) ||
        (r = opt_value("run", argc, argv, &i, "--seed", &seed))) {
      if (r < 0)
        return EXIT_USAGE;
      continue;
    }
    cli_error("run", "unknown option '%s' (see `tangle run --help`)", a);
    return EXIT_USAGE;
  }
  if (i >= argc) {
    cli_error("run", "no program to run (usage: tangle run [options] -- PROG [ARGS...])");
    return EXIT_USAGE;
  }
  int fmt = format_from_name(format);
  if (fmt != FMT_TEXT && fmt != FMT_JSON) {
    cli_error("run", "--format: '%s' is not text or json", format);
    return EXIT_USAGE;
  }
  struct run_spec spec = {.argv = argv + i};
  if (timeout && (spec.timeout_ns = parse_duration(timeout)) <= 0) {
    cli_error("run", "--timeout: '%s' is not a duration (e.g. 30s, 500ms, 2m)", timeout);
    return EXIT_USAGE;
  }
  if (seed) {
    if (opt_u64("run", "--seed", seed, &spec.seed) < 0)
      return EXIT_USAGE;
    spec.has_seed = true;
  }
  FILE *out = open_output("run", output, stderr);
  char *dir = make_tmpdir("run");
  char *log = xasprintf("%s/report", dir);
  spec.log_path = log;

  struct run_result res;
  run_programs(&spec, &res, 1, 1, NULL, NULL);

  struct findings fs = {0};
  for (size_t k = 0; k < res.nfindings; k++) {
    findings_add(&fs, finding_new(res.findings[k], NULL, res.has_seed, res.seed));
    res.findings[k] = NULL;
  }
  res.nfindings = 0;
  /* how the program ended, for scripts reading --format json */
  struct json *extra = json_new(JSON_OBJECT);
  json_set(extra, "program", json_new_string(spec.argv[0]));
  if (res.exec_errno)
    json_set(extra, "error", json_new_string(strerror(res.exec_errno)));
  else if (res.exited)
    json_set(extra, "status", json_new_number_i64(res.status));
  else
    json_set(extra, "signal", json_new_number_i64(res.signal));
  json_set(extra, "timed_out", json_new_bool(res.timed_out));
  json_set(extra, "race_build", json_new_bool(res.hello));
  if (res.has_seed)
    json_set(extra, "seed", json_new_number_u64(res.seed));
  struct render rd = {.fs = &fs, .tool_verb = "run", .summary_extra = extra};
  if (fmt == FMT_JSON) {
    fmt_json(out, &rd);
  } else {
    for (size_t k = 0; k < fs.n; k++)
      fmt_text_finding(out, fs.v[k]);
    if (!quiet && res.hello) {
      char *s = findings_summary(&fs);
      fprintf(out, "tangle run: %s\n", s);
      free(s);
    }
  }
  fflush(out);

  char *problem = run_problem(&spec, &res);
  int status = EXIT_CLEAN;
  if (problem) {
    cli_error("run", "%s", problem);
    status = EXIT_USAGE;
  } else if (res.timed_out || !res.exited) {
    char *how = run_ending(&spec, &res);
    cli_error("run", "%s %s%s", spec.argv[0], how,
              res.summary ? "" : "; the findings above are all it reported before");
    free(how);
    status = EXIT_USAGE;
  } else if (!res.summary && !quiet) {
    cli_error("run", "note: %s exited (status %d) without the detector's summary", spec.argv[0],
              res.status);
  }
  if (res.bad_lines)
    cli_error("run", "warning: %d line%s on the side channel %s not findings (first: %s)",
              res.bad_lines, res.bad_lines == 1 ? "" : "s", res.bad_lines == 1 ? "was" : "were",
              res.first_bad);
  if (findings_counting(&fs) > 0)
    status = EXIT_FINDINGS;
  free(problem);
  json_free(extra);
  findings_free(&fs);
  run_result_free(&res);
  if (out != stderr)
    fclose(out);
  free(log);
  remove_tmpdir(dir);
  return status;
}
