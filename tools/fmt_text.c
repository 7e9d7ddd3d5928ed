/* Text and JSON-lines renderings. The text layout is REPORTS.md's (Go's):
 * the report between "==================" lines, stacks as
 * "  function() file:line". */
#include "fmt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int format_from_name(const char *name) {
  static const char *const names[] = {"text", "json", "sarif", "junit"};
  for (int i = 0; i < 4; i++)
    if (strcmp(name, names[i]) == 0)
      return i;
  return -1;
}

static void frames(FILE *f, const struct json *st, const char *indent) {
  if (json_is(st, JSON_OBJECT)) {
    frames(f, &(struct json){.type = JSON_ARRAY, .items = (struct json **)&st, .n = 1}, indent);
    return;
  }
  if (!json_is(st, JSON_ARRAY) || st->n == 0) {
    fprintf(f, "%s<no stack>\n", indent);
    return;
  }
  for (size_t i = 0; i < st->n; i++) {
    const struct json *fr = st->items[i];
    const char *fn = json_get_string(fr, "function"), *file = json_get_string(fr, "file");
    int64_t line = 0;
    json_i64(json_get(fr, "line"), &line);
    fprintf(f, "%s%s()", indent, fn && *fn ? fn : "?");
    if (file)
      fprintf(f, " %s:%" PRId64, file, line);
    fputc('\n', f);
  }
}

static void print_addr(FILE *f, const struct json *a) {
  uint64_t v;
  if (json_u64(a, &v))
    fprintf(f, "0x%" PRIx64, v);
  else if (json_string(a))
    fputs(json_string(a), f);
  else
    fputs("?", f);
}

static uint64_t u64_or(const struct json *v, uint64_t dflt) {
  uint64_t x;
  return json_u64(v, &x) ? x : dflt;
}

static void goroutine_line(FILE *f, const struct json *g, const char *tail) {
  const char *state = json_get_string(g, "state"), *on = json_get_string(g, "waiting_on");
  fprintf(f, "Goroutine %" PRIu64 " (%s%s%s)%s:\n", u64_or(json_get(g, "id"), 0),
          state ? state : "unknown", on ? ", waiting on " : "", on ? on : "", tail);
}

void fmt_text_finding(FILE *f, const struct finding *x) {
  const struct json *o = x->obj;
  const char *msg = json_get_string(o, "message");
  fputs("==================\n", f);
  fprintf(f, "%s\n", kind_titles[x->kind]);
  const struct json *acc = json_get(o, "accesses");
  bool race_layout = x->kind == K_DATA_RACE && json_is(acc, JSON_ARRAY) && acc->n > 0;
  if (race_layout) {
    for (size_t i = 0; i < acc->n; i++) {
      const struct json *a = acc->items[i];
      const char *op = json_get_string(a, "op");
      bool write = op && strcmp(op, "write") == 0;
      fprintf(f, "%s%s at ", i ? "Previous " : "",
              i ? (write ? "write" : "read") : (write ? "Write" : "Read"));
      print_addr(f, json_get(a, "addr"));
      fprintf(f, " by goroutine %" PRIu64 ":\n", u64_or(json_get(a, "goroutine"), 0));
      frames(f, json_get(a, "stack"), "  ");
    }
  } else if (msg && *msg && !strstr(kind_titles[x->kind], msg)) {
    fprintf(f, "%s\n", msg);
  }
  const struct json *cyc = json_get(o, "cycle");
  if (json_is(cyc, JSON_ARRAY) && cyc->n) {
    fprintf(f, "Cycle of %zu goroutine%s:\n", cyc->n, cyc->n == 1 ? "" : "s");
    for (size_t i = 0; i < cyc->n; i++) {
      const struct json *e = cyc->items[i];
      uint64_t g = u64_or(json_get(e, "goroutine"), 0);
      const struct json *h = json_get(e, "holds"), *w = json_get(e, "waits_for");
      if (json_is(h, JSON_OBJECT)) {
        const char *r = json_get_string(h, "resource");
        fprintf(f, "  goroutine %" PRIu64 " holds %s, acquired at:\n", g, r ? r : "?");
        frames(f, json_get(h, "at"), "    ");
      }
      if (json_is(w, JSON_OBJECT)) {
        const char *r = json_get_string(w, "resource");
        fprintf(f, "  goroutine %" PRIu64 " waits for %s at:\n", g, r ? r : "?");
        frames(f, json_get(w, "at"), "    ");
      }
    }
  }
  const struct json *gs = json_get(o, "goroutines");
  for (size_t i = 0; json_is(gs, JSON_ARRAY) && i < gs->n; i++) {
    const struct json *g = gs->items[i];
    const struct json *st = json_get(g, "stack"), *cr = json_get(g, "created_at");
    if (!race_layout && json_is(st, JSON_ARRAY) && st->n) {
      goroutine_line(f, g, "");
      frames(f, st, "  ");
    }
    if (json_is(cr, JSON_ARRAY) && cr->n) {
      goroutine_line(f, g, " created at");
      frames(f, cr, "  ");
    }
  }
  if (x->has_seed)
    fprintf(f, "Seed: %" PRIu64 " (replay: tangle run --seed %" PRIu64 " -- PROG)\n", x->seed,
            x->seed);
  if (x->binaries.n) {
    fputs("Found in:", f);
    for (size_t i = 0; i < x->binaries.n; i++)
      fprintf(f, " %s", x->binaries.v[i]);
    if (x->hits > 1)
      fprintf(f, " (%d runs)", x->hits);
    fputc('\n', f);
  }
  fputs("==================\n", f);
}

void fmt_text(FILE *f, const struct render *r) {
  for (size_t i = 0; i < r->fs->n; i++)
    fmt_text_finding(f, r->fs->v[i]);
  for (size_t i = 0; i < r->nbins; i++) {
    const struct bin_result *b = &r->bins[i];
    int nf = 0;
    for (size_t k = 0; k < r->fs->n; k++)
      for (size_t j = 0; j < r->fs->v[k]->binaries.n; j++)
        nf += strcmp(r->fs->v[k]->binaries.v[j], b->path) == 0 && kind_counts(r->fs->v[k]->kind);
    if (b->problem)
      fprintf(f, "ERROR %s: %s\n", b->path, b->problem);
    else if (b->failure)
      fprintf(f, "FAIL  %s: %s\n", b->path, b->failure);
    else if (nf)
      fprintf(f, "FAIL  %s: %d finding%s (%d run%s)\n", b->path, nf, nf == 1 ? "" : "s", b->runs,
              b->runs == 1 ? "" : "s");
    else
      fprintf(f, "ok    %s (%d run%s, %.2fs)\n", b->path, b->runs, b->runs == 1 ? "" : "s",
              b->seconds);
  }
  char *s = findings_summary(r->fs);
  fprintf(f, "%s\n", s);
  free(s);
}

void fmt_json(FILE *f, const struct render *r) {
  int count[K__COUNT] = {0};
  for (size_t i = 0; i < r->fs->n; i++) {
    const struct finding *x = r->fs->v[i];
    count[x->kind]++;
    struct json *o = json_clone(x->obj);
    if (x->binaries.n > 1) {
      struct json *bins = json_set(o, "binaries", json_new(JSON_ARRAY));
      for (size_t j = 0; j < x->binaries.n; j++)
        json_push(bins, json_new_string(x->binaries.v[j]));
    }
    if (x->hits > 1)
      json_set(o, "runs", json_new_number_u64((uint64_t)x->hits));
    json_write(f, o, -1);
    fputc('\n', f);
    json_free(o);
  }
  struct json *sum = json_new(JSON_OBJECT);
  json_set(sum, "kind", json_new_string("summary"));
  for (int k = 0; k < K__COUNT; k++)
    json_set(sum, kind_names[k], json_new_number_u64((uint64_t)count[k]));
  json_set(sum, "findings", json_new_number_u64(r->fs->n));
  json_set(sum, "counting", json_new_number_u64((uint64_t)findings_counting(r->fs)));
  int problems = 0, failures = 0;
  for (size_t i = 0; i < r->nbins; i++)
    problems += r->bins[i].problem != NULL, failures += r->bins[i].failure != NULL;
  if (r->nbins) {
    json_set(sum, "binaries", json_new_number_u64(r->nbins));
    json_set(sum, "could_not_run", json_new_number_u64((uint64_t)problems));
    json_set(sum, "failed", json_new_number_u64((uint64_t)failures));
  }
  for (size_t i = 0; r->summary_extra && i < r->summary_extra->n; i++)
    json_set(sum, r->summary_extra->keys[i], json_clone(r->summary_extra->items[i]));
  json_write(f, sum, -1);
  fputc('\n', f);
  json_free(sum);
}

void render(FILE *f, enum format fmt, const struct render *r) {
  switch (fmt) {
  case FMT_TEXT:
    fmt_text(f, r);
    break;
  case FMT_JSON:
    fmt_json(f, r);
    break;
  case FMT_SARIF:
    fmt_sarif(f, r);
    break;
  case FMT_JUNIT:
    fmt_junit(f, r);
    break;
  case FMT_DOT:
    fmt_dot(f, r);
    break;
  }
}
