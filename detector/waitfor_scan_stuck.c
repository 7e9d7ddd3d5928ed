/* What the goroutines a pass found stuck are (race build only): the cycles
 * among them (one's reachable memory refers to another's resource, or it
 * holds another's lock), the waits nothing able to run can reach, and lock
 * waiters whose holder exited; each is reported. See waitfor_scan.h. */
#ifdef TANGLE_RACE
#include "waitfor_scan.h"

#include <stdio.h>
#include <string.h>

/* ---- cycles among the stuck ------------------------------------------------ */

/* adj[i * n + j]: j could complete i's wait (its memory refers to i's
 * resource), or holds i's lock. Monitor only. */
static bool *adj;

static void tarjan(int v, int *index, int *stk, int *sp, int *nscc) {
  struct cand *c = &tg__wfs.c[v];
  c->idx = c->low = (*index)++;
  stk[(*sp)++] = v;
  c->on_stack = true;
  for (int u = 0; u < tg__wfs.n; u++) {
    if (!adj[v * tg__wfs.n + u])
      continue;
    struct cand *d = &tg__wfs.c[u];
    if (d->idx < 0) {
      tarjan(u, index, stk, sp, nscc);
      if (d->low < c->low)
        c->low = d->low;
    } else if (d->on_stack && d->idx < c->low) {
      c->low = d->idx;
    }
  }
  if (c->low == c->idx) {
    int u;
    do {
      u = stk[--(*sp)];
      tg__wfs.c[u].on_stack = false;
      tg__wfs.c[u].scc = *nscc;
    } while (u != v);
    (*nscc)++;
  }
}

/* The stuck resources reachable from h's stack and argument (through
 * memory the live roots did not reach). */
static void probe(struct cand *h) {
  tg__wfs.probing = true;
  tg__wfs.nprobe_hits = 0;
  for (int i = 0; i < tg__wfs.nobjs; i++)
    tg__wfs.mark[i] &= 1;
  tg__wfs.nwork = 0;
  tg__wfs_scan_word(h->arg);
  if (h->hi) {
    uintptr_t from = h->sp && h->sp >= h->lo && h->sp < h->hi ? h->sp : h->lo;
    /* its own waiter records name what it waits on: skip the runtime's
     * frames below the user's (they hold the channel as an argument) */
    for (struct tg_sudog *sg = h->g->waiting; sg; sg = sg->waitlink)
      if ((uintptr_t)sg >= from && (uintptr_t)(sg + 1) <= h->hi)
        from = (uintptr_t)(sg + 1);
    tg__wfs_push_work(from, h->hi);
  }
  tg__wfs_drain();
  tg__wfs.probing = false;
}

static bool holds_lock_of(struct cand *h, const struct cand *c) {
  if (!h->w || !tg__wf_is_lock_kind(c->kind))
    return false;
  struct wf_held x;
  return tg__wf_held_of(h->w, c->res, &x);
}

/* Stuck lock waiters whose lock's holder has exited (it may have exited
 * after they began to wait, so waitfor.c could not tell then). */
static void report_exited_holders(void) {
  for (int i = 0; i < tg__wfs.n; i++) {
    struct cand *c = &tg__wfs.c[i];
    if (c->live || !c->w || c->w->reported || !tg__wf_is_lock_kind(c->kind) ||
        c->kind == TG_RES_SEM)
      continue;
    struct wf_res *r = tg__wf_res(c->res, c->kind, false);
    struct wf_g *h = r ? atomic_load(&r->writer) : NULL;
    if (r && !h)
      tg__wf_readers(r, &h, 1);
    if (!h || !tg__wf_exited(h))
      continue;
    struct wf_hop hops[2] = {{.w = c->w, .res = c->res, .kind = c->kind},
                             {.w = h, .holder_exited = true}};
    hops[1].has_held = tg__wf_held_of(h, c->res, &hops[1].held);
    tg__lock_acquire(&tg__wf_graph_lock);
    bool fresh = !c->w->reported;
    c->w->reported = true;
    tg__lock_release(&tg__wf_graph_lock);
    if (fresh)
      tg__wf_report_deadlock(TG__WF_EXITED_HOLDER, hops, 2, false);
  }
}

/* The stuck goroutines on owner-less resources that no cycle explained: each
 * is blocked on something nothing able to run can reach. One report per
 * resource, with every goroutine stuck on it. */
static void report_unreachable(void) {
  for (int i = 0; i < tg__wfs.n; i++) {
    struct cand *c = &tg__wfs.c[i];
    if (c->live || !c->w || c->w->reported || !tg__wfs_ownerless(c->kind))
      continue;
    bool one_chan = c->kind == TG_RES_SELECT && c->nres == 1;
    const void *res = one_chan ? (const void *)c->res_list[0] : c->res;
    int kind = one_chan ? TG_RES_CHAN : c->kind;
    struct wf_hop hops[64];
    int n = 0;
    tg__lock_acquire(&tg__wf_graph_lock);
    for (int j = i; j < tg__wfs.n && n < 64; j++) {
      struct cand *o = &tg__wfs.c[j];
      if (o->live || !o->w || o->w->reported || !tg__wfs_ownerless(o->kind))
        continue;
      bool o_one = o->kind == TG_RES_SELECT && o->nres == 1;
      const void *ores = o_one ? (const void *)o->res_list[0] : o->res;
      int okind = o_one ? TG_RES_CHAN : o->kind;
      if (j != i && (ores != res || okind != kind || kind == TG_RES_SELECT))
        continue;
      o->w->reported = true;
      hops[n++] = (struct wf_hop){.w = o->w, .res = ores, .kind = okind, .ownerless = true};
    }
    tg__lock_release(&tg__wf_graph_lock);
    if (n)
      tg__wf_report_unreachable(hops, n);
  }
}

void tg__wfs_report_cycles(void) {
  report_exited_holders();
  int nstuck = 0;
  for (int i = 0; i < tg__wfs.n; i++) {
    tg__wfs.c[i].idx = -1;
    tg__wfs.c[i].scc = -1;
    tg__wfs.c[i].on_stack = false;
    if (!tg__wfs.c[i].live)
      nstuck++;
  }
  if (tg__wfs_dbg)
    fprintf(stderr, "tangle-waitfor: %d stuck\n", nstuck);
  if (nstuck < 2) {
    report_unreachable();
    return;
  }
  adj = tg__wf_alloc((size_t)tg__wfs.n * (size_t)tg__wfs.n);
  for (int j = 0; j < tg__wfs.n; j++) {
    if (tg__wfs.c[j].live)
      continue;
    probe(&tg__wfs.c[j]);
    for (int k = 0; k < tg__wfs.nprobe_hits; k++) {
      int i = tg__wfs.probe_hits[k];
      if (tg__wfs_dbg)
        fprintf(stderr, "tangle-waitfor: goroutine %llu reaches goroutine %llu's resource\n",
                (unsigned long long)tg__wfs.c[j].id, (unsigned long long)tg__wfs.c[i].id);
      if (i != j && !tg__wfs.c[i].live && tg__wfs_ownerless(tg__wfs.c[i].kind))
        adj[i * tg__wfs.n + j] = true;
    }
    for (int i = 0; i < tg__wfs.n; i++)
      if (i != j && !tg__wfs.c[i].live && holds_lock_of(&tg__wfs.c[j], &tg__wfs.c[i]))
        adj[i * tg__wfs.n + j] = true;
  }
  int *stk = tg__wf_alloc((size_t)tg__wfs.n * sizeof *stk);
  int index = 0, sp = 0, nscc = 0;
  for (int i = 0; i < tg__wfs.n; i++)
    if (!tg__wfs.c[i].live && tg__wfs.c[i].idx < 0)
      tarjan(i, &index, stk, &sp, &nscc);

  for (int s = 0; s < nscc; s++) {
    int members[64], nmem = 0;
    bool any_new = false, has_ownerless = false;
    for (int i = 0; i < tg__wfs.n && nmem < 64; i++)
      if (!tg__wfs.c[i].live && tg__wfs.c[i].scc == s) {
        members[nmem++] = i;
        if (tg__wfs.c[i].w && !tg__wfs.c[i].w->reported)
          any_new = true;
        if (tg__wfs_ownerless(tg__wfs.c[i].kind))
          has_ownerless = true;
      }
    if (nmem < 2 || !any_new || !has_ownerless)
      continue; /* pure lock cycles are reported when they form (waitfor.c) */
    /* A cycle through the component: follow edges inside it from the first
     * member until a node repeats. */
    int order[64], n = 0, v = members[0];
    bool seen[64] = {false};
    for (;;) {
      int pos = -1;
      for (int k = 0; k < nmem; k++)
        if (members[k] == v)
          pos = k;
      if (pos < 0 || seen[pos])
        break;
      seen[pos] = true;
      order[n++] = v;
      int next = -1;
      for (int k = 0; k < nmem; k++)
        if (adj[v * tg__wfs.n + members[k]]) {
          next = members[k];
          if (!seen[k])
            break;
        }
      if (next < 0)
        break;
      v = next;
    }
    int start = 0;
    for (int k = 0; k < n; k++)
      if (order[k] == v)
        start = k;
    int len = n - start;
    if (len < 2)
      continue;
    struct wf_hop hops[64];
    bool ok = true;
    for (int k = 0; k < len; k++) {
      struct cand *c = &tg__wfs.c[order[start + k]];
      bool one_chan = c->kind == TG_RES_SELECT && c->nres == 1;
      hops[k] = (struct wf_hop){.w = c->w,
                                .res = one_chan ? (const void *)c->res_list[0] : c->res,
                                .kind = one_chan ? TG_RES_CHAN : c->kind,
                                .ownerless = tg__wfs_ownerless(c->kind)};
      if (!c->w)
        ok = false;
    }
    if (!ok)
      continue;
    /* has_held: what hop k holds that hop k-1 waits for (locks only) */
    for (int k = 0; k < len; k++) {
      struct wf_hop *prev = &hops[(k + len - 1) % len];
      hops[k].has_held = tg__wf_held_of(hops[k].w, prev->res, &hops[k].held);
    }
    tg__lock_acquire(&tg__wf_graph_lock);
    for (int k = 0; k < len; k++)
      hops[k].w->reported = true;
    tg__lock_release(&tg__wf_graph_lock);
    char why[200];
    snprintf(why, sizeof why,
             "%d goroutines wait for each other: each is blocked on a resource that only "
             "another of them could complete or release, and no running goroutine can reach it",
             len);
    tg__wf_report_deadlock(why, hops, len, true);
  }
  tg__wf_free(stk, (size_t)tg__wfs.n * sizeof *stk);
  tg__wf_free(adj, (size_t)tg__wfs.n * (size_t)tg__wfs.n);
  adj = NULL;
  report_unreachable();
}

#endif
