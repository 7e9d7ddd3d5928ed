/* Renderings of merged findings: text (REPORTS.md's layout), JSON lines,
 * SARIF 2.1.0, JUnit XML and Graphviz DOT. */
#ifndef TANGLE_FMT_H
#define TANGLE_FMT_H

#include "finding.h"

#include <stdio.h>

/* One binary of `tangle test` (or a group of saved findings for report). */
struct bin_result {
  char *path;
  int runs;
  char *problem; /* could not run: first reason, or NULL */
  char *failure; /* ran, but failed by itself (crash, timeout, status): first reason */
  double seconds;
  char *output; /* captured output of a failing run, or NULL */
};

struct render {
  struct findings *fs;
  struct bin_result *bins; /* may be empty */
  size_t nbins;
  const char *tool_verb;            /* "test", "run", "report" */
  const struct json *summary_extra; /* keys added to the JSON summary line, or NULL */
};

enum format { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_JUNIT, FMT_DOT };
/* "text", "json", "sarif", "junit"; -1 if unknown. */
int format_from_name(const char *name);

void fmt_text_finding(FILE *f, const struct finding *x);
void fmt_text(FILE *f, const struct render *r);
void fmt_json(FILE *f, const struct render *r);
void fmt_sarif(FILE *f, const struct render *r);
void fmt_junit(FILE *f, const struct render *r);
/* Returns how many cycles were drawn. */
int fmt_dot(FILE *f, const struct render *r);
void render(FILE *f, enum format fmt, const struct render *r);

#endif
