/* JUnit XML, as CI dashboards show it: a testcase per binary, a failure
 * element per finding that counts (its text report inside), an error element
 * for a binary that could not run; findings that are only warnings (leaks,
 * starvation by default) go to system-out. */
#include "fmt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Escapes for attribute and text content; drops characters XML 1.0 forbids
 * (controls other than tab, newline, carriage return). */
static void xml(FILE *f, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '&':
      fputs("&amp;", f);
      break;
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    case '\'':
      fputs("&apos;", f);
      break;
    default:
      if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
        fputc(c, f);
    }
  }
}

static char *finding_text(const struct finding *x) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m)
    cli_fatal("out of memory");
  fmt_text_finding(m, x);
  fclose(m);
  return buf;
}

static bool found_in(const struct finding *x, const char *bin) {
  for (size_t i = 0; i < x->binaries.n; i++)
    if (strcmp(x->binaries.v[i], bin) == 0)
      return true;
  return false;
}

static void testcase(FILE *f, const struct render *r, const struct bin_result *b) {
  fputs("    <testcase classname=\"tangle\" name=\"", f);
  xml(f, b->path);
  fprintf(f, "\" time=\"%.3f\">\n", b->seconds);
  if (b->problem) {
    fputs("      <error type=\"could_not_run\" message=\"", f);
    xml(f, b->problem);
    fputs("\">", f);
    xml(f, b->problem);
    fputs("</error>\n", f);
  }
  if (b->failure) {
    fputs("      <failure type=\"test_failed\" message=\"", f);
    xml(f, b->failure);
    fputs("\">", f);
    xml(f, b->failure);
    fputs("</failure>\n", f);
  }
  char *warn = NULL;
  size_t wlen = 0;
  FILE *w = open_memstream(&warn, &wlen);
  for (size_t i = 0; i < r->fs->n; i++) {
    const struct finding *x = r->fs->v[i];
    if (!(r->nbins == 1 && x->binaries.n == 0) && !found_in(x, b->path))
      continue;
    char *text = finding_text(x);
    if (!kind_counts(x->kind)) {
      fputs(text, w);
      free(text);
      continue;
    }
    const char *msg = json_get_string(x->obj, "message");
    fputs("      <failure type=\"", f);
    xml(f, kind_names[x->kind]);
    fputs("\" message=\"", f);
    xml(f, kind_titles[x->kind]);
    if (msg) {
      fputs(": ", f);
      xml(f, msg);
    }
    fputs("\">", f);
    xml(f, text);
    fputs("</failure>\n", f);
    free(text);
  }
  fclose(w);
  if ((warn && wlen) || b->output) {
    fputs("      <system-out>", f);
    if (warn)
      xml(f, warn);
    if (b->output)
      xml(f, b->output);
    fputs("</system-out>\n", f);
  }
  free(warn);
  fputs("    </testcase>\n", f);
}

void fmt_junit(FILE *f, const struct render *r) {
  /* saved findings (tangle report) have no binaries list: one testcase per
   * binary named in them, else one for all */
  struct bin_result *bins = r->bins;
  size_t nbins = r->nbins;
  struct strvec names = {0};
  if (nbins == 0) {
    for (size_t i = 0; i < r->fs->n; i++)
      for (size_t j = 0; j < r->fs->v[i]->binaries.n; j++) {
        bool have = false;
        for (size_t k = 0; k < names.n; k++)
          have |= strcmp(names.v[k], r->fs->v[i]->binaries.v[j]) == 0;
        if (!have)
          sv_push(&names, r->fs->v[i]->binaries.v[j]);
      }
    bool orphans = false;
    for (size_t i = 0; i < r->fs->n; i++)
      orphans |= r->fs->v[i]->binaries.n == 0;
    if (orphans || names.n == 0)
      sv_push(&names, "findings");
    nbins = names.n;
    bins = xcalloc(nbins, sizeof *bins);
    for (size_t i = 0; i < nbins; i++)
      bins[i].path = names.v[i];
  }
  int failures = 0, errors = 0;
  double secs = 0;
  struct render one = *r;
  for (size_t i = 0; i < nbins; i++) {
    errors += bins[i].problem != NULL;
    secs += bins[i].seconds;
    int nf = bins[i].failure != NULL;
    for (size_t k = 0; k < r->fs->n; k++) {
      const struct finding *x = r->fs->v[k];
      bool mine = found_in(x, bins[i].path) ||
                  (x->binaries.n == 0 && strcmp(bins[i].path, "findings") == 0);
      nf += mine && kind_counts(x->kind);
    }
    failures += nf ? 1 : 0;
  }
  char ts[32];
  time_t now = time(NULL);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", gmtime(&now));
  fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
  fprintf(
      f, "<testsuites name=\"tangle\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" time=\"%.3f\">\n",
      nbins, failures, errors, secs);
  fprintf(f,
          "  <testsuite name=\"tangle %s\" tests=\"%zu\" failures=\"%d\" errors=\"%d\" "
          "skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">\n",
          r->tool_verb, nbins, failures, errors, secs, ts);
  for (size_t i = 0; i < nbins; i++) {
    /* a lone "findings" testcase owns the findings without a binary */
    if (r->nbins == 0 && strcmp(bins[i].path, "findings") == 0) {
      struct findings orphans = {0};
      for (size_t k = 0; k < r->fs->n; k++)
        if (r->fs->v[k]->binaries.n == 0) {
          if (orphans.n == orphans.cap) {
            orphans.cap = orphans.cap ? orphans.cap * 2 : 8;
            orphans.v = xrealloc(orphans.v, orphans.cap * sizeof *orphans.v);
          }
          orphans.v[orphans.n++] = r->fs->v[k];
        }
      one.fs = &orphans;
      one.nbins = 1;
      testcase(f, &one, &bins[i]);
      free(orphans.v);
      continue;
    }
    one.fs = r->fs;
    one.nbins = nbins;
    testcase(f, &one, &bins[i]);
  }
  fputs("  </testsuite>\n</testsuites>\n", f);
  if (bins != r->bins)
    free(bins);
  sv_free(&names);
}
