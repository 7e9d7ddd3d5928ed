/* Lock statistics and starvation (race build only).
 *
 * Per goroutine and lock, Linux's lock_stat figures: acquisitions,
 * contentions (an acquisition that had to wait), wait and hold time
 * min/avg/max and log2 histograms. They live in the goroutine's node and
 * only the goroutine writes them, so keeping them costs no shared write;
 * a lock's totals are summed over the nodes when a report needs them.
 *
 * A goroutine is starved on a lock when, in total, it waited for it longer
 * than starvation_ms, and longer than half of its life so far, while other
 * goroutines acquired it. The second condition keeps out workers that take
 * a lock briefly and do their work outside it: they may queue often, but
 * waiting is not what their life is spent on. Checked when a contended
 * acquisition completes (on the waiter, so its own stack is at hand) and at
 * exit for goroutines still waiting. */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HIST WF_STAT_HIST

struct wf_stat_table {
  int cap; /* a power of two */
  struct wf_stat *slot[];
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

static unsigned slot_of(const struct wf_res *r, int cap) {
  uint64_t x = (uintptr_t)r;
  x *= 0x9E3779B97F4A7C15ull;
  return (unsigned)(x >> 40) & (unsigned)(cap - 1);
}

/* Open addressing in the node; the node's owner alone calls this. A full
 * table is replaced by a bigger copy (a report may be reading the old one,
 * which is not reused). */
struct wf_stat *tg__starv_stat(struct wf_g *w, struct wf_res *r) {
  if (!enabled())
    return NULL;
  struct wf_stat_table *t = atomic_load_explicit(&w->stats, memory_order_relaxed);
  if (t) {
    unsigned mask = (unsigned)t->cap - 1;
    for (unsigned i = slot_of(r, t->cap), n = 0; n <= mask; i = (i + 1) & mask, n++) {
      struct wf_stat *st = t->slot[i];
      if (!st)
        break;
      if (st->res == r)
        return st;
    }
  }
  if (!t || (w->nstats + 1) * 2 > t->cap) {
    int cap = t ? t->cap * 2 : 8;
    struct wf_stat_table *nt = tg__wf_alloc(sizeof *nt + (size_t)cap * sizeof nt->slot[0]);
    nt->cap = cap;
    for (int i = 0; t && i < t->cap; i++) {
      struct wf_stat *st = t->slot[i];
      if (!st)
        continue;
      unsigned j = slot_of(st->res, cap);
      while (nt->slot[j])
        j = (j + 1) & (unsigned)(cap - 1);
      nt->slot[j] = st;
    }
    atomic_store_explicit(&w->stats, nt, memory_order_release);
    t = nt;
  }
  struct wf_stat *st = tg__wf_alloc(sizeof *st);
  st->res = r;
  st->wait_min = st->hold_min = INT64_MAX;
  unsigned j = slot_of(r, t->cap);
  while (t->slot[j])
    j = (j + 1) & (unsigned)(t->cap - 1);
  t->slot[j] = st;
  w->nstats++;
  return st;
}

static struct wf_stat *stat_of(struct wf_g *w, const struct wf_res *r) {
  struct wf_stat_table *t = atomic_load_explicit(&w->stats, memory_order_acquire);
  for (int i = 0; t && i < t->cap; i++)
    if (t->slot[i] && t->slot[i]->res == r)
      return t->slot[i];
  return NULL;
}

/* Totals of a lock over every goroutine, and the acquisitions by others
 * than `self`. */
struct totals {
  uint64_t acq, contended, nhold, others;
  int64_t wait_sum, wait_min, wait_max, hold_sum, hold_min, hold_max;
  uint32_t wait_hist[HIST], hold_hist[HIST];
};

static void sum_lock(const struct wf_res *r, struct wf_g *self, struct totals *t) {
  memset(t, 0, sizeof *t);
  t->wait_min = t->hold_min = INT64_MAX;
  tg__lock_acquire(&tg__wf_all_lock);
  for (struct wf_g *w = tg__wf_all; w; w = w->all_next) {
    struct wf_stat *st = stat_of(w, r);
    if (!st)
      continue;
    t->acq += st->acq;
    t->contended += st->contended;
    t->nhold += st->nhold;
    if (w != self)
      t->others += st->acq;
    t->wait_sum += st->wait_sum;
    t->hold_sum += st->hold_sum;
    if (st->contended && st->wait_min < t->wait_min)
      t->wait_min = st->wait_min;
    if (st->wait_max > t->wait_max)
      t->wait_max = st->wait_max;
    if (st->nhold && st->hold_min < t->hold_min)
      t->hold_min = st->hold_min;
    if (st->hold_max > t->hold_max)
      t->hold_max = st->hold_max;
    for (int i = 0; i < HIST; i++) {
      t->wait_hist[i] += st->wait_hist[i];
      t->hold_hist[i] += st->hold_hist[i];
    }
  }
  tg__lock_release(&tg__wf_all_lock);
}

static void report(struct wf_g *w, struct wf_stat *me, int64_t waiting, const uintptr_t *pcs,
                   int npcs);

static bool over_threshold(const struct wf_stat *st, int64_t extra, int64_t life) {
  int64_t total = st->wait_sum + extra;
  return !st->reported && total > tg__opts.starvation_ms * 1000000 && total * 2 > life;
}

void tg__starv_acquired(struct wf_g *w, struct wf_stat *st, int64_t waited, bool contended,
                        const struct wf_stack *at) {
  if (!st)
    return;
  st->acq++;
  if (!contended)
    return;
  st->contended++;
  if (waited < st->wait_min)
    st->wait_min = waited;
  if (waited > st->wait_max)
    st->wait_max = waited;
  st->wait_sum += waited;
  st->wait_hist[bucket(waited)]++;
  if (!over_threshold(st, 0, tg__wf_now() - w->born))
    return;
  struct totals t;
  sum_lock(st->res, w, &t);
  if (t.others < 2)
    return;
  st->reported = true;
  /* The acquisition's own stack (the race build's shadow call stack). An
   * unwind from here cannot skip a fixed number of frames: the runtime's
   * calls from tg_mutex_lock down to this hook are tail calls, so the frame
   * above this one is already the program's, and skipping two dropped it
   * ("(no frames outside the runtime)"). */
  report(w, st, 0, at->pcs, at->n);
}

void tg__starv_released(struct wf_g *w, struct wf_stat *st, int64_t held, int weight) {
  (void)w;
  if (!st)
    return;
  st->nhold += (uint64_t)weight;
  st->hold_sum += held * weight;
  if (held > st->hold_max)
    st->hold_max = held;
  if (held < st->hold_min)
    st->hold_min = held;
  st->hold_hist[bucket(held)] += (uint32_t)weight;
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

struct user {
  uint64_t gid, acq;
  int64_t hold_sum, hold_max, wait_sum;
};

static void report(struct wf_g *w, struct wf_stat *me, int64_t waiting, const uintptr_t *pcs,
                   int npcs) {
  TG_REPORT_IN_FLIGHT();
  struct wf_res *r = me->res;
  struct totals t;
  sum_lock(r, w, &t);
  struct user users[16];
  int nu = 0;
  tg__lock_acquire(&tg__wf_all_lock);
  for (struct wf_g *o = tg__wf_all; o; o = o->all_next) {
    struct wf_stat *st = o == w ? NULL : stat_of(o, r);
    if (!st || !st->acq)
      continue;
    struct user x = {o->id, st->acq, st->hold_sum, st->hold_max, st->wait_sum};
    int j = nu < 16 ? nu++ : 15;
    if (j == 15 && nu == 16 && users[15].hold_sum >= x.hold_sum)
      continue;
    while (j > 0 && users[j - 1].hold_sum < x.hold_sum) {
      users[j] = users[j - 1];
      j--;
    }
    users[j] = x;
  }
  tg__lock_release(&tg__wf_all_lock);

  int64_t life = tg__wf_now() - w->born;
  int64_t total = me->wait_sum + waiting;
  struct tg_buf b = {0}, head = {0};
  tg__buf_str(&b, "WARNING: STARVATION\n");
  tg__buf_printf(&head, "goroutine %llu waited ", (unsigned long long)w->id);
  put_ms(&head, total);
  tg__buf_printf(&head, " in total (%d%% of its life of ", (int)(total * 100 / (life ? life : 1)));
  put_ms(&head, life);
  tg__buf_str(&head, ") for ");
  tg__wf_put_res(&head, r->addr, r->kind);
  tg__buf_printf(&head, ", while other goroutines acquired it %llu times",
                 (unsigned long long)t.others);
  tg__buf_printf(&b, "%s%s.\n", head.s ? head.s : "", waiting ? " (it is still waiting)" : "");

  tg__buf_printf(&b,
                 "\nGoroutine %llu (the waiter): %llu acquisitions, %llu of them contended; "
                 "waited ",
                 (unsigned long long)w->id, (unsigned long long)me->acq,
                 (unsigned long long)me->contended);
  put_ms(&b, total);
  if (me->contended) {
    tg__buf_str(&b, " (avg ");
    put_ms(&b, me->wait_sum / (int64_t)me->contended);
    tg__buf_str(&b, ", max ");
    put_ms(&b, me->wait_max);
    tg__buf_str(&b, ")");
  }
  tg__buf_str(&b, "; held it ");
  put_ms(&b, me->hold_sum);
  tg__buf_str(&b, waiting ? ". It waits at:\n" : ". It acquired the lock at last at:\n");
  tg__wf_put_stack(&b, pcs, npcs);
  tg__wf_put_created(&b, w);

  tg__buf_str(&b, "\nThe other goroutines that took it (who hogs the lock):\n");
  for (int i = 0; i < nu; i++) {
    struct user *x = &users[i];
    tg__buf_printf(&b, "  goroutine %llu: %llu acquisitions, held ", (unsigned long long)x->gid,
                   (unsigned long long)x->acq);
    put_ms(&b, x->hold_sum);
    tg__buf_str(&b, " in total (avg ");
    put_ms(&b, x->hold_sum / (int64_t)x->acq);
    tg__buf_str(&b, ", max ");
    put_ms(&b, x->hold_max);
    tg__buf_str(&b, "), waited ");
    put_ms(&b, x->wait_sum);
    tg__buf_str(&b, "\n");
  }
  if (nu == 0)
    tg__buf_str(&b, "  (none recorded)\n");

  tg__buf_str(&b, "\nLock statistics of ");
  tg__wf_put_res(&b, r->addr, r->kind);
  tg__buf_printf(&b, ":\n  acquisitions %llu, contentions %llu\n", (unsigned long long)t.acq,
                 (unsigned long long)t.contended);
  put_dist(&b, "wait", t.contended, t.wait_min, t.wait_sum, t.wait_max, t.wait_hist);
  put_dist(&b, "hold", t.nhold, t.hold_min, t.hold_sum, t.hold_max, t.hold_hist);

  struct tg_buf what = {0};
  tg__wf_put_res(&what, r->addr, r->kind);
  struct tg_report_goroutine gs[2] = {{
      .id = w->id,
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
      .dedup_key = (uintptr_t)r->addr * 31 + w->id,
  };
  tg__report_emit(&f, b.s ? b.s : "WARNING: STARVATION\n");
  tg__buf_free(&b);
  tg__buf_free(&head);
  tg__buf_free(&what);
}

/* At exit: goroutines still waiting count their current wait. */
void tg__starv_check_at_exit(void) {
  if (!enabled() || !tg__opts.deadlock)
    return;
  enum { MAX = 64 };
  struct hit {
    struct wf_g *w;
    struct wf_stat *st;
    int64_t waiting;
  } *hits = tg__wf_alloc(MAX * sizeof *hits);
  int n = 0;
  int64_t now = tg__wf_now();
  bool dbg = getenv("TANGLE_WF_DEBUG") != NULL;
  tg__lock_acquire(&tg__wf_all_lock);
  for (struct wf_g *w = tg__wf_all; w && n < MAX; w = w->all_next) {
    struct wf_wait t;
    bool waits = !tg__wf_exited(w) && tg__wf_top_wait_of(w, &t, NULL);
    struct wf_stat_table *tab = atomic_load(&w->stats);
    for (int i = 0; tab && i < tab->cap && n < MAX; i++) {
      struct wf_stat *st = tab->slot[i];
      if (!st)
        continue;
      if (dbg)
        fprintf(stderr,
                "tangle-waitfor: lock %p goroutine %llu: acq %llu contended %llu wait %lld ms "
                "hold %lld ms life %lld ms\n",
                st->res->addr, (unsigned long long)w->id, (unsigned long long)st->acq,
                (unsigned long long)st->contended, (long long)(st->wait_sum / 1000000),
                (long long)(st->hold_sum / 1000000), (long long)((now - w->born) / 1000000));
      int64_t cur = waits && t.res == st->res->addr ? now - t.since : 0;
      if (cur && over_threshold(st, cur, now - w->born))
        hits[n++] = (struct hit){w, st, cur};
    }
  }
  tg__lock_release(&tg__wf_all_lock);
  for (int i = 0; i < n; i++) {
    struct totals t;
    sum_lock(hits[i].st->res, hits[i].w, &t);
    if (t.others < 2)
      continue;
    hits[i].st->reported = true;
    uintptr_t pcs[32];
    int k = tg__wf_g_stack(hits[i].w, pcs, 32);
    report(hits[i].w, hits[i].st, hits[i].waiting, pcs, k);
  }
  tg__wf_free(hits, MAX * sizeof *hits);
}

#endif
