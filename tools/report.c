/* `tangle report FILE...`: re-renders saved JSON findings. Input is checked
 * line by line; anything that is not a tangle finding (or the hello/summary
 * lines around them) is rejected with its file and line: exit 2. */
#include "cli.h"
#include "fmt.h"
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Reads one input; returns 0, or -1 after an error message. */
static int read_input(const char *path, struct findings *fs, size_t *nlines) {
  FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
  if (!in) {
    cli_error("report", "cannot read %s: %s", path, strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t len;
  int rc = 0;
  while ((len = getline(&line, &cap, in)) >= 0) {
    lineno++;
    if (memchr(line, 0, (size_t)len)) {
      cli_error("report", "%s:%zu: binary data: not a JSON findings file", path, lineno);
      rc = -1;
      break;
    }
    size_t l = (size_t)len;
    while (l && (line[l - 1] == '\n' || line[l - 1] == '\r' || line[l - 1] == ' ' ||
                 line[l - 1] == '\t'))
      l--;
    if (l == 0)
      continue;
    char err[256];
    struct json *o = json_parse(line, l, err, sizeof err);
    if (!o) {
      cli_error("report", "%s:%zu: not JSON (%s): expected one JSON finding a line", path, lineno,
                err);
      rc = -1;
      break;
    }
    bool control;
    if (finding_check(o, &control, err, sizeof err) < 0) {
      cli_error("report", "%s:%zu: not a tangle finding: %s", path, lineno, err);
      json_free(o);
      rc = -1;
      break;
    }
    if (control) {
      json_free(o);
      continue;
    }
    findings_add(fs, finding_new(o, NULL, false, 0));
    (*nlines)++;
  }
  if (rc == 0 && ferror(in)) {
    cli_error("report", "cannot read %s: %s", path, strerror(errno));
    rc = -1;
  }
  free(line);
  if (in != stdin)
    fclose(in);
  return rc;
}

int verb_report(int argc, char **argv) {
  const char *format = "text", *output = NULL;
  bool dot = false;
  struct strvec files = {0};
  int status = EXIT_USAGE;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      for (i++; i < argc; i++)
        sv_push(&files, argv[i]);
      break;
    }
    if (a[0] != '-' || strcmp(a, "-") == 0) {
      sv_push(&files, a);
      continue;
    }
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      help_print("report", 1);
      sv_free(&files);
      return EXIT_CLEAN;
    }
    if (strcmp(a, "--dot") == 0) {
      dot = true;
      continue;
    }
    int r;
    if ((r = opt_value("report", argc, argv, &i, "--format", &format)) ||
        (r = opt_value("report", argc, argv, &i, "--output", &output))) {
      if (r < 0)
        goto out;
      continue;
    }
    cli_error("report", "unknown option '%s' (see `tangle report --help`)", a);
    goto out;
  }
  int fmt = dot ? FMT_DOT : format_from_name(format);
  if (fmt < 0) {
    cli_error("report", "--format: '%s' is not text, json, sarif or junit", format);
    goto out;
  }
  if (files.n == 0) {
    cli_error("report", "no input files (usage: tangle report [options] FILE...; - for stdin)");
    goto out;
  }
  struct findings fs = {0};
  size_t nlines = 0;
  for (size_t i = 0; i < files.n; i++)
    if (read_input(files.v[i], &fs, &nlines) < 0) {
      findings_free(&fs);
      goto out;
    }
  FILE *o = open_output("report", output, stdout);
  struct render rd = {.fs = &fs, .tool_verb = "report"};
  if (fmt == FMT_DOT) {
    if (fmt_dot(o, &rd) == 0)
      cli_error("report", "note: no deadlock or lock-order cycle in the input; the graph is empty");
  } else {
    render(o, (enum format)fmt, &rd);
  }
  if (o != stdout)
    fclose(o);
  findings_free(&fs);
  status = EXIT_CLEAN;
out:
  sv_free(&files);
  return status;
}
