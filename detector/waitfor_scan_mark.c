/* The scan's mark (race build only): from the roots, every word that points
 * into a heap block marks it, marked blocks are scanned in turn, and a word
 * that reaches what a candidate waits on makes it live. See waitfor_scan.h. */
#ifdef TANGLE_RACE
#include "waitfor_scan.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

void tg__wfs_push_work(uintptr_t lo, uintptr_t hi) {
  lo = (lo + 7) & ~(uintptr_t)7;
  if (lo >= hi)
    return;
  if (tg__wfs.nwork == MAX_RANGES * 4) {
    tg__wfs.overflow = true;
    return;
  }
  tg__wfs.work[tg__wfs.nwork++] = (struct range){lo, hi};
}

/* Pushes [lo, hi) minus the excluded ranges (sorted, disjoint). */
void tg__wfs_push_minus_excluded(uintptr_t lo, uintptr_t hi) {
  int a = 0, b = tg__wfs.nexcl;
  while (a < b) {
    int m = (a + b) / 2;
    if (tg__wfs.excl[m].hi <= lo)
      a = m + 1;
    else
      b = m;
  }
  int e = a;
  while (e < tg__wfs.nexcl && tg__wfs.excl[e].lo < hi)
    e++;
  /* From the top down: the worklist is a stack, so the pieces are scanned
   * in address order (a program's own globals come before the libraries
   * linked into it, and a pass ends once every candidate is live). */
  for (int i = e - 1; i >= a; i--) {
    if (tg__wfs.excl[i].hi < hi)
      tg__wfs_push_work(tg__wfs.excl[i].hi > lo ? tg__wfs.excl[i].hi : lo, hi);
    hi = tg__wfs.excl[i].lo;
  }
  if (lo < hi)
    tg__wfs_push_work(lo, hi);
}

static int refs_lower(uintptr_t a) {
  int lo = 0, hi = tg__wfs.nrefs;
  while (lo < hi) {
    int m = (lo + hi) / 2;
    if (tg__wfs.refs[m].addr < a)
      lo = m + 1;
    else
      hi = m;
  }
  return lo;
}

/* TANGLE_WF_DEBUG=1: why each candidate was found live (the monitor's). */
int tg__wfs_dbg;
/* The word being scanned (its address, 0 outside scan_words, and value):
 * debug output, and the witness of a candidate it makes live. */
static uintptr_t dbg_at, dbg_val, dbg_lo, dbg_hi;

void tg__wfs_make_live(int i) {
  struct cand *c = &tg__wfs.c[i];
  if (c->live)
    return;
  if (tg__wfs_dbg)
    fprintf(stderr, "tangle-waitfor: goroutine %llu live: word at %#lx in [%#lx, %#lx)\n",
            (unsigned long long)c->id, dbg_at, dbg_lo, dbg_hi);
  c->live = true;
  tg__wfs.nleft--;
  /* made live by a word of static data: a root in every pass */
  if (dbg_at && tg__wfs_in_ranges(tg__wfs.statics, tg__wfs.nstatics, dbg_at))
    tg__wfs_witness(i, dbg_at, dbg_val);
  if (c->hi) {
    uintptr_t from = c->sp ? c->sp : c->lo;
    if (from < c->scan_from) {
      tg__wfs_push_work(from, c->scan_from);
      c->scan_from = from;
    }
  }
}

void tg__wfs_hit_cand(int i) {
  if (!tg__wfs.probing) {
    tg__wfs_make_live(i);
  } else if (tg__wfs.nprobe_hits < MAX_CANDS) {
    tg__wfs.probe_hits[tg__wfs.nprobe_hits++] = i;
  }
}

/* Resources embedded in [lo, hi) (now scanned memory) are reachable:
 * WaitGroups and Conds live inside the program's structures. Channels and
 * semaphores are the runtime's own objects, reached only through a pointer
 * to them (an interior pointer, such as a buffer slot's address kept by the
 * race detector, does not let anyone operate on the channel). */
static void live_span(uintptr_t lo, uintptr_t hi) {
  for (int k = refs_lower(lo); k < tg__wfs.nrefs && tg__wfs.refs[k].addr < hi; k++)
    if (tg__wfs.refs[k].embedded)
      tg__wfs_hit_cand(tg__wfs.refs[k].cand);
}

static int stack_of(uintptr_t a) {
  int lo = 0, hi = tg__wfs.nstacks;
  while (lo < hi) {
    int m = (lo + hi) / 2;
    if (tg__wfs.stacks[m].hi <= a)
      lo = m + 1;
    else
      hi = m;
  }
  return lo < tg__wfs.nstacks && a >= tg__wfs.stacks[lo].lo ? lo : -1;
}

void tg__wfs_scan_word(uintptr_t v) {
  for (int k = refs_lower(v); k < tg__wfs.nrefs && tg__wfs.refs[k].addr - v <= WINDOW; k++)
    if (tg__wfs.refs[k].addr - v <= tg__wfs.refs[k].window)
      tg__wfs_hit_cand(tg__wfs.refs[k].cand);
  int o = tg__wfs_obj_of(v);
  if (o >= 0) {
    uint8_t bit = tg__wfs.probing ? 2 : 1;
    if (!(tg__wfs.mark[o] & (1 | bit))) {
      if (tg__wfs_dbg > 1 && !tg__wfs.probing)
        fprintf(stderr, "tangle-waitfor: block %#lx-%#lx marked by word at %#lx in [%#lx, %#lx)\n",
                tg__wfs.objs[o].lo, tg__wfs.objs[o].hi, dbg_at, dbg_lo, dbg_hi);
      tg__wfs.mark[o] |= bit;
      tg__wfs_push_minus_excluded(tg__wfs.objs[o].lo, tg__wfs.objs[o].hi);
    }
    return;
  }
  int s = stack_of(v);
  if (s < 0 || tg__wfs.probing)
    return;
  struct cand *c = &tg__wfs.c[tg__wfs.stack_cand[s]];
  if (c->live || v >= c->scan_from)
    return;
  /* The runtime's waiter records (sudogs, semaphore and Cond waiters) hold
   * the waiting goroutine in their first words: the queues that point to
   * them are the wait's own bookkeeping, not a way to the goroutine's data. */
  uintptr_t head[2];
  if (tg__wfs_read_words(v & ~(uintptr_t)7, head, 2) &&
      (head[0] == (uintptr_t)c->g || head[1] == (uintptr_t)c->g))
    return;
  uintptr_t from = v & ~(uintptr_t)7;
  tg__wfs_push_work(from, c->scan_from);
  c->scan_from = from;
}

#define FILTER_SHIFT 21 /* 2 MiB granules */
static inline unsigned filter_bit(uintptr_t v) {
  return (unsigned)(((v >> FILTER_SHIFT) * 0x9E3779B97F4A7C15ull) >> 52); /* 0..4095 */
}
static inline bool filter_may(uintptr_t v) {
  unsigned b = filter_bit(v);
  return tg__wfs.filter[b >> 6] >> (b & 63) & 1;
}
static void filter_add(uintptr_t lo, uintptr_t hi) {
  if (hi <= lo)
    return;
  uintptr_t g0 = lo >> FILTER_SHIFT, g1 = (hi - 1) >> FILTER_SHIFT;
  if (g1 - g0 >= 4096) { /* a giant range: every value may matter */
    memset(tg__wfs.filter, 0xff, sizeof tg__wfs.filter);
    return;
  }
  for (uintptr_t g = g0; g <= g1; g++) {
    unsigned b = filter_bit(g << FILTER_SHIFT);
    tg__wfs.filter[b >> 6] |= 1ull << (b & 63);
  }
}

void tg__wfs_build_filter(void) {
  memset(tg__wfs.filter, 0, sizeof tg__wfs.filter);
  for (int i = 0; i < tg__wfs.nobjs; i++)
    filter_add(tg__wfs.objs[i].lo, tg__wfs.objs[i].hi);
  for (int k = 0; k < tg__wfs.nrefs; k++) {
    uintptr_t a = tg__wfs.refs[k].addr; /* a value in [a - window, a] hits it */
    filter_add(a > WINDOW ? a - WINDOW : 0, a + 1);
  }
  for (int i = 0; i < tg__wfs.nstacks; i++)
    filter_add(tg__wfs.stacks[i].lo, tg__wfs.stacks[i].hi);
}

/* Every candidate found live: nothing is left for the mark to decide (the
 * probes, which look for edges between stuck goroutines, go on). */
static bool all_live(void) {
  return tg__wfs.nleft <= 0 && !tg__wfs.probing;
}

static void scan_words(uintptr_t lo, uintptr_t hi) {
  while (lo < hi && !all_live()) {
    size_t n = hi - lo < BUF_SIZE ? hi - lo : BUF_SIZE;
    size_t got = tg__wfs_read_mem(lo, tg__wfs.buf, n);
    if (got < 8) {
      lo = (lo + 4096) & ~(uintptr_t)4095; /* an unreadable page: skip it */
      continue;
    }
    /* scan_word may reuse tg__wfs.buf (waiter records): copy the words first */
    size_t nw = got / 8;
    uintptr_t words[512];
    for (size_t i = 0; i < nw; i += 512) {
      size_t m = nw - i < 512 ? nw - i : 512;
      memcpy(words, tg__wfs.buf + i * 8, m * 8);
      for (size_t j = 0; j < m; j++) {
        if (!filter_may(words[j]))
          continue;
        dbg_at = lo + (i + j) * 8;
        dbg_val = words[j];
        tg__wfs_scan_word(words[j]);
      }
    }
    lo += got & ~(size_t)7;
  }
}

/* Pages never touched (not resident) hold zeros: skipped without reading
 * (reading would also fault them in). */
static void scan_range(uintptr_t lo, uintptr_t hi) {
  const uintptr_t ps = 4096;
  unsigned char vec[64];
  while (lo < hi && !all_live()) {
    uintptr_t base = lo & ~(ps - 1);
    uintptr_t end = base + sizeof vec * ps < hi ? base + sizeof vec * ps : hi;
    size_t npages = (end - base + ps - 1) / ps;
    if (mincore((void *)base, end - base, vec) != 0) {
      scan_words(lo, end);
      lo = end;
      continue;
    }
    for (size_t i = 0; i < npages;) {
      if (!(vec[i] & 1)) {
        i++;
        continue;
      }
      size_t j = i;
      while (j < npages && (vec[j] & 1))
        j++;
      uintptr_t a = base + i * ps, b = base + j * ps;
      scan_words(a > lo ? a : lo, b < end ? b : end);
      i = j;
    }
    lo = end;
  }
}

void tg__wfs_drain(void) {
  while (tg__wfs.nwork > 0) {
    if (all_live()) {
      tg__wfs.nwork = 0;
      break;
    }
    struct range r = tg__wfs.work[--tg__wfs.nwork];
    if (tg__wfs_dbg && r.hi - r.lo >= (256 << 10))
      fprintf(stderr, "tangle-waitfor: scanning %#lx-%#lx (%lu KiB)%s\n", r.lo, r.hi,
              (r.hi - r.lo) >> 10, tg__wfs.probing ? " (probe)" : "");
    dbg_lo = r.lo;
    dbg_hi = r.hi;
    dbg_at = 0;
    live_span(r.lo, r.hi);
    scan_range(r.lo, r.hi);
  }
  dbg_at = 0;
}

#endif
