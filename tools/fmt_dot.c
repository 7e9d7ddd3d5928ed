/* Graphviz DOT pictures of deadlock cycles and lock-order chains: goroutines
 * (ellipses) and resources (boxes) are nodes; "holds" edges are drawn from
 * the resource to its holder (dir=back on a goroutine -> resource edge) and
 * "waits for" edges from the goroutine to the resource, so a deadlock reads
 * as a directed cycle. A global deadlock without a cycle shows what each
 * goroutine waits on. One cluster per finding. */
#include "fmt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void dq(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    if (*s == '"' || *s == '\\')
      fputc('\\', f);
    if (*s == '\n')
      fputs("\\n", f);
    else
      fputc(*s, f);
  }
  fputc('"', f);
}

static char *where(const struct json *frames) {
  struct loc l = stack_top(frames);
  if (!l.file)
    return xstrdup(l.function);
  const char *base = strrchr(l.file, '/');
  return xasprintf("%s() %s:%" PRId64, l.function, base ? base + 1 : l.file, l.line);
}

static void node_g(FILE *f, int c, uint64_t g) {
  fprintf(f, "    \"c%d_g%" PRIu64 "\" [shape=ellipse, label=\"goroutine %" PRIu64 "\"];\n", c, g,
          g);
}

static void node_r(FILE *f, int c, const char *res) {
  char *id = xasprintf("c%d_r:%s", c, res);
  fputs("    ", f);
  dq(f, id);
  fputs(" [shape=box, style=filled, fillcolor=lightyellow, label=", f);
  /* "mutex 0x... (first locked at f() x.c:3)": the detail on its own line */
  char *label = xstrdup(res), *paren = strstr(label, " (");
  if (paren)
    *paren = '\n';
  dq(f, label);
  fputs("];\n", f);
  free(label);
  free(id);
}

static void edge(FILE *f, int c, uint64_t g, const char *res, bool holds, const char *at) {
  char *id = xasprintf("c%d_r:%s", c, res);
  char *label = xasprintf("%s\n%s", holds ? "holds" : "waits for", at);
  fprintf(f, "    \"c%d_g%" PRIu64 "\" -> ", c, g);
  dq(f, id);
  fputs(" [label=", f);
  dq(f, label);
  fputs(holds ? ", dir=back, color=blue];\n" : ", color=red, style=bold];\n", f);
  free(id);
  free(label);
}

int fmt_dot(FILE *f, const struct render *r) {
  int drawn = 0;
  fputs("digraph tangle {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n"
        "  edge [fontname=\"Helvetica\", fontsize=10];\n",
        f);
  for (size_t i = 0; i < r->fs->n; i++) {
    const struct finding *x = r->fs->v[i];
    const struct json *cyc = json_get(x->obj, "cycle");
    const struct json *gs = json_get(x->obj, "goroutines");
    bool has_cycle = json_is(cyc, JSON_ARRAY) && cyc->n > 0;
    bool waits = false;
    for (size_t k = 0; !has_cycle && json_is(gs, JSON_ARRAY) && k < gs->n; k++)
      waits |= json_get_string(gs->items[k], "waiting_on") != NULL;
    if (!(x->kind == K_DEADLOCK || x->kind == K_LOCK_ORDER || x->kind == K_GLOBAL_DEADLOCK) ||
        (!has_cycle && !waits))
      continue;
    int c = drawn++;
    fprintf(f, "  subgraph cluster_%d {\n    label=", c);
    const char *msg = json_get_string(x->obj, "message");
    char *label = xasprintf("%s%s%s", kind_titles[x->kind], msg ? "\n" : "", msg ? msg : "");
    dq(f, label);
    free(label);
    fputs(";\n", f);
    if (has_cycle) {
      for (size_t k = 0; k < cyc->n; k++) {
        const struct json *e = cyc->items[k];
        uint64_t g = 0;
        json_u64(json_get(e, "goroutine"), &g);
        node_g(f, c, g);
        const struct json *ends[2] = {json_get(e, "holds"), json_get(e, "waits_for")};
        for (int h = 0; h < 2; h++) {
          if (!json_is(ends[h], JSON_OBJECT))
            continue;
          const char *res = json_get_string(ends[h], "resource");
          res = res ? res : "?";
          node_r(f, c, res);
          char *at = where(json_get(ends[h], "at"));
          edge(f, c, g, res, h == 0, at);
          free(at);
        }
      }
    } else {
      for (size_t k = 0; k < gs->n; k++) {
        const struct json *g = gs->items[k];
        const char *on = json_get_string(g, "waiting_on");
        if (!on)
          continue;
        uint64_t id = 0;
        json_u64(json_get(g, "id"), &id);
        node_g(f, c, id);
        node_r(f, c, on);
        char *at = where(json_get(g, "stack"));
        edge(f, c, id, on, false, at);
        free(at);
      }
    }
    fputs("  }\n", f);
  }
  fputs("}\n", f);
  return drawn;
}
