/* SARIF 2.1.0, as code-scanning services ingest it: one rule per finding
 * kind, a result per finding with its primary location, related locations
 * for the other stacks' top frames, the full stacks, and a partial
 * fingerprint that survives code moving around. Paths under the current
 * directory are made relative to %SRCROOT% (the checkout, in CI). */
#include "fmt.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const rule_names[K__COUNT] = {
    "DataRace",   "Deadlock", "LockOrderInversion", "GlobalDeadlock", "GoroutineLeak",
    "Starvation", "Misuse"};
static const char *const rule_text[K__COUNT] = {
    "Two goroutines access the same memory, at least one writes, and nothing orders the accesses "
    "(happens-before).",
    "Goroutines wait for resources held by each other: a cycle in the wait-for graph.",
    "Locks are taken in inconsistent orders by different goroutines: a deadlock waiting to happen.",
    "No goroutine can run and no timer or I/O can wake one.",
    "A goroutine is still blocked (channel, lock, WaitGroup, Cond, Once) when the program ends.",
    "A goroutine waited for a lock longer than starvation_ms while others took it again and again.",
    "A synchronization primitive is used in a way its contract forbids."};

/* URIs: percent-encode all but unreserved characters and '/'. */
static char *uri_encode(const char *s) {
  size_t n = strlen(s);
  char *o = xmalloc(n * 3 + 1), *p = o;
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        strchr("-._~/", c))
      *p++ = (char)c;
    else
      p += sprintf(p, "%%%02X", c);
  }
  *p = 0;
  return o;
}

static struct json *str(const char *s) {
  return json_new_string(s);
}

static struct json *message(const char *text) {
  struct json *m = json_new(JSON_OBJECT);
  json_set(m, "text", str(text));
  return m;
}

/* A SARIF location for a file:line (physical) and function (logical). */
static struct json *location(const char *file, int64_t line, const char *function,
                             const char *root) {
  struct json *loc = json_new(JSON_OBJECT);
  if (file) {
    struct json *phys = json_set(loc, "physicalLocation", json_new(JSON_OBJECT));
    struct json *art = json_set(phys, "artifactLocation", json_new(JSON_OBJECT));
    size_t rl = strlen(root);
    char *uri;
    if (file[0] == '/' && rl && strncmp(file, root, rl) == 0 && file[rl] == '/') {
      uri = uri_encode(file + rl + 1);
      json_set(art, "uri", str(uri));
      json_set(art, "uriBaseId", str("%SRCROOT%"));
    } else if (file[0] == '/') {
      char *enc = uri_encode(file);
      uri = xasprintf("file://%s", enc);
      free(enc);
      json_set(art, "uri", str(uri));
    } else {
      uri = uri_encode(file);
      json_set(art, "uri", str(uri));
      json_set(art, "uriBaseId", str("%SRCROOT%"));
    }
    free(uri);
    if (line > 0) {
      struct json *reg = json_set(phys, "region", json_new(JSON_OBJECT));
      json_set(reg, "startLine", json_new_number_i64(line));
    }
  }
  if (function && strcmp(function, "?") != 0) {
    struct json *logs = json_set(loc, "logicalLocations", json_new(JSON_ARRAY));
    struct json *l = json_push(logs, json_new(JSON_OBJECT));
    json_set(l, "name", str(function));
    json_set(l, "kind", str("function"));
  }
  return loc;
}

static struct json *stack(const struct json *frames, const char *what, const char *root) {
  struct json *st = json_new(JSON_OBJECT);
  json_set(st, "message", message(what));
  struct json *fr = json_set(st, "frames", json_new(JSON_ARRAY));
  for (size_t i = 0; json_is(frames, JSON_ARRAY) && i < frames->n; i++) {
    const struct json *x = frames->items[i];
    int64_t line = 0;
    json_i64(json_get(x, "line"), &line);
    const char *fn = json_get_string(x, "function");
    struct json *frame = json_push(fr, json_new(JSON_OBJECT));
    json_set(frame, "location", location(json_get_string(x, "file"), line, fn ? fn : "?", root));
  }
  return st;
}

static void add_stacks(struct json *res, const struct finding *x, const char *root) {
  struct json *stacks = json_new(JSON_ARRAY);
  const struct json *acc = json_get(x->obj, "accesses");
  for (size_t i = 0; json_is(acc, JSON_ARRAY) && i < acc->n; i++) {
    char *what = xasprintf(
        "%s%s by goroutine %s", i ? "previous " : "",
        json_get_string(acc->items[i], "op") ? json_get_string(acc->items[i], "op") : "access",
        json_is(json_get(acc->items[i], "goroutine"), JSON_NUMBER)
            ? json_get(acc->items[i], "goroutine")->str
            : "?");
    json_push(stacks, stack(json_get(acc->items[i], "stack"), what, root));
    free(what);
  }
  const struct json *gs = json_get(x->obj, "goroutines");
  for (size_t i = 0; json_is(gs, JSON_ARRAY) && i < gs->n; i++) {
    const struct json *g = gs->items[i];
    const char *id = json_is(json_get(g, "id"), JSON_NUMBER) ? json_get(g, "id")->str : "?";
    const struct json *st = json_get(g, "stack"), *cr = json_get(g, "created_at");
    if (json_is(st, JSON_ARRAY) && st->n) {
      const char *state = json_get_string(g, "state");
      char *what = xasprintf("goroutine %s (%s)", id, state ? state : "?");
      json_push(stacks, stack(st, what, root));
      free(what);
    }
    if (json_is(cr, JSON_ARRAY) && cr->n) {
      char *what = xasprintf("goroutine %s created at", id);
      json_push(stacks, stack(cr, what, root));
      free(what);
    }
  }
  if (stacks->n)
    json_set(res, "stacks", stacks);
  else
    json_free(stacks);
}

void fmt_sarif(FILE *f, const struct render *r) {
  char cwd[PATH_MAX];
  const char *root = getcwd(cwd, sizeof cwd) ? cwd : "";
  if (strcmp(root, "/") == 0)
    root = "";
  struct json *log = json_new(JSON_OBJECT);
  json_set(log, "$schema", str("https://json.schemastore.org/sarif-2.1.0.json"));
  json_set(log, "version", str("2.1.0"));
  struct json *runs = json_set(log, "runs", json_new(JSON_ARRAY));
  struct json *run = json_push(runs, json_new(JSON_OBJECT));
  struct json *driver =
      json_set(json_set(run, "tool", json_new(JSON_OBJECT)), "driver", json_new(JSON_OBJECT));
  json_set(driver, "name", str("tangle"));
  json_set(driver, "version", str(TANGLE_VERSION));
  json_set(driver, "semanticVersion", str(TANGLE_VERSION));
  struct json *rules = json_set(driver, "rules", json_new(JSON_ARRAY));
  for (int k = 0; k < K__COUNT; k++) {
    struct json *rule = json_push(rules, json_new(JSON_OBJECT));
    json_set(rule, "id", str(kind_names[k]));
    json_set(rule, "name", str(rule_names[k]));
    const char *title = kind_titles[k];
    json_set(rule, "shortDescription",
             message(strncmp(title, "WARNING: ", 9) == 0 ? title + 9 : title));
    json_set(rule, "fullDescription", message(rule_text[k]));
    json_set(rule, "help", message(rule_text[k]));
    struct json *conf = json_set(rule, "defaultConfiguration", json_new(JSON_OBJECT));
    json_set(conf, "level", str(kind_counts((enum kind)k) ? "error" : "warning"));
    struct json *props = json_set(rule, "properties", json_new(JSON_OBJECT));
    struct json *tags = json_set(props, "tags", json_new(JSON_ARRAY));
    json_push(tags, str("concurrency"));
  }

  if (root[0]) {
    struct json *bases = json_set(run, "originalUriBaseIds", json_new(JSON_OBJECT));
    struct json *src = json_set(bases, "%SRCROOT%", json_new(JSON_OBJECT));
    char *enc = uri_encode(root);
    char *uri = xasprintf("file://%s/", enc);
    json_set(src, "uri", str(uri));
    free(uri);
    free(enc);
  }

  struct json *results = json_set(run, "results", json_new(JSON_ARRAY));
  for (size_t i = 0; i < r->fs->n; i++) {
    const struct finding *x = r->fs->v[i];
    struct json *res = json_push(results, json_new(JSON_OBJECT));
    json_set(res, "ruleId", str(kind_names[x->kind]));
    json_set(res, "ruleIndex", json_new_number_u64((uint64_t)x->kind));
    json_set(res, "level", str(kind_counts(x->kind) ? "error" : "warning"));
    const char *msg = json_get_string(x->obj, "message");
    const char *title = kind_titles[x->kind];
    char *text = xasprintf("%s%s%s", title, msg ? ": " : "", msg ? msg : "");
    if (x->has_seed) {
      char *t = xasprintf("%s (seed %llu: tangle run --seed %llu)", text,
                          (unsigned long long)x->seed, (unsigned long long)x->seed);
      free(text);
      text = t;
    }
    json_set(res, "message", message(text));
    free(text);
    struct json *locs = json_set(res, "locations", json_new(JSON_ARRAY));
    if (x->nlocs)
      json_push(locs, location(x->locs[0].file, x->locs[0].line, x->locs[0].function, root));
    if (x->nlocs > 1) {
      struct json *rel = json_set(res, "relatedLocations", json_new(JSON_ARRAY));
      for (size_t j = 1; j < x->nlocs; j++) {
        struct json *l =
            json_push(rel, location(x->locs[j].file, x->locs[j].line, x->locs[j].function, root));
        json_set(l, "id", json_new_number_u64(j));
        json_set(l, "message", message(x->locs[j].what ? x->locs[j].what : ""));
      }
    }
    add_stacks(res, x, root);
    struct json *fp = json_set(res, "partialFingerprints", json_new(JSON_OBJECT));
    char *h = finding_fingerprint(x);
    json_set(fp, "tangleFindingHash/v1", str(h));
    free(h);
    struct json *props = json_set(res, "properties", json_new(JSON_OBJECT));
    if (x->has_seed)
      json_set(props, "seed", json_new_number_u64(x->seed));
    json_set(props, "runs", json_new_number_u64((uint64_t)x->hits));
    if (x->binaries.n) {
      struct json *b = json_set(props, "binaries", json_new(JSON_ARRAY));
      for (size_t j = 0; j < x->binaries.n; j++)
        json_push(b, str(x->binaries.v[j]));
    }
  }

  /* binaries that could not run or failed on their own: tool notifications */
  struct json *inv =
      json_push(json_set(run, "invocations", json_new(JSON_ARRAY)), json_new(JSON_OBJECT));
  struct json *notes = json_new(JSON_ARRAY);
  bool ok = true;
  for (size_t i = 0; i < r->nbins; i++) {
    const struct bin_result *b = &r->bins[i];
    const char *why = b->problem ? b->problem : b->failure;
    if (!why)
      continue;
    ok &= b->problem == NULL;
    struct json *n = json_push(notes, json_new(JSON_OBJECT));
    json_set(n, "level", str("error"));
    char *t = xasprintf("%s: %s", b->path, why);
    json_set(n, "message", message(t));
    free(t);
    struct json *d = json_set(n, "descriptor", json_new(JSON_OBJECT));
    json_set(d, "id", str(b->problem ? "could_not_run" : "test_failed"));
  }
  json_set(inv, "executionSuccessful", json_new_bool(ok));
  if (notes->n)
    json_set(inv, "toolExecutionNotifications", notes);
  else
    json_free(notes);

  json_write(f, log, 2);
  fputc('\n', f);
  json_free(log);
}
