/* The race build's explanation of a global deadlock (race build only).
 *
 * The scheduler calls tg__wf_explain_global_deadlock when no goroutine can
 * run and no timer or I/O can wake one (runtime/panic.c prints Go's fatal
 * error and the goroutines first). Every goroutine is parked, so the graph
 * is still: for each one, what it waits for and who holds it, the lock
 * cycles, and the locks held by goroutines that exited. The explanation is
 * also emitted as the global_deadlock finding. */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <stdio.h>
#include <string.h>

#define MAXG 256

struct node {
  struct tg_g *g;
  struct wf_g *w;
  uint64_t id;
  int kind;
  const void *res;
  struct wf_g *holder; /* a lock's (first) holder */
  bool holder_exited;
};

static struct wf_g *first_holder(const void *res, int kind) {
  struct wf_res *r = tg__wf_res(res, kind, false);
  struct wf_g *h = NULL;
  if (r) {
    h = atomic_load(&r->writer);
    if (!h)
      tg__wf_readers(r, &h, 1);
  }
  return h;
}

static int find(struct node *ns, int n, struct wf_g *w) {
  for (int i = 0; i < n; i++)
    if (ns[i].w == w)
      return i;
  return -1;
}

void tg__wf_explain_global_deadlock(int fd) {
  (void)fd;
  struct node *ns = tg__wf_alloc(MAXG * sizeof *ns);
  int n = 0;
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g && n < MAXG; g = g->all_next) {
    int s = atomic_load(&g->status);
    if (g->is_g0 || s != TG_G_WAITING)
      continue;
    struct node *x = &ns[n++];
    x->g = g;
    x->id = g->id;
    x->w = tg__wf_of(g);
    x->kind = TG_RES_NONE;
    struct wf_wait t;
    if (x->w && tg__wf_outer_wait_of(x->w, &t)) {
      x->kind = t.kind;
      x->res = t.res;
    }
  }
  tg__lock_release(&tg__sched.allg_lock);

  struct tg_buf b = {0};
  tg__buf_str(&b, "fatal error: all goroutines are asleep - deadlock!\n\n");
  tg__buf_str(&b, "Wait-for graph (race build): every goroutine is blocked and no timer or I/O "
                  "can wake one.\n");
  for (int i = 0; i < n; i++) {
    struct node *x = &ns[i];
    tg__buf_printf(&b, "  goroutine %llu [%s]", (unsigned long long)x->id,
                   tg__wait_reason_str(x->g->wait_reason));
    if (x->kind == TG_RES_NONE) {
      tg__buf_str(&b, "\n");
      continue;
    }
    tg__buf_str(&b, " waits for ");
    if (x->kind == TG_RES_SELECT) {
      tg__buf_str(&b, "a select on");
      int k = 0;
      for (struct tg_sudog *sg = x->g->waiting; sg && k < 6; sg = sg->waitlink, k++)
        tg__buf_printf(&b, "%s channel %p", k ? "," : "", (void *)sg->c);
      if (!k)
        tg__buf_str(&b, " nothing (no case can ever be ready)");
    } else {
      tg__wf_put_res(&b, x->res, x->kind);
    }
    if (tg__wf_is_lock_kind(x->kind) && x->res) {
      x->holder = first_holder(x->res, x->kind);
      if (x->holder == x->w)
        tg__buf_str(&b, ", which it holds itself");
      else if (x->holder && tg__wf_exited(x->holder)) {
        x->holder_exited = true;
        tg__buf_printf(&b, ", held by goroutine %llu, which exited without releasing it",
                       (unsigned long long)x->holder->id);
      } else if (x->holder)
        tg__buf_printf(&b, ", held by goroutine %llu", (unsigned long long)x->holder->id);
    } else if (x->kind == TG_RES_CHAN && !x->res) {
      tg__buf_str(&b, ": an operation on a nil channel blocks forever");
    } else if (x->kind == TG_RES_WAITGROUP) {
      tg__buf_str(&b, ": no goroutine is left to call Done");
    } else if (x->kind == TG_RES_COND) {
      tg__buf_str(&b, ": no goroutine is left to Signal or Broadcast");
    } else if (x->kind == TG_RES_CHAN || x->kind == TG_RES_SELECT) {
      tg__buf_str(&b, ": no goroutine is left to complete the operation");
    }
    tg__buf_str(&b, "\n");
  }

  /* Lock cycles: follow each waiter to the holder of what it waits for. */
  bool *in_cycle = tg__wf_alloc(MAXG * sizeof *in_cycle);
  for (int i = 0; i < n; i++) {
    if (in_cycle[i] || !ns[i].holder)
      continue;
    int path[64], len = 0, v = i;
    while (v >= 0 && len < 64) {
      int seen = -1;
      for (int k = 0; k < len; k++)
        if (path[k] == v)
          seen = k;
      if (seen >= 0) {
        if (!in_cycle[v]) {
          tg__buf_str(&b, "Cycle: ");
          for (int k = seen; k < len; k++) {
            in_cycle[path[k]] = true;
            tg__buf_printf(&b, "goroutine %llu -> ", (unsigned long long)ns[path[k]].id);
            tg__wf_put_res_short(&b, ns[path[k]].res, ns[path[k]].kind);
            tg__buf_str(&b, " -> ");
          }
          tg__buf_printf(&b, "goroutine %llu\n", (unsigned long long)ns[v].id);
          tg__buf_str(&b, "  (mutual exclusion, hold and wait, no preemption and circular wait "
                          "all hold: each holds a lock the next waits for)\n");
        }
        break;
      }
      path[len++] = v;
      v = ns[v].holder ? find(ns, n, ns[v].holder) : -1;
    }
  }
  for (int i = 0; i < n; i++) {
    struct node *x = &ns[i];
    if (!x->holder_exited)
      continue;
    struct wf_held h;
    bool found = tg__wf_held_of(x->holder, x->res, &h);
    tg__buf_printf(&b, "\nGoroutine %llu exited while holding ", (unsigned long long)x->holder->id);
    tg__wf_put_res(&b, x->res, x->kind);
    tg__buf_str(&b, found ? "; it was acquired at:\n" : ".\n");
    if (found)
      tg__wf_put_stack(&b, h.at.pcs, h.at.n);
    tg__wf_put_created(&b, x->holder);
  }

  struct tg_report_goroutine *gs = tg__wf_alloc(MAXG * sizeof *gs);
  uintptr_t(*st)[32] = tg__wf_alloc(MAXG * sizeof *st);
  for (int i = 0; i < n; i++) {
    int k = tg__stack_capture_g(ns[i].g, st[i], 32);
    gs[i] = (struct tg_report_goroutine){
        .id = ns[i].id,
        .state = tg__wait_reason_str(ns[i].g->wait_reason),
        .created_at = {.pcs = ns[i].w ? ns[i].w->create : NULL,
                       .n = ns[i].w ? ns[i].w->ncreate : 0},
        .stack = {.pcs = st[i], .n = k > 0 ? k : 0},
    };
  }
  struct tg_finding f = {
      .kind = TG_FIND_GLOBAL_DEADLOCK,
      .message = "all goroutines are asleep - deadlock!",
      .goroutines = gs,
      .ngoroutines = n,
  };
  tg__report_emit(&f, b.s ? b.s : "fatal error: all goroutines are asleep - deadlock!\n");
  tg__buf_free(&b);
}

#endif
