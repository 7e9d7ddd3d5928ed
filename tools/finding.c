/* The finding model: shape checks, locations, de-duplication. */
#include "finding.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kind_names[K__COUNT] = {
    "data_race", "deadlock", "lock_order", "global_deadlock", "leak", "starvation", "misuse"};
const char *const kind_titles[K__COUNT] = {"WARNING: DATA RACE",
                                           "WARNING: DEADLOCK",
                                           "WARNING: LOCK ORDER INVERSION",
                                           "fatal error: all goroutines are asleep - deadlock!",
                                           "WARNING: GOROUTINE LEAK",
                                           "WARNING: STARVATION",
                                           "WARNING: MISUSE"};

int kind_from_name(const char *name) {
  for (int k = 0; name && k < K__COUNT; k++)
    if (strcmp(name, kind_names[k]) == 0)
      return k;
  return -1;
}

/* ---- shape checks: a message naming the offending key ---- */

static int bad(char *err, size_t errlen, const char *fmt, const char *what) {
  snprintf(err, errlen, fmt, what);
  return -1;
}

static bool opt_type(const struct json *o, const char *key, enum json_type t) {
  const struct json *v = json_get(o, key);
  return !v || v->type == t || v->type == JSON_NULL;
}

static int check_frames(const struct json *frames, const char *where, char *err, size_t errlen) {
  if (!frames || frames->type == JSON_NULL)
    return 0;
  /* a single frame object is accepted where a list is expected */
  if (frames->type == JSON_OBJECT)
    return check_frames(
        &(struct json){.type = JSON_ARRAY, .items = (struct json **)&frames, .n = 1}, where, err,
        errlen);
  if (frames->type != JSON_ARRAY)
    return bad(err, errlen, "\"%s\" is not a list of frames", where);
  for (size_t i = 0; i < frames->n; i++) {
    const struct json *fr = frames->items[i];
    if (fr->type != JSON_OBJECT)
      return bad(err, errlen, "a frame in \"%s\" is not an object", where);
    if (!opt_type(fr, "function", JSON_STRING) || !opt_type(fr, "file", JSON_STRING) ||
        !opt_type(fr, "line", JSON_NUMBER) || !opt_type(fr, "inlined", JSON_BOOL))
      return bad(err, errlen,
                 "a frame in \"%s\" has a key of the wrong type (function, file: string; line: "
                 "number; inlined: bool)",
                 where);
  }
  return 0;
}

static int check_list(const struct json *o, const char *key, char *err, size_t errlen,
                      int (*each)(const struct json *, char *, size_t)) {
  const struct json *l = json_get(o, key);
  if (!l || l->type == JSON_NULL)
    return 0;
  if (l->type != JSON_ARRAY)
    return bad(err, errlen, "\"%s\" is not a list", key);
  for (size_t i = 0; i < l->n; i++) {
    if (l->items[i]->type != JSON_OBJECT)
      return bad(err, errlen, "an element of \"%s\" is not an object", key);
    if (each(l->items[i], err, errlen) < 0)
      return -1;
  }
  return 0;
}

static int check_goroutine(const struct json *g, char *err, size_t errlen) {
  if (!opt_type(g, "id", JSON_NUMBER) || !opt_type(g, "state", JSON_STRING) ||
      !opt_type(g, "waiting_on", JSON_STRING))
    return bad(err, errlen, "%s",
               "a goroutine has a key of the wrong type (id, state, waiting_on)");
  if (check_frames(json_get(g, "stack"), "stack", err, errlen) < 0)
    return -1;
  return check_frames(json_get(g, "created_at"), "created_at", err, errlen);
}

static int check_access(const struct json *a, char *err, size_t errlen) {
  const char *op = json_get_string(a, "op");
  if (op && strcmp(op, "read") != 0 && strcmp(op, "write") != 0)
    return bad(err, errlen, "an access has op \"%s\" (read or write expected)", op);
  if (!opt_type(a, "goroutine", JSON_NUMBER) || !opt_type(a, "size", JSON_NUMBER))
    return bad(err, errlen, "%s", "an access has a key of the wrong type (goroutine, size)");
  return check_frames(json_get(a, "stack"), "stack", err, errlen);
}

static int check_end(const struct json *e, const char *key, char *err, size_t errlen) {
  const struct json *v = json_get(e, key);
  if (!v || v->type == JSON_NULL)
    return 0;
  if (v->type != JSON_OBJECT || !opt_type(v, "resource", JSON_STRING))
    return bad(err, errlen, "a cycle edge's \"%s\" is not {resource, at}", key);
  return check_frames(json_get(v, "at"), "at", err, errlen);
}

static int check_edge(const struct json *e, char *err, size_t errlen) {
  if (!opt_type(e, "goroutine", JSON_NUMBER))
    return bad(err, errlen, "%s", "a cycle edge's goroutine is not a number");
  if (check_end(e, "holds", err, errlen) < 0)
    return -1;
  return check_end(e, "waits_for", err, errlen);
}

int finding_check(const struct json *o, bool *control, char *err, size_t errlen) {
  *control = false;
  if (!json_is(o, JSON_OBJECT))
    return bad(err, errlen, "%s", "not a JSON object");
  const char *kind = json_get_string(o, "kind");
  if (!kind)
    return bad(err, errlen, "%s", "no \"kind\": not a tangle finding");
  if (strcmp(kind, "hello") == 0 || strcmp(kind, "summary") == 0) {
    *control = true;
    return 0;
  }
  if (kind_from_name(kind) < 0)
    return bad(err, errlen, "unknown kind \"%s\"", kind);
  if (!opt_type(o, "message", JSON_STRING))
    return bad(err, errlen, "%s", "\"message\" is not a string");
  if (!opt_type(o, "seed", JSON_NUMBER))
    return bad(err, errlen, "%s", "\"seed\" is not a number");
  if (check_list(o, "goroutines", err, errlen, check_goroutine) < 0 ||
      check_list(o, "accesses", err, errlen, check_access) < 0 ||
      check_list(o, "cycle", err, errlen, check_edge) < 0)
    return -1;
  return 0;
}

/* ---- locations ---- */

static bool runtime_frame(const char *fn) {
  return strncmp(fn, "tg_", 3) == 0 || strncmp(fn, "__tsan", 6) == 0 || strncmp(fn, "tg__", 4) == 0;
}

static struct loc frame_loc(const struct json *fr) {
  struct loc l = {"?", NULL, 0, NULL};
  const char *fn = json_get_string(fr, "function");
  if (fn && *fn)
    l.function = fn;
  l.file = json_get_string(fr, "file");
  if (!json_i64(json_get(fr, "line"), &l.line))
    l.line = 0;
  return l;
}

/* The first frame in user code with a file; else the first with a file; else
 * the first. Runtime frames (tg_*, __tsan*) are where the program called
 * tangle, not where the bug is. */
struct loc stack_top(const struct json *frames) {
  if (json_is(frames, JSON_OBJECT))
    return frame_loc(frames);
  if (!json_is(frames, JSON_ARRAY) || frames->n == 0)
    return (struct loc){"?", NULL, 0, NULL};
  for (size_t i = 0; i < frames->n; i++) {
    struct loc l = frame_loc(frames->items[i]);
    if (l.file && !runtime_frame(l.function))
      return l;
  }
  for (size_t i = 0; i < frames->n; i++) {
    struct loc l = frame_loc(frames->items[i]);
    if (l.file)
      return l;
  }
  return frame_loc(frames->items[0]);
}

static void add_loc(struct finding *f, struct loc l, char *what) {
  if (l.function[0] == '?' && !l.file) {
    free(what);
    return;
  }
  f->locs = xrealloc(f->locs, (f->nlocs + 1) * sizeof *f->locs);
  l.what = what;
  f->locs[f->nlocs++] = l;
}

static void collect_locs(struct finding *f) {
  const struct json *o = f->obj;
  const struct json *acc = json_get(o, "accesses");
  for (size_t i = 0; json_is(acc, JSON_ARRAY) && i < acc->n; i++) {
    const struct json *a = acc->items[i];
    const char *op = json_get_string(a, "op");
    uint64_t g = 0;
    json_u64(json_get(a, "goroutine"), &g);
    add_loc(f, stack_top(json_get(a, "stack")),
            xasprintf("%s%s by goroutine %" PRIu64, i ? "previous " : "", op ? op : "access", g));
  }
  const struct json *cyc = json_get(o, "cycle");
  for (size_t i = 0; json_is(cyc, JSON_ARRAY) && i < cyc->n; i++) {
    const struct json *e = cyc->items[i];
    uint64_t g = 0;
    json_u64(json_get(e, "goroutine"), &g);
    const struct json *w = json_get(e, "waits_for"), *h = json_get(e, "holds");
    if (json_is(w, JSON_OBJECT)) {
      const char *r = json_get_string(w, "resource");
      add_loc(f, stack_top(json_get(w, "at")),
              xasprintf("goroutine %" PRIu64 " waits for %s", g, r ? r : "?"));
    }
    if (json_is(h, JSON_OBJECT)) {
      const char *r = json_get_string(h, "resource");
      add_loc(f, stack_top(json_get(h, "at")),
              xasprintf("goroutine %" PRIu64 " holds %s", g, r ? r : "?"));
    }
  }
  if (f->nlocs == 0) {
    /* leaks, starvation, misuse, global deadlock: where each goroutine is */
    const struct json *gs = json_get(o, "goroutines");
    for (size_t i = 0; json_is(gs, JSON_ARRAY) && i < gs->n; i++) {
      const struct json *g = gs->items[i];
      uint64_t id = 0;
      json_u64(json_get(g, "id"), &id);
      const char *st = json_get_string(g, "state");
      add_loc(f, stack_top(json_get(g, "stack")),
              xasprintf("goroutine %" PRIu64 " (%s)", id, st ? st : "?"));
    }
  }
  if (f->nlocs == 0) {
    /* nothing symbolized: created_at stacks are all there is */
    const struct json *gs = json_get(o, "goroutines");
    for (size_t i = 0; json_is(gs, JSON_ARRAY) && i < gs->n; i++) {
      uint64_t id = 0;
      json_u64(json_get(gs->items[i], "id"), &id);
      add_loc(f, stack_top(json_get(gs->items[i], "created_at")),
              xasprintf("goroutine %" PRIu64 " created", id));
    }
  }
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* kind|sorted(file:line:function...): the same race seen from either side,
 * or the same cycle entered from another goroutine, is one finding. */
static char *make_key(const struct finding *f, bool with_lines) {
  char **parts = xcalloc(f->nlocs ? f->nlocs : 1, sizeof *parts);
  size_t len = strlen(kind_names[f->kind]) + 2;
  for (size_t i = 0; i < f->nlocs; i++) {
    const char *file = f->locs[i].file ? f->locs[i].file : "?";
    if (!with_lines) {
      const char *slash = strrchr(file, '/');
      file = slash ? slash + 1 : file;
    }
    parts[i] = with_lines
                   ? xasprintf("%s:%" PRId64 ":%s", file, f->locs[i].line, f->locs[i].function)
                   : xasprintf("%s:%s", file, f->locs[i].function);
    len += strlen(parts[i]) + 1;
  }
  qsort(parts, f->nlocs, sizeof *parts, cmp_str);
  char *key = xmalloc(len + 1);
  strcpy(key, kind_names[f->kind]);
  for (size_t i = 0; i < f->nlocs; i++) {
    /* drop repeats: a cycle of one lock taken twice names a place twice */
    if (i && strcmp(parts[i], parts[i - 1]) == 0)
      continue;
    strcat(key, "|");
    strcat(key, parts[i]);
  }
  for (size_t i = 0; i < f->nlocs; i++)
    free(parts[i]);
  free(parts);
  return key;
}

struct finding *finding_new(struct json *obj, const char *binary, bool has_seed, uint64_t seed) {
  struct finding *f = xcalloc(1, sizeof *f);
  f->kind = (enum kind)kind_from_name(json_get_string(obj, "kind"));
  f->obj = obj;
  uint64_t s;
  if (json_u64(json_get(obj, "seed"), &s)) {
    f->seed = s;
    f->has_seed = true;
  } else if (has_seed) {
    f->seed = seed;
    f->has_seed = true;
    json_set(obj, "seed", json_new_number_u64(seed));
  }
  const char *saved_bin = json_get_string(obj, "binary");
  if (binary) {
    sv_push(&f->binaries, binary);
    if (!saved_bin)
      json_set(obj, "binary", json_new_string(binary));
  } else if (saved_bin) {
    sv_push(&f->binaries, saved_bin);
  }
  /* saved by `tangle test --format json`: every binary, and how many runs */
  const struct json *bins = json_get(obj, "binaries");
  for (size_t i = 0; !binary && json_is(bins, JSON_ARRAY) && i < bins->n; i++) {
    const char *b = json_string(bins->items[i]);
    bool have = false;
    for (size_t j = 0; b && j < f->binaries.n; j++)
      have |= strcmp(f->binaries.v[j], b) == 0;
    if (b && !have)
      sv_push(&f->binaries, b);
  }
  uint64_t runs;
  f->hits = !binary && json_u64(json_get(obj, "runs"), &runs) && runs > 0 && runs < 1u << 30
                ? (int)runs
                : 1;
  collect_locs(f);
  f->key = make_key(f, true);
  return f;
}

void finding_free(struct finding *f) {
  if (!f)
    return;
  json_free(f->obj);
  free(f->key);
  for (size_t i = 0; i < f->nlocs; i++)
    free((char *)f->locs[i].what);
  free(f->locs);
  sv_free(&f->binaries);
  free(f);
}

struct finding *findings_add(struct findings *fs, struct finding *f) {
  for (size_t i = 0; i < fs->n; i++) {
    struct finding *o = fs->v[i];
    if (o->kind != f->kind || strcmp(o->key, f->key) != 0)
      continue;
    o->hits += f->hits;
    for (size_t b = 0; b < f->binaries.n; b++) {
      bool have = false;
      for (size_t c = 0; c < o->binaries.n; c++)
        have |= strcmp(o->binaries.v[c], f->binaries.v[b]) == 0;
      if (!have)
        sv_push(&o->binaries, f->binaries.v[b]);
    }
    finding_free(f);
    return o;
  }
  if (fs->n == fs->cap) {
    fs->cap = fs->cap ? fs->cap * 2 : 16;
    fs->v = xrealloc(fs->v, fs->cap * sizeof *fs->v);
  }
  fs->v[fs->n++] = f;
  return f;
}

void findings_free(struct findings *fs) {
  for (size_t i = 0; i < fs->n; i++)
    finding_free(fs->v[i]);
  free(fs->v);
  fs->v = NULL;
  fs->n = fs->cap = 0;
}

/* Whether TANGLE_OPTIONS (as the programs see it) has key=error. */
static bool option_is_error(const char *key) {
  const char *opts = getenv("TANGLE_OPTIONS");
  if (!opts)
    return false;
  char *want = xasprintf("%s=error", key);
  char *copy = xstrdup(opts), *save = NULL;
  bool found = false;
  for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
    found = strcmp(w, want) == 0 || (found && strncmp(w, key, strlen(key)) != 0);
  free(copy);
  free(want);
  return found;
}

bool kind_counts(enum kind k) {
  if (k == K_LEAK)
    return option_is_error("leaks");
  if (k == K_STARVATION)
    return option_is_error("starvation");
  return true;
}

int findings_counting(const struct findings *fs) {
  int n = 0;
  for (size_t i = 0; i < fs->n; i++)
    n += kind_counts(fs->v[i]->kind);
  return n;
}

char *findings_summary(const struct findings *fs) {
  int count[K__COUNT] = {0};
  for (size_t i = 0; i < fs->n; i++)
    count[fs->v[i]->kind]++;
  static const char *const one[K__COUNT] = {"data race",       "deadlock", "lock-order inversion",
                                            "global deadlock", "leak",     "starvation",
                                            "misuse"};
  static const char *const many[K__COUNT] = {
      "data races",  "deadlocks", "lock-order inversions", "global deadlocks", "leaks",
      "starvations", "misuses"};
  char buf[512] = "";
  size_t len = 0;
  for (int k = 0; k < K__COUNT; k++) {
    bool always = k == K_DATA_RACE || k == K_DEADLOCK || k == K_LEAK;
    if (!always && count[k] == 0)
      continue;
    len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%d %s", len ? ", " : "", count[k],
                            count[k] == 1 ? one[k] : many[k]);
  }
  return xstrdup(buf);
}

char *finding_fingerprint(const struct finding *f) {
  char *key = make_key(f, false);
  uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
  for (const char *p = key; *p; p++) {
    h ^= (unsigned char)*p;
    h *= 0x100000001b3ull;
  }
  free(key);
  return xasprintf("%016" PRIx64, h);
}
