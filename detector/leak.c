/* Goroutine leaks (race build only): at exit and at tg_check_leaks(), the
 * goroutines still blocked on a channel, lock, WaitGroup, Cond, Once or
 * semaphore, grouped by identical stack as goleak does, each group with
 * what it waits on, since when, the blocked stack and the creation stack.
 * Goroutines sleeping, parked on I/O or still runnable are listed only with
 * leaks=all. leaks=off|warn|error|all (REPORTS.md); the sink makes the exit
 * status 66 for leaks=error. */
#ifdef TANGLE_RACE
#include "chan.h"
#include "waitfor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STACK_DEPTH 48
#define MAX_LEAKS   4096

enum { LEAK_OFF = 0, LEAK_WARN = 1, LEAK_ERROR = 2, LEAK_ALL = 3 };

struct leak {
  struct tg_g *g;
  struct wf_g *w; /* may be NULL: a goroutine that never touched the graph */
  uint64_t id;
  int status, reason;
  const void *obj;
  int kind;      /* wait-for kind, or TG_RES_NONE */
  int64_t since; /* ns, tg__wf_now clock, or 0 */
  int64_t since_coarse;
  uintptr_t pcs[STACK_DEPTH];
  int n;
  uint64_t key; /* identical stacks group */
  uintptr_t chans[4];
  int nchans;
  int group; /* index of the group's first leak */
};

/* A wait a timer will end (a time channel, a ticker's, a select with a
 * timeout or on one of those): that goroutine is sleeping, not blocked. */
static bool timer_wakes(struct tg_g *g, int kind, const void *obj) {
  if (kind == TG_RES_CHAN && obj && ((const struct tg_chan *)obj)->timer)
    return true;
  if (g->wait_reason == TG_WAIT_SELECT || kind == TG_RES_SELECT) {
    if (g->sleep_timer.p)
      return true;
    for (struct tg_sudog *sg = g->waiting; sg; sg = sg->waitlink)
      if (sg->c && sg->c->timer)
        return true;
  }
  return false;
}

/* Whether a goroutine in this state is a leak worth listing. */
static bool listed(struct tg_g *g, int status, int reason, int kind, const void *obj, bool all) {
  if (status == TG_G_WAITING) {
    if (kind == TG_RES_IO || kind == TG_RES_SLEEP || timer_wakes(g, kind, obj))
      return all;
    switch (reason) {
    case TG_WAIT_SLEEP:
    case TG_WAIT_IO:
    case TG_WAIT_SYSCALL:
    case TG_WAIT_LEAK_CHECK:
      return all;
    }
    return true;
  }
  return all && (status == TG_G_RUNNABLE || status == TG_G_RUNNING || status == TG_G_SYSCALL);
}

static uint64_t stack_key(const uintptr_t *pcs, int n, int reason) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t)reason;
  for (int i = 0; i < n; i++) {
    h ^= pcs[i];
    h *= 1099511628211ull;
  }
  return h;
}

static void put_duration(struct tg_buf *b, int64_t ns) {
  if (ns >= 60 * TG_SECOND)
    tg__buf_printf(b, "%lld minutes", (long long)(ns / (60 * TG_SECOND)));
  else if (ns >= TG_SECOND)
    tg__buf_printf(b, "%.1f s", (double)ns / 1e9);
  else
    tg__buf_printf(b, "%lld ms", (long long)(ns / TG_MILLISECOND));
}

static void put_waits_on(struct tg_buf *b, const struct leak *l) {
  if (l->status != TG_G_WAITING) {
    tg__buf_str(b, tg__gstatus_str(l->status));
    return;
  }
  if (l->kind == TG_RES_CHAN && !l->obj) {
    tg__buf_str(b, "a nil channel (blocks forever)");
  } else if (l->reason == TG_WAIT_SELECT_NO_CASES || (l->kind == TG_RES_SELECT && !l->nchans)) {
    tg__buf_str(b, "a select with no ready-able case (blocks forever)");
  } else if (l->kind == TG_RES_SELECT || l->nchans > 1) {
    tg__buf_str(b, "a select on ");
    for (int i = 0; i < l->nchans; i++)
      tg__buf_printf(b, "%schannel %p", i ? ", " : "", (void *)l->chans[i]);
  } else if (l->kind != TG_RES_NONE) {
    tg__wf_put_res(b, l->obj, l->kind);
  } else if (l->obj) {
    tg__buf_printf(b, "%p", l->obj);
  } else {
    tg__buf_str(b, tg__wait_reason_str(l->reason));
  }
}

/* Collects the goroutines to list (other than `self`), with their stacks. */
static int collect(struct leak *out, int max, struct tg_g *self, bool all, int *alive) {
  int n = 0;
  *alive = 0;
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g; g = g->all_next) {
    int s = atomic_load(&g->status);
    if (g == self || g->is_g0 || s == TG_G_DEAD || s == TG_G_IDLE)
      continue;
    (*alive)++;
    struct wf_g *w = tg__wf_of(g);
    int kind = TG_RES_NONE;
    const void *obj = g->wait_obj;
    int64_t since = 0;
    struct wf_wait t;
    /* The outermost wait names what the goroutine is blocked on (a
     * semaphore with a context waits in a select inside). */
    if (w && s == TG_G_WAITING && tg__wf_outer_wait_of(w, &t)) {
      kind = t.kind;
      obj = t.res;
      since = t.since;
    }
    if (!listed(g, s, g->wait_reason, kind, obj, all) || n == max)
      continue;
    struct leak *l = &out[n++];
    memset(l, 0, sizeof *l);
    l->g = g;
    l->w = w;
    l->id = g->id;
    l->status = s;
    l->reason = g->wait_reason;
    l->obj = obj;
    l->kind = kind;
    l->since = since;
    l->since_coarse = g->wait_since;
    if (s == TG_G_WAITING || s == TG_G_RUNNABLE)
      l->n = tg__stack_capture_g(g, l->pcs, STACK_DEPTH);
    if (s == TG_G_WAITING && (kind == TG_RES_SELECT || g->wait_reason == TG_WAIT_SELECT))
      for (struct tg_sudog *sg = g->waiting; sg && l->nchans < 4; sg = sg->waitlink)
        l->chans[l->nchans++] = (uintptr_t)sg->c;
    l->key = stack_key(l->pcs, l->n, l->reason);
  }
  tg__lock_release(&tg__sched.allg_lock);
  return n;
}

static int by_group(const void *a, const void *b) {
  const struct leak *x = a, *y = b;
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

/* Emits one report per group of identical stacks; returns goroutines listed. */
static int report_groups(struct leak *ls, int n, bool at_exit) {
  qsort(ls, (size_t)n, sizeof *ls, by_group);
  int64_t now = tg__wf_now();
  int64_t now_coarse = tg__nanotime_coarse();
  for (int i = 0; i < n;) {
    int j = i;
    while (j < n && ls[j].key == ls[i].key)
      j++;
    int cnt = j - i;
    struct leak *l = &ls[i];
    struct tg_buf b = {0}, msg = {0};
    bool differ = false;
    for (int k = i + 1; k < j; k++)
      differ |= ls[k].obj != l->obj;
    tg__buf_printf(&msg, "%d goroutine%s %s ", cnt, cnt == 1 ? "" : "s",
                   l->status == TG_G_WAITING ? "blocked on" : "still");
    if (differ)
      tg__buf_printf(&msg, "%ss (one each, same stack)", tg__wf_kind_name(l->kind));
    else
      put_waits_on(&msg, l);
    tg__buf_str(&msg, at_exit ? " at exit" : " at tg_check_leaks()");
    tg__buf_str(&b, "WARNING: GOROUTINE LEAK\n");
    tg__buf_printf(&b, "%s", msg.s ? msg.s : "");
    tg__buf_str(&b, cnt == 1 ? " (goroutine " : " (goroutines ");
    for (int k = i; k < j && k < i + 20; k++)
      tg__buf_printf(&b, "%s%llu", k > i ? ", " : "", (unsigned long long)ls[k].id);
    if (cnt > 20)
      tg__buf_printf(&b, ", ... %d more", cnt - 20);
    tg__buf_str(&b, ").\n\n");
    /* Same stack, different objects (one leak per channel, say): say which. */
    for (int k = i; differ && k < j && k < i + 20; k++) {
      tg__buf_printf(&b, "  goroutine %llu waits on ", (unsigned long long)ls[k].id);
      put_waits_on(&b, &ls[k]);
      tg__buf_str(&b, "\n");
    }
    if (differ)
      tg__buf_str(&b, "\n");
    int64_t waited = l->since ? now - l->since : l->since_coarse ? now_coarse - l->since_coarse : 0;
    tg__buf_printf(&b, "Goroutine %llu [%s", (unsigned long long)l->id,
                   l->status == TG_G_WAITING ? tg__wait_reason_str(l->reason)
                                             : tg__gstatus_str(l->status));
    if (l->status == TG_G_WAITING && waited > 0) {
      tg__buf_str(&b, ", blocked for ");
      put_duration(&b, waited);
    }
    tg__buf_str(&b, "] waits on ");
    put_waits_on(&b, l);
    tg__buf_str(&b, ":\n");
    if (l->n)
      tg__wf_put_stack(&b, l->pcs, l->n);
    else
      tg__buf_str(&b, "  (running: no stack)\n");
    if (l->w) {
      tg__wf_put_created(&b, l->w);
    } else if (l->g->create_depth) {
      tg__buf_printf(&b, "Goroutine %llu created at (by goroutine %llu):\n",
                     (unsigned long long)l->id, (unsigned long long)l->g->parent_id);
      uintptr_t cp[TG_CREATE_DEPTH];
      int cn = l->g->create_depth < TG_CREATE_DEPTH ? l->g->create_depth : TG_CREATE_DEPTH;
      for (int k = 0; k < cn; k++)
        cp[k] = (uintptr_t)l->g->create_pcs[k];
      tg__wf_put_stack(&b, cp, cn);
    }

    enum { MAXG = 32 };
    struct tg_report_goroutine gs[MAXG];
    uintptr_t cps[MAXG][TG_CREATE_DEPTH];
    struct tg_buf on = {0};
    put_waits_on(&on, l);
    int ng = 0;
    for (int k = i; k < j && ng < MAXG; k++, ng++) {
      struct leak *x = &ls[k];
      int cn = x->g->create_depth < TG_CREATE_DEPTH ? x->g->create_depth : TG_CREATE_DEPTH;
      if (x->w) {
        memcpy(cps[ng], x->w->create, sizeof cps[ng]);
        cn = x->w->ncreate;
      } else {
        for (int q = 0; q < cn; q++)
          cps[ng][q] = (uintptr_t)x->g->create_pcs[q];
      }
      gs[ng] = (struct tg_report_goroutine){
          .id = x->id,
          .state = x->status == TG_G_WAITING ? tg__wait_reason_str(x->reason)
                                             : tg__gstatus_str(x->status),
          .waiting_on = on.s,
          .created_at = {.pcs = cps[ng], .n = cn},
          .stack = {.pcs = x->pcs, .n = x->n},
      };
    }
    struct tg_finding f = {
        .kind = TG_FIND_LEAK,
        .message = msg.s ? msg.s : "goroutine leak",
        .goroutines = gs,
        .ngoroutines = ng,
        .dedup_key = at_exit ? l->key : 0,
    };
    tg__report_emit(&f, b.s ? b.s : "WARNING: GOROUTINE LEAK\n");
    tg__buf_free(&b);
    tg__buf_free(&msg);
    tg__buf_free(&on);
    i = j;
  }
  return n;
}

static int check(bool at_exit, int *alive) {
  bool all = tg__opts.leaks == LEAK_ALL;
  struct leak *ls = tg__wf_alloc(MAX_LEAKS * sizeof *ls);
  int n = collect(ls, MAX_LEAKS, tg__getg(), all, alive);
  if (tg__opts.leaks != LEAK_OFF && n > 0)
    report_groups(ls, n, at_exit);
  tg__wf_free(ls, MAX_LEAKS * sizeof *ls);
  return n;
}

static _Atomic bool exit_checked;

/* At exit, before the sink's summary (report.c's tg__report_finish calls it
 * first; the atexit registered at the first wait is the fallback). */
/* goleak's grace: goroutines still runnable or running at exit get up to
 * 100 ms to park or finish, so a leak is not missed because the leaking
 * goroutine had not reached its blocking send yet (the seeds'
 * newRandStream). Only from a goroutine (it sleeps), only when leaks are
 * checked, and free when nothing is running. */
static int others_running(struct tg_g *self) {
  int n = 0;
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g; g = g->all_next) {
    int st = atomic_load(&g->status);
    if (g != self && !g->is_g0 && (st == TG_G_RUNNABLE || st == TG_G_RUNNING))
      n++;
  }
  tg__lock_release(&tg__sched.allg_lock);
  return n;
}

static void settle_before_exit_check(void) {
  struct tg_g *self = tg__getg();
  if (tg__opts.leaks == LEAK_OFF || !self || self->is_g0)
    return;
  int64_t deadline = tg_now() + 100 * TG_MILLISECOND;
  while (others_running(self) > 0 && tg_now() < deadline)
    tg_sleep(TG_MILLISECOND);
}

void tg__wf_check_leaks_at_exit(void) {
  if (atomic_exchange(&exit_checked, true))
    return;
  /* A goroutine writing a report is running, not blocked: the report first,
   * then what it does next. */
  tg__report_await_in_flight();
  settle_before_exit_check();
  tg__wf_monitor_stop();
  tg__starv_check_at_exit();
  int alive;
  check(true, &alive);
}

/* The exit check must run before the sink's exit handler (handlers run in
 * reverse order of registration), which is registered at start-up by the
 * runtime's constructor or the instrumentation's: this constructor, without
 * a priority and in a library linked after the program, comes after both;
 * the first wait registers it too, should the order ever differ. */
static _Atomic bool armed;

void tg__wf_leaks_arm(void) {
  if (!atomic_load_explicit(&armed, memory_order_relaxed) && !atomic_exchange(&armed, true))
    atexit(tg__wf_check_leaks_at_exit);
}

__attribute__((constructor)) static void arm_at_start(void) {
  tg__wf_leaks_arm();
}

/* tg_check_leaks() in the race build (runtime/panic.c, after its grace
 * period): reports what is listed, returns how many goroutines other than
 * the caller are still alive, as the normal build does. */
int tg__wf_report_leaks(void) {
  int alive;
  check(false, &alive);
  return alive;
}

#endif
