/* One pass of the wait-for graph's scan (race build only): the candidates
 * (goroutines parked a while on a resource), the roots, the fixed point with
 * the lock rules, and the confirmation over two passes. See waitfor_scan.h
 * for the design. */
#ifdef TANGLE_RACE
#include "waitfor_scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The pass's state: owned by the pass in progress (the monitor thread, under
 * its pass lock). */
struct wf_scan tg__wfs;

/* Ranges the detectors ask the scan to skip (their own tables keyed by
 * program addresses), under excl_lock. */
static tg__lock excl_lock;

static uintptr_t excluded[256][2];

static int nexcluded;

void tg__wf_scan_exclude(const void *lo, size_t n) {
  tg__lock_acquire(&excl_lock);
  if (nexcluded < 256) {
    excluded[nexcluded][0] = (uintptr_t)lo;
    excluded[nexcluded][1] = (uintptr_t)lo + n;
    nexcluded++;
  }
  tg__lock_release(&excl_lock);
}

/* ---- candidates ---------------------------------------------------------- */

bool tg__wfs_ownerless(int kind) {
  return kind == TG_RES_CHAN || kind == TG_RES_SELECT || kind == TG_RES_WAITGROUP ||
         kind == TG_RES_COND || kind == TG_RES_SEM;
}

static uint32_t window_of(int kind) {
  return kind == TG_RES_WAITGROUP || kind == TG_RES_COND ? WINDOW : 0;
}

/* Snapshot of the goroutines. Returns the number of owner-less candidates
 * (the ones worth a pass). */
int tg__wfs_gather(int64_t now) {
  tg__wfs.n = 0;
  tg__wfs.nownerless = 0;
  int nowner = 0;
  int64_t now_coarse = tg__nanotime_coarse();
  tg__lock_acquire(&tg__sched.allg_lock);
  struct tg_g *g = tg__sched.allg;
  for (; g && tg__wfs.n < MAX_CANDS; g = g->all_next) {
    int st = atomic_load(&g->status);
    if (g->is_g0 || st == TG_G_DEAD || st == TG_G_IDLE)
      continue;
    struct wf_g *w = tg__wf_of(g);
    struct cand *c = &tg__wfs.c[tg__wfs.n];
    memset(c, 0, sizeof *c);
    c->g = g;
    c->w = w;
    c->id = g->id;
    c->live = true;
    c->arg = (uintptr_t)g->arg;
    if (g->stack_lo) {
      c->lo = (uintptr_t)g->stack_lo;
      c->hi = (uintptr_t)g->stack_hi;
    }
    c->sp = st == TG_G_WAITING || st == TG_G_RUNNABLE ? (uintptr_t)g->sp : 0;
    struct wf_wait t;
    uint64_t wseq;
    if (w && st == TG_G_WAITING && tg__wf_top_wait_of(w, &t, &wseq) &&
        (tg__wfs_ownerless(t.kind) || tg__wf_is_lock_kind(t.kind)) &&
        tg__wf_wait_age(&t, g, now, now_coarse) >= MIN_WAIT_NS) {
      c->kind = t.kind;
      c->res = t.res;
      c->seq = wseq;
      c->live = false;
    }
    if (!c->live) {
      if (c->kind == TG_RES_SELECT) {
        /* A select with a timer armed wakes by itself. */
        if (g->sleep_timer.p != NULL)
          c->live = true;
        for (struct tg_sudog *sg = g->waiting; sg && c->nres < MAX_RES_PER; sg = sg->waitlink)
          c->res_list[c->nres++] = (uintptr_t)sg->c;
        if (g->waiting == NULL && g->wait_reason != TG_WAIT_SELECT_NO_CASES)
          c->live = true; /* not parked in the select proper */
        if (c->nres == 0 && !c->live)
          c->forever = true;
      } else if (c->kind == TG_RES_CHAN && !c->res) {
        c->forever = true;
      } else if (!tg__wf_is_lock_kind(c->kind) || c->kind == TG_RES_SEM) {
        c->res_list[c->nres++] = (uintptr_t)c->res;
      }
      if (!c->live)
        nowner++;
      if (!c->live && tg__wfs_ownerless(c->kind))
        tg__wfs.nownerless++;
    }
    tg__wfs.n++;
  }
  tg__wfs.truncated = g != NULL;
  tg__lock_release(&tg__sched.allg_lock);
  return nowner;
}

static int cand_of_wf(struct wf_g *w) {
  for (int i = 0; i < tg__wfs.n; i++)
    if (tg__wfs.c[i].w == w)
      return i;
  return -1;
}

/* Locks: a waiter is live when what must happen for it can happen. */
static bool lock_waiter_live(struct cand *c) {
  struct wf_g *holders[64];
  int nh = 0;
  struct wf_res *r = tg__wf_res(c->res, c->kind, false);
  if (r) {
    struct wf_g *wr = atomic_load(&r->writer);
    if (wr)
      holders[nh++] = wr;
    if (c->kind == TG_RES_RWMUTEX_W || c->kind == TG_RES_SEM)
      nh += tg__wf_readers(r, holders + nh, 64 - nh);
  }
  if (nh == 0)
    return true; /* between a release and the next acquisition */
  bool any_live = false, all_live = true;
  for (int i = 0; i < nh; i++) {
    bool live;
    if (tg__wf_exited(holders[i])) {
      live = false;
    } else {
      int k = cand_of_wf(holders[i]);
      live = k < 0 || tg__wfs.c[k].live;
    }
    any_live |= live;
    all_live &= live;
  }
  if (c->kind == TG_RES_SEM)
    return any_live;
  if (c->kind == TG_RES_RWMUTEX_R) {
    /* and the queued writers */
    for (int i = 0; i < tg__wfs.n; i++) {
      struct cand *o = &tg__wfs.c[i];
      if (o != c && o->kind == TG_RES_RWMUTEX_W && o->res == c->res && !o->live)
        return false;
    }
  }
  return all_live;
}

static int rref_cmp(const void *a, const void *b) {
  const struct rref *x = a, *y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Only locks are waited for: the holders decide, no memory to scan. */
void tg__wfs_analyse_locks(void) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (int i = 0; i < tg__wfs.n; i++) {
      struct cand *c = &tg__wfs.c[i];
      if (!c->live && !c->forever && lock_waiter_live(c)) {
        c->live = true;
        changed = true;
      }
    }
  }
}

/* Returns false when the pass cannot be trusted (nothing is concluded). */
bool tg__wfs_analyse(void) {
  tg__wfs.nwit = 0;
  if (tg__wfs.nownerless == 0) {
    tg__wfs_analyse_locks();
    return true;
  }
  struct tg_g *mg = tg__main_g();
  struct range main_stack = {0, 0};
  tg__wfs.nmaps = tg__wfs_read_maps(tg__wfs.maps, MAX_RANGES, &main_stack);
  for (int i = 0; i < tg__wfs.n; i++)
    if (tg__wfs.c[i].g == mg && !tg__wfs.c[i].hi) {
      tg__wfs.c[i].lo = main_stack.lo;
      tg__wfs.c[i].hi = main_stack.hi;
    }
  tg__wfs.nstatics = 0;
  tg__wfs.nlibdata = 0;
  dl_iterate_phdr(tg__wfs_static_cb, NULL);

  /* Never scanned: goroutine stacks (scanned as goroutines), goroutine
   * structures, candidates' waiter records, detector memory. */
  tg__wfs.nexcl = 0;
  for (int i = 0; i < tg__wfs.n; i++) {
    struct cand *c = &tg__wfs.c[i];
    if (c->hi)
      tg__wfs_add_excl(c->lo, c->hi);
    tg__wfs_add_excl((uintptr_t)c->g, (uintptr_t)c->g + sizeof(struct tg_g));
    if (!c->live)
      for (struct tg_sudog *sg = c->g->waiting; sg; sg = sg->waitlink)
        tg__wfs_add_excl((uintptr_t)sg, (uintptr_t)sg + sizeof *sg);
  }
  /* Threads' scheduler state keeps the last lock a goroutine parked with
   * (a channel's) and other stale runtime pointers. */
  for (struct tg_m *m = tg__sched.allm; m; m = m->all_next)
    tg__wfs_add_excl((uintptr_t)m, (uintptr_t)m + sizeof *m);
  uintptr_t(*mr)[2] = (void *)tg__wfs.buf;
  int nm = tg__wf_mem_ranges(mr, BUF_SIZE / 16);
  for (int i = 0; i < nm; i++)
    tg__wfs_add_excl(mr[i][0], mr[i][1]);
  tg__lock_acquire(&excl_lock);
  for (int i = 0; i < nexcluded; i++)
    tg__wfs_add_excl(excluded[i][0], excluded[i][1]);
  tg__lock_release(&excl_lock);
  tg__wfs_add_excl(tg__wfs.self_lo, tg__wfs.self_hi);
  for (int i = 0; i < tg__wfs.nlibdata; i++)
    tg__wfs_add_excl(tg__wfs.libdata[i].lo, tg__wfs.libdata[i].hi);
  /* Goroutine stacks come from slabs that also hold the stacks of finished
   * goroutines, with their stale frames: a slab is never scanned as memory,
   * only its live goroutines' stacks are, as goroutines. Unless there were
   * more goroutines than candidates: the stacks of those left out are seen
   * only through their slabs. */
  for (int i = 0; i < tg__wfs.nmaps && !tg__wfs.truncated; i++) {
    struct region *m = &tg__wfs.maps[i];
    if (!m->anon || m->stack)
      continue;
    for (int k = 0; k < tg__wfs.n; k++)
      if (tg__wfs.c[k].hi && tg__wfs.c[k].lo >= m->lo && tg__wfs.c[k].hi <= m->hi &&
          tg__wfs.c[k].g != mg) {
        tg__wfs_add_excl(m->lo, m->hi);
        break;
      }
  }
  /* Last, as the one list that can outgrow the table (MAX_RANGES): with
   * more goroutines than that, the structures of those past it are read
   * as memory, but the ranges above (detector memory, stack slabs, each
   * several hundred MiB with many goroutines) are never dropped. */
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g; g = g->all_next)
    tg__wfs_add_excl((uintptr_t)g, (uintptr_t)g + sizeof *g);
  tg__lock_release(&tg__sched.allg_lock);
  tg__wfs_sort_merge(tg__wfs.excl, &tg__wfs.nexcl);

  /* Heap blocks; roots. */
  tg__wfs.nobjs = 0;
  tg__wfs.nwork = 0;
  tg__wfs.overflow = false;
  for (int i = 0; i < tg__wfs.nmaps; i++) {
    struct region *m = &tg__wfs.maps[i];
    if (!m->rw || m->stack)
      continue;
    if (m->heap) {
      if (!tg__wfs_walk_heap(m->lo, m->hi)) {
        if (tg__wfs_dbg)
          fprintf(stderr, "tangle-waitfor: heap walk failed\n");
        return false;
      }
      continue;
    }
    bool is_static = tg__wfs_in_ranges(tg__wfs.statics, tg__wfs.nstatics, m->lo) ||
                     tg__wfs_in_ranges(tg__wfs.statics, tg__wfs.nstatics, m->hi - 1);
    if (is_static)
      continue; /* pushed below, from the program headers */
    if (!m->anon) {
      tg__wfs_push_minus_excluded(m->lo, m->hi);
      continue;
    }
    if (m->hi - m->lo > (1ul << 32))
      continue; /* a reserved giant (a detector's shadow) */
    uintptr_t head[2];
    if (tg__wfs_read_words(m->lo, head, 2) && (head[1] & 2) && head[0] < 4096 &&
        m->lo + head[0] + (head[1] & ~(uintptr_t)7) <= m->hi) {
      tg__wfs_add_obj(m->lo + head[0] + 16, m->lo + head[0] + (head[1] & ~(uintptr_t)7));
      continue; /* glibc's mmapped chunk */
    }
    if (tg__wfs_dbg)
      fprintf(stderr, "tangle-waitfor: mapping %#lx-%#lx: %s\n", m->lo, m->hi,
              m->guard_below ? "thread stack (root)" : "block");
    if (m->guard_below)
      tg__wfs_push_minus_excluded(m->lo, m->hi); /* a thread's stack */
    else
      tg__wfs_add_obj(m->lo, m->hi);
  }
  /* The worklist is a stack: the program's own static data (the first
   * object dl_iterate_phdr lists), where global channels and WaitGroups
   * live, is scanned first, so a pass whose candidates it makes live ends
   * early. */
  for (int i = tg__wfs.nstatics - 1; i >= 0; i--)
    tg__wfs_push_minus_excluded(tg__wfs.statics[i].lo, tg__wfs.statics[i].hi);
  tg__wfs_sort_merge(tg__wfs.objs, &tg__wfs.nobjs);
  memset(tg__wfs.mark, 0, (size_t)tg__wfs.nobjs);

  /* Interesting values: the candidates' resources and stacks. */
  tg__wfs.nrefs = 0;
  tg__wfs.nstacks = 0;
  for (int i = 0; i < tg__wfs.n; i++) {
    struct cand *c = &tg__wfs.c[i];
    c->scan_from = c->hi;
    if (c->live)
      continue;
    for (int k = 0; k < c->nres && tg__wfs.nrefs < MAX_CANDS * MAX_RES_PER; k++)
      if (c->res_list[k])
        tg__wfs.refs[tg__wfs.nrefs++] =
            (struct rref){c->res_list[k], window_of(c->kind), window_of(c->kind) != 0, i};
    if (c->hi) {
      tg__wfs.stacks[tg__wfs.nstacks] = (struct range){c->lo, c->hi};
      tg__wfs.stack_cand[tg__wfs.nstacks] = i;
      tg__wfs.nstacks++;
    }
  }
  /* A resource inside a heap block is reached when its block is: the block
   * marking covers interior pointers exactly, the window is for resources
   * of unknown extent (a structure on a stack). */
  for (int k = 0; k < tg__wfs.nrefs; k++)
    if (tg__wfs.refs[k].window && tg__wfs_obj_of(tg__wfs.refs[k].addr) >= 0)
      tg__wfs.refs[k].window = 0;
  qsort(tg__wfs.refs, (size_t)tg__wfs.nrefs, sizeof *tg__wfs.refs, rref_cmp);
  for (int i = 1; i < tg__wfs.nstacks; i++)
    for (int j = i; j > 0 && tg__wfs.stacks[j].lo < tg__wfs.stacks[j - 1].lo; j--) {
      struct range t = tg__wfs.stacks[j];
      tg__wfs.stacks[j] = tg__wfs.stacks[j - 1];
      tg__wfs.stacks[j - 1] = t;
      int ti = tg__wfs.stack_cand[j];
      tg__wfs.stack_cand[j] = tg__wfs.stack_cand[j - 1];
      tg__wfs.stack_cand[j - 1] = ti;
    }

  tg__wfs_build_filter();

  /* Resources in static data are reached by code: live. */
  for (int k = 0; k < tg__wfs.nrefs; k++)
    if (tg__wfs_in_ranges(tg__wfs.statics, tg__wfs.nstatics, tg__wfs.refs[k].addr))
      tg__wfs.c[tg__wfs.refs[k].cand].live = true;
  for (int i = 0; i < tg__wfs.n; i++)
    if (tg__wfs.c[i].forever)
      tg__wfs.c[i].live = false;

  for (int i = 0; tg__wfs_dbg && i < tg__wfs.n; i++)
    fprintf(stderr, "tangle-waitfor: goroutine %llu %s, stack %#lx-%#lx, sp %#lx\n",
            (unsigned long long)tg__wfs.c[i].id, tg__wfs.c[i].live ? "live" : "candidate",
            tg__wfs.c[i].lo, tg__wfs.c[i].hi, tg__wfs.c[i].sp);
  tg__wfs.nleft = 0;
  for (int i = 0; i < tg__wfs.n; i++)
    tg__wfs.nleft += !tg__wfs.c[i].live;
  /* Live goroutines: their stacks and their start argument. */
  for (int i = 0; i < tg__wfs.n; i++) {
    struct cand *c = &tg__wfs.c[i];
    if (!c->live)
      continue;
    tg__wfs_scan_word(c->arg);
    if (c->hi) {
      uintptr_t from = c->sp && c->sp >= c->lo && c->sp < c->hi ? c->sp : c->lo;
      tg__wfs_push_work(from, c->hi);
      c->scan_from = from;
    }
  }

  /* Fixed point: scan, then let lock waiters follow their holders. */
  for (;;) {
    tg__wfs_drain();
    bool changed = false;
    for (int i = 0; i < tg__wfs.n; i++) {
      struct cand *c = &tg__wfs.c[i];
      if (c->live || !tg__wf_is_lock_kind(c->kind) || c->forever)
        continue;
      if (lock_waiter_live(c)) {
        tg__wfs_make_live(i);
        tg__wfs_scan_word(c->arg);
        changed = true;
      }
    }
    /* a candidate made live by a scanned word: its argument counts too */
    for (int i = 0; i < tg__wfs.n; i++)
      if (tg__wfs.c[i].live && tg__wfs.c[i].scan_from < tg__wfs.c[i].hi)
        tg__wfs_scan_word(tg__wfs.c[i].arg);
    if (!changed && tg__wfs.nwork == 0)
      break;
  }
  return !tg__wfs.overflow;
}

/* Stuck: confirmed only if its wait did not change meanwhile and it was
 * stuck in the same wait on the previous pass too. */
void tg__wfs_confirm(void) {
  static uint64_t cur[MAX_CANDS][2];
  int ncur = 0;
  for (int i = 0; i < tg__wfs.n; i++) {
    struct cand *c = &tg__wfs.c[i];
    if (c->live)
      continue;
    bool same = false;
    if (c->w) {
      struct wf_wait t;
      uint64_t wseq = 0;
      tg__wf_top_wait_of(c->w, &t, &wseq);
      same = wseq == c->seq && c->w->id == c->id && atomic_load(&c->g->status) == TG_G_WAITING;
    }
    bool before = false;
    for (int k = 0; k < tg__wfs.nprev; k++)
      if (tg__wfs.prev[k][0] == c->id && tg__wfs.prev[k][1] == c->seq)
        before = true;
    if (same) {
      cur[ncur][0] = c->id;
      cur[ncur][1] = c->seq;
      ncur++;
    }
    if (!same || !before)
      c->live = true; /* not confirmed yet */
  }
  memcpy(tg__wfs.prev, cur, (size_t)ncur * sizeof cur[0]);
  tg__wfs.nprev = ncur;
}

#endif
