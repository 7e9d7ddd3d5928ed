/* A finding as one JSON line (REPORTS.md "JSON"):
 *   {"kind":K,"message":M,"seed":S,"pid":P,
 *    "goroutines":[{"id","state","waiting_on"?,"created_at":[F],"stack":[F]}],
 *    "accesses":[{"op":"read"|"write","addr":"0x..","size","goroutine","stack":[F]}],
 *    "cycle":[{"goroutine","holds":{"resource","at":[F]}?,"waits_for":{...}}]}
 * with frames F = {"function","file"?,"line","inlined"}; keys whose value
 * is unknown are left out rather than null. */
#ifdef TANGLE_RACE
#include "report.h"

#include "report_buf.h"
#include "rt.h"

#include <unistd.h>

#define JSON_FRAMES 128

static void frames(struct tg_buf *b, const struct tg_report_stack *s) {
  tg__buf_str(b, "[");
  if (s->n > 0) {
    struct tg_frame fr[JSON_FRAMES];
    int n = tg__stack_frames(s->pcs, s->n, fr, JSON_FRAMES);
    for (int i = 0; i < n; i++) {
      tg__buf_str(b, i ? ",{\"function\":" : "{\"function\":");
      tg__buf_json_str(b, fr[i].function ? fr[i].function : "?");
      if (fr[i].file) {
        tg__buf_str(b, ",\"file\":");
        tg__buf_json_str(b, tg__stack_path(fr[i].file));
      }
      tg__buf_printf(b, ",\"line\":%d,\"inlined\":%s}", fr[i].line,
                     fr[i].inlined ? "true" : "false");
    }
  }
  tg__buf_str(b, "]");
}

static void end(struct tg_buf *b, const char *key, const char *res,
                const struct tg_report_stack *at) {
  if (!res)
    return;
  tg__buf_printf(b, ",\"%s\":{\"resource\":", key);
  tg__buf_json_str(b, res);
  tg__buf_str(b, ",\"at\":");
  frames(b, at);
  tg__buf_str(b, "}");
}

void tg__report_json(struct tg_buf *b, const struct tg_finding *f) {
  tg__buf_str(b, "{\"kind\":");
  tg__buf_json_str(b, tg__finding_kind_name(f->kind));
  tg__buf_str(b, ",\"message\":");
  tg__buf_json_str(b, f->message ? f->message : "");
  tg__buf_printf(b, ",\"seed\":%llu,\"pid\":%d", (unsigned long long)tg__seed(), (int)getpid());
  if (f->ngoroutines) {
    tg__buf_str(b, ",\"goroutines\":[");
    for (int i = 0; i < f->ngoroutines; i++) {
      const struct tg_report_goroutine *g = &f->goroutines[i];
      tg__buf_printf(b, "%s{\"id\":%llu,\"state\":", i ? "," : "", (unsigned long long)g->id);
      tg__buf_json_str(b, g->state ? g->state : "unknown");
      if (g->waiting_on) {
        tg__buf_str(b, ",\"waiting_on\":");
        tg__buf_json_str(b, g->waiting_on);
      }
      tg__buf_str(b, ",\"created_at\":");
      frames(b, &g->created_at);
      tg__buf_str(b, ",\"stack\":");
      frames(b, &g->stack);
      tg__buf_str(b, "}");
    }
    tg__buf_str(b, "]");
  }
  if (f->naccesses) {
    tg__buf_str(b, ",\"accesses\":[");
    for (int i = 0; i < f->naccesses; i++) {
      const struct tg_report_access *a = &f->accesses[i];
      tg__buf_printf(b, "%s{\"op\":\"%s\",\"addr\":\"0x%012llx\",\"size\":%zu,\"goroutine\":%llu",
                     i ? "," : "", a->write ? "write" : "read", (unsigned long long)a->addr,
                     a->size, (unsigned long long)a->goroutine);
      tg__buf_str(b, ",\"stack\":");
      frames(b, &a->stack);
      tg__buf_str(b, "}");
    }
    tg__buf_str(b, "]");
  }
  if (f->ncycle) {
    tg__buf_str(b, ",\"cycle\":[");
    for (int i = 0; i < f->ncycle; i++) {
      const struct tg_report_edge *e = &f->cycle[i];
      tg__buf_printf(b, "%s{\"goroutine\":%llu", i ? "," : "", (unsigned long long)e->goroutine);
      end(b, "holds", e->holds, &e->holds_at);
      end(b, "waits_for", e->waits_for, &e->waits_at);
      tg__buf_str(b, "}");
    }
    tg__buf_str(b, "]");
  }
  tg__buf_str(b, "}\n");
}
#endif
