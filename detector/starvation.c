/* Lock statistics and starvation (race build only).
 *
 * Per lock, Linux's lock_stat figures: acquisitions, contentions (an
 * acquisition that had to wait), wait and hold time min/avg/max and
 * percentiles (log2 histograms); per lock and goroutine the same totals.
 *
 * A goroutine is starved on a lock when, in total, it waited for it longer
 * than starvation_ms, and longer than half of its life so far, while other
 * goroutines acquired it meanwhile. The second condition keeps out workers
 * that take a lock briefly and do their work outside it: they may queue
 * often, but waiting is not what their life is spent on. Checked when a
 * contended acquisition completes (on the waiter, so its own stack is at
 * hand) and at exit for goroutines still waiting. */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIST 48

struct wf_user {
  struct wf_g *w;
  uint64_t gid;
  uint64_t acq, contended;
  int64_t wait_total, wait_max, hold_total, hold_max;
  uint64_t others_meanwhile; /* acquisitions by others in its life */
  bool reported;
};

struct wf_lockstat {
  tg__lock mu;
  uint64_t acq, contended;
  int64_t wait_min, wait_max, wait_sum, hold_min, hold_max, hold_sum;
  uint64_t nhold;
  uint32_t wait_hist[HIST], hold_hist[HIST];
  int nusers, cap_users;
  struct wf_user *users;
};

static bool enabled(void) {
  return tg__opts.starvation != 0;
}

static int bucket(int64_t ns) {
  if (ns <= 0)
    return 0;
  int b = 64 - __builtin_clzll((uint64_t)ns);
  return b < HIST ? b : HIST - 1;
}

/* The record of r, made on first use (the pointer is set once, under the
 * shard lock). */
static struct wf_lockstat *stat_of(struct wf_res *r) {
  struct wf_lockstat *s = __atomic_load_n(&r->stat, __ATOMIC_ACQUIRE);
  if (s)
    return s;
  tg__lock *sl = tg__wf_res_lock(r->addr);
  tg__lock_acquire(sl);
  s = r->stat;
  if (!s) {
    s = tg__wf_alloc(sizeof *s);
    s->wait_min = s->hold_min = INT64_MAX;
    __atomic_store_n(&r->stat, s, __ATOMIC_RELEASE);
  }
  tg__lock_release(sl);
  return s;
}

/* Under s->mu. */
static struct wf_user *user_of(struct wf_lockstat *s, struct wf_g *w) {
  for (int i = 0; i < s->nusers; i++)
    if (s->users[i].w == w && s->users[i].gid == w->id)
      return &s->users[i];
  if (s->nusers == s->cap_users) {
    int cap = s->cap_users ? s->cap_users * 2 : 4;
    struct wf_user *n = tg__wf_alloc((size_t)cap * sizeof *n);
    if (s->nusers)
      memcpy(n, s->users, (size_t)s->nusers * sizeof *n);
    tg__wf_free(s->users, (size_t)s->cap_users * sizeof *n);
    s->users = n;
    s->cap_users = cap;
  }
  struct wf_user *u = &s->users[s->nusers++];
  *u = (struct wf_user){.w = w, .gid = w->id};
  return u;
}

static void report(struct wf_res *r, struct wf_lockstat *s, struct wf_g *w, int64_t waiting,
                   const uintptr_t *pcs, int npcs);

static bool starved(const struct wf_user *u, int64_t extra_wait, int64_t life) {
  int64_t total = u->wait_total + extra_wait;
  return !u->reported && u->others_meanwhile >= 2 && total > tg__opts.starvation_ms * 1000000 &&
         total * 2 > life;
}

void tg__starv_acquired(struct wf_g *w, struct wf_res *r, int64_t waited, bool contended) {
  if (!enabled())
    return;
  struct wf_lockstat *s = stat_of(r);
  tg__lock_acquire(&s->mu);
  struct wf_user *u = user_of(s, w);
  if (contended) {
    s->contended++;
    u->contended++;
    if (waited < s->wait_min)
      s->wait_min = waited;
    if (waited > s->wait_max)
      s->wait_max = waited;
    s->wait_sum += waited;
    s->wait_hist[bucket(waited)]++;
    u->wait_total += waited;
    if (waited > u->wait_max)
      u->wait_max = waited;
  }
  s->acq++;
  u->acq++;
  u->others_meanwhile = s->acq - u->acq;
  bool hit = contended && starved(u, 0, tg__wf_now() - w->born);
  if (hit)
    u->reported = true;
  tg__lock_release(&s->mu);
  if (hit) {
    uintptr_t pcs[32];
    int n = tg__stack_capture(pcs, 32, 2);
    report(r, s, w, 0, pcs, n);
  }
}

void tg__starv_released(struct wf_g *w, struct wf_res *r, int64_t held) {
  if (!enabled())
    return;
  struct wf_lockstat *s = stat_of(r);
  tg__lock_acquire(&s->mu);
  struct wf_user *u = user_of(s, w);
  u->hold_total += held;
  if (held > u->hold_max)
    u->hold_max = held;
  if (held < s->hold_min)
    s->hold_min = held;
  if (held > s->hold_max)
    s->hold_max = held;
  s->hold_sum += held;
  s->nhold++;
  s->hold_hist[bucket(held)]++;
  tg__lock_release(&s->mu);
}

/* ---- report -------------------------------------------------------------- */

static void put_ms(struct tg_buf *b, int64_t ns) {
  if (ns >= 1000000000)
    tg__buf_printf(b, "%.2f s", (double)ns / 1e9);
  else if (ns >= 1000000)
    tg__buf_printf(b, "%.1f ms", (double)ns / 1e6);
  else
    tg__buf_printf(b, "%.1f us", (double)ns / 1e3);
}

/* The upper bound of the histogram bucket holding the p-th percentile. */
static int64_t percentile(const uint32_t *h, uint64_t total, double p) {
  if (!total)
    return 0;
  uint64_t want = (uint64_t)(p * (double)total + 0.5), acc = 0;
  if (want == 0)
    want = 1;
  for (int i = 0; i < HIST; i++) {
    acc += h[i];
    if (acc >= want)
      return i == 0 ? 0 : (int64_t)1 << i;
  }
  return (int64_t)1 << (HIST - 1);
}

static void put_dist(struct tg_buf *b, const char *what, uint64_t n, int64_t mn, int64_t sum,
                     int64_t mx, const uint32_t *h) {
  tg__buf_printf(b, "  %-5s", what);
  if (!n) {
    tg__buf_str(b, "none\n");
    return;
  }
  tg__buf_str(b, "min ");
  put_ms(b, mn);
  tg__buf_str(b, ", avg ");
  put_ms(b, sum / (int64_t)n);
  tg__buf_str(b, ", max ");
  put_ms(b, mx);
  tg__buf_str(b, "; p50 <= ");
  put_ms(b, percentile(h, n, 0.50));
  tg__buf_str(b, ", p90 <= ");
  put_ms(b, percentile(h, n, 0.90));
  tg__buf_str(b, ", p99 <= ");
  put_ms(b, percentile(h, n, 0.99));
  tg__buf_str(b, "\n");
}

static void report(struct wf_res *r, struct wf_lockstat *s, struct wf_g *w, int64_t waiting,
                   const uintptr_t *pcs, int npcs) {
  struct wf_lockstat snap;
  struct wf_user users[16];
  int nu = 0;
  tg__lock_acquire(&s->mu);
  snap = *s;
  struct wf_user me = *user_of(s, w);
  /* The waiter, then the others by hold time, most first. */
  for (int i = 0; i < s->nusers; i++) {
    if (s->users[i].w == me.w && s->users[i].gid == me.gid)
      continue;
    struct wf_user x = s->users[i];
    int j = nu < 16 ? nu++ : 15;
    if (j == 15 && nu == 16 && users[15].hold_total >= x.hold_total)
      continue;
    while (j > 0 && users[j - 1].hold_total < x.hold_total) {
      users[j] = users[j - 1];
      j--;
    }
    users[j] = x;
  }
  tg__lock_release(&s->mu);

  int64_t life = tg__wf_now() - w->born;
  int64_t total = me.wait_total + waiting;
  struct tg_buf b = {0};
  tg__buf_str(&b, "WARNING: STARVATION\n");
  struct tg_buf head = {0};
  tg__buf_printf(&head, "goroutine %llu waited ", (unsigned long long)me.gid);
  put_ms(&head, total);
  tg__buf_printf(&head, " in total (%d%% of its life of ", (int)(total * 100 / (life ? life : 1)));
  put_ms(&head, life);
  tg__buf_str(&head, ") for ");
  tg__wf_put_res(&head, r->addr, r->kind);
  tg__buf_printf(&head, ", while other goroutines acquired it %llu times",
                 (unsigned long long)me.others_meanwhile);
  tg__buf_printf(&b, "%s%s.\n", head.s ? head.s : "", waiting ? " (it is still waiting)" : "");

  tg__buf_printf(&b,
                 "\nGoroutine %llu (the waiter): %llu acquisitions, %llu of them contended; "
                 "waited ",
                 (unsigned long long)me.gid, (unsigned long long)me.acq,
                 (unsigned long long)me.contended);
  put_ms(&b, total);
  if (me.contended) {
    tg__buf_str(&b, " (avg ");
    put_ms(&b, me.wait_total / (int64_t)me.contended);
    tg__buf_str(&b, ", max ");
    put_ms(&b, me.wait_max);
    tg__buf_str(&b, ")");
  }
  tg__buf_str(&b, "; held it ");
  put_ms(&b, me.hold_total);
  tg__buf_str(&b, waiting ? ". It waits at:\n" : ". It acquired the lock at last at:\n");
  tg__wf_put_stack(&b, pcs, npcs);
  tg__wf_put_created(&b, w);

  tg__buf_str(&b, "\nThe other goroutines that took it (who hogs the lock):\n");
  for (int i = 0; i < nu; i++) {
    struct wf_user *x = &users[i];
    tg__buf_printf(&b, "  goroutine %llu: %llu acquisitions, held ", (unsigned long long)x->gid,
                   (unsigned long long)x->acq);
    put_ms(&b, x->hold_total);
    if (x->acq) {
      tg__buf_str(&b, " in total (avg ");
      put_ms(&b, x->hold_total / (int64_t)x->acq);
      tg__buf_str(&b, ", max ");
      put_ms(&b, x->hold_max);
      tg__buf_str(&b, ")");
    }
    tg__buf_str(&b, ", waited ");
    put_ms(&b, x->wait_total);
    tg__buf_str(&b, "\n");
  }
  if (nu == 0)
    tg__buf_str(&b, "  (none recorded)\n");

  tg__buf_str(&b, "\nLock statistics of ");
  tg__wf_put_res(&b, r->addr, r->kind);
  tg__buf_printf(&b, ":\n  acquisitions %llu, contentions %llu\n", (unsigned long long)snap.acq,
                 (unsigned long long)snap.contended);
  put_dist(&b, "wait", snap.contended, snap.wait_min, snap.wait_sum, snap.wait_max, snap.wait_hist);
  put_dist(&b, "hold", snap.nhold, snap.hold_min, snap.hold_sum, snap.hold_max, snap.hold_hist);

  struct tg_buf what = {0};
  tg__wf_put_res(&what, r->addr, r->kind);
  struct tg_report_goroutine gs[2] = {{
      .id = me.gid,
      .state = waiting ? "waiting" : "running",
      .waiting_on = what.s,
      .created_at = {.pcs = w->create, .n = w->ncreate},
      .stack = {.pcs = pcs, .n = npcs},
  }};
  int ng = 1;
  if (nu > 0)
    gs[ng++] = (struct tg_report_goroutine){.id = users[0].gid, .state = "holds the lock most"};
  struct tg_finding f = {
      .kind = TG_FIND_STARVATION,
      .message = head.s ? head.s : "starvation",
      .goroutines = gs,
      .ngoroutines = ng,
      .dedup_key = (uintptr_t)r->addr * 31 + me.gid,
  };
  tg__report_emit(&f, b.s ? b.s : "WARNING: STARVATION\n");
  tg__buf_free(&b);
  tg__buf_free(&head);
  tg__buf_free(&what);
}

/* At exit: goroutines still waiting count their current wait. */
struct exit_ctx {
  struct wf_res *hits[64];
  struct wf_g *who[64];
  int64_t waiting[64];
  int n;
};

static void exit_scan(struct wf_res *r, void *p) {
  struct exit_ctx *c = p;
  struct wf_lockstat *s = r->stat;
  if (!s || c->n == 64)
    return;
  if (getenv("TANGLE_WF_DEBUG"))
    for (int i = 0; i < s->nusers; i++)
      fprintf(stderr,
              "tangle-waitfor: lock %p goroutine %llu: acq %llu contended %llu wait %lld ms hold "
              "%lld ms others %llu life %lld ms\n",
              r->addr, (unsigned long long)s->users[i].gid, (unsigned long long)s->users[i].acq,
              (unsigned long long)s->users[i].contended,
              (long long)(s->users[i].wait_total / 1000000),
              (long long)(s->users[i].hold_total / 1000000),
              (unsigned long long)s->users[i].others_meanwhile,
              (long long)((tg__wf_now() - s->users[i].w->born) / 1000000));
  int64_t now = tg__wf_now();
  tg__lock_acquire(&s->mu);
  for (int i = 0; i < s->nusers && c->n < 64; i++) {
    struct wf_user *u = &s->users[i];
    struct wf_g *w = u->w;
    if (w->id != u->gid || tg__wf_exited(w))
      continue;
    int64_t cur = 0;
    uint64_t others = 0;
    /* A racy peek at its wait stack: exit is single-minded enough. */
    struct wf_wait *t = w->nwait > 0 && w->nwait <= WF_MAX_WAITS ? &w->waits[w->nwait - 1] : NULL;
    if (t && t->res == r->addr) {
      cur = now - t->since;
      others = s->acq - u->acq;
    }
    if (!cur)
      continue;
    u->others_meanwhile = others;
    if (starved(u, cur, now - w->born)) {
      u->reported = true;
      c->hits[c->n] = r;
      c->who[c->n] = w;
      c->waiting[c->n] = cur;
      c->n++;
    }
  }
  tg__lock_release(&s->mu);
}

void tg__starv_check_at_exit(void) {
  if (!enabled() || !tg__opts.deadlock)
    return;
  struct exit_ctx *c = tg__wf_alloc(sizeof *c);
  tg__wf_res_foreach(exit_scan, c);
  for (int i = 0; i < c->n; i++) {
    uintptr_t pcs[32];
    int n = tg__wf_g_stack(c->who[i], pcs, 32);
    report(c->hits[i], c->hits[i]->stat, c->who[i], c->waiting[i], pcs, n);
  }
  tg__wf_free(c, sizeof *c);
}

#endif
