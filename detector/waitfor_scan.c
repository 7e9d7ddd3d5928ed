/* Partial deadlocks on resources nobody owns (race build only): channels,
 * selects, WaitGroups, Conds and weighted semaphores.
 *
 * A goroutine blocked on a channel can be woken by any goroutine that can
 * reach the channel. The monitor (a thread of its own, woken when such waits
 * begin) decides soundly which blocked goroutines can never be woken, the
 * way Go's GC-based goroutine leak detection does, with a conservative scan
 * instead of a precise GC:
 *
 *  - Candidates are goroutines parked for a while on a channel, select (with
 *    no timer armed), WaitGroup, Cond, semaphore, or on a lock. Everything
 *    else (running, runnable, sleeping, on I/O, with a timeout) is live.
 *  - Live memory: static data, every heap and anonymous mapping (the whole
 *    heap, as if all of it were reachable), the stacks of live goroutines,
 *    and whatever part of a candidate's stack a live word points into. Not
 *    live: the candidates' own stacks otherwise, their tg_g structures and
 *    waiter records (the runtime's bookkeeping of the wait itself), and the
 *    detectors' memory.
 *  - A candidate becomes live when a word of live memory points to what it
 *    waits on (a channel or semaphore exactly; a WaitGroup or Cond, which are
 *    embedded in the program's structures, from up to 4 KiB below it), when
 *    the resource itself lies in static data or on a live stack, or, for a
 *    lock, when the lock's holders are live (waitfor.c's rules). Its stack
 *    then becomes live memory too; repeated to a fixed point.
 *  - What is left can never be woken: no live goroutine can reach what it
 *    waits for. It is confirmed on two passes in a row (with its wait
 *    unchanged), and those of them that wait for each other (one could
 *    complete the other's wait if it ran: its stack refers to the other's
 *    resource, or it holds the other's lock) form the cycles reported as
 *    deadlocks. The rest are leaks, reported at exit.
 *
 * Conservative scanning can only find too many references (fewer reports),
 * never too few, except for a pointer held only in a running goroutine's
 * registers: hence the second pass. */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct tg_g *tg__main_g(void);

#define MIN_WAIT_NS (50 * TG_MILLISECOND) /* a wait younger than this is live */
#define PERIOD_NS   (60 * TG_MILLISECOND)
#define WINDOW      4096 /* how far below an embedded resource a pointer may be */
#define MAX_CANDS   4096
#define MAX_RES_PER 8
#define MAX_RANGES  8192

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

struct cand {
  struct tg_g *g;
  struct wf_g *w;
  uint64_t id, seq;
  int kind;
  const void *res; /* the top wait's resource (the cases array of a select) */
  uintptr_t res_list[MAX_RES_PER];
  int nres;
  bool forever;         /* nil channel, empty select: nothing can wake it */
  uintptr_t lo, hi, sp; /* stack; sp: lowest live address */
  uintptr_t scan_from;  /* lowest address of it already scanned (hi: none) */
  bool live;
  int scc, low, idx; /* Tarjan */
  bool on_stack;
};

struct rref {
  uintptr_t addr;
  uint32_t window;
  int cand;
};

struct range {
  uintptr_t lo, hi;
};

/* The monitor's working state, owned by the monitor thread (one pass at a
 * time); memory from the detector's arena. */
static struct {
  struct cand *c;
  int n;
  struct rref *refs;
  int nrefs;
  struct range *stacks; /* candidates' stacks, sorted by lo; .hi, index in idx */
  int *stack_cand;
  int nstacks;
  struct range *work;
  int nwork;
  struct range *excl;
  int nexcl;
  struct range *statics;
  int nstatics;
  struct range *maps;
  char *buf;
  uintptr_t self_lo, self_hi; /* the monitor thread's stack */
  /* confirmed-stuck (id, seq) of the previous pass */
  uint64_t prev[MAX_CANDS][2];
  int nprev;
} S;

#define BUF_SIZE (256 << 10)

/* ---- reading the program's memory without faulting ----------------------- */

static size_t read_mem(uintptr_t addr, void *dst, size_t n) {
  struct iovec l = {dst, n}, r = {(void *)addr, n};
  ssize_t got = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
  return got > 0 ? (size_t)got : 0;
}

static bool read_word(uintptr_t addr, uintptr_t *out) {
  return read_mem(addr, out, sizeof *out) == sizeof *out;
}

/* ---- ranges -------------------------------------------------------------- */

static int range_cmp(const void *a, const void *b) {
  const struct range *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void push_work(uintptr_t lo, uintptr_t hi) {
  lo = (lo + 7) & ~(uintptr_t)7;
  if (lo >= hi || S.nwork == MAX_RANGES * 2)
    return;
  S.work[S.nwork++] = (struct range){lo, hi};
}

/* Pushes [lo, hi) minus the excluded ranges (sorted, disjoint). */
static void push_minus_excluded(uintptr_t lo, uintptr_t hi) {
  int i = 0;
  while (i < S.nexcl && S.excl[i].hi <= lo)
    i++;
  for (; i < S.nexcl && S.excl[i].lo < hi; i++) {
    if (S.excl[i].lo > lo)
      push_work(lo, S.excl[i].lo);
    if (S.excl[i].hi > lo)
      lo = S.excl[i].hi;
  }
  if (lo < hi)
    push_work(lo, hi);
}

static int static_cb(struct dl_phdr_info *info, size_t size, void *ctx) {
  (void)size, (void)ctx;
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W) || S.nstatics == 512)
      continue;
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    S.statics[S.nstatics++] = (struct range){lo, lo + ph->p_memsz};
  }
  return 0;
}

static bool in_ranges(const struct range *r, int n, uintptr_t a) {
  for (int i = 0; i < n; i++)
    if (a >= r[i].lo && a < r[i].hi)
      return true;
  return false;
}

/* The rw mappings of the process (from /proc/self/maps) and the main
 * thread's stack mapping, where the main goroutine runs. */
static int read_maps(struct range *out, int max, struct range *main_stack) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  static char text[1 << 20]; /* monitor thread only (one pass at a time) */
  size_t n = 0;
  ssize_t k;
  while (n < sizeof text - 1 && (k = read(fd, text + n, sizeof text - 1 - n)) > 0)
    n += (size_t)k;
  close(fd);
  text[n] = 0;
  int nr = 0;
  for (char *line = text; line && *line;) {
    char *next = strchr(line, '\n');
    if (next)
      *next++ = 0;
    unsigned long lo, hi;
    char perms[8] = {0};
    char path[256] = {0};
    if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255[^\n]", &lo, &hi, perms, path) >= 3) {
      bool rw = perms[0] == 'r' && perms[1] == 'w';
      if (strcmp(path, "[stack]") == 0)
        *main_stack = (struct range){lo, hi};
      bool special = path[0] == '[' && strcmp(path, "[heap]") != 0 && strcmp(path, "[stack]") != 0;
      /* Reserved giants (a detector's shadow) are not program data. */
      if (rw && !special && hi - lo <= (1ul << 32) && nr < max)
        out[nr++] = (struct range){lo, hi};
    }
    line = next;
  }
  return nr;
}

/* ---- candidates ---------------------------------------------------------- */

static bool ownerless(int kind) {
  return kind == TG_RES_CHAN || kind == TG_RES_SELECT || kind == TG_RES_WAITGROUP ||
         kind == TG_RES_COND || kind == TG_RES_SEM;
}

static uint32_t window_of(int kind) {
  return kind == TG_RES_WAITGROUP || kind == TG_RES_COND ? WINDOW : 0;
}

/* Snapshot of the blocked goroutines. Returns the number of owner-less
 * candidates (the ones worth a scan). */
static int gather(int64_t now) {
  S.n = 0;
  int nowner = 0;
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g && S.n < MAX_CANDS; g = g->all_next) {
    int st = atomic_load(&g->status);
    if (g->is_g0 || st == TG_G_DEAD || st == TG_G_IDLE)
      continue;
    struct wf_g *w = tg__wf_of(g);
    struct cand *c = &S.c[S.n];
    memset(c, 0, sizeof *c);
    c->g = g;
    c->w = w;
    c->id = g->id;
    c->live = true;
    if (g->stack_lo) {
      c->lo = (uintptr_t)g->stack_lo;
      c->hi = (uintptr_t)g->stack_hi;
    }
    c->sp = st == TG_G_WAITING || st == TG_G_RUNNABLE ? (uintptr_t)g->sp : 0;
    if (w && st == TG_G_WAITING) {
      tg__lock_acquire(&w->mu);
      struct wf_wait *t = w->nwait > 0 && w->nwait <= WF_MAX_WAITS ? tg__wf_top_wait(w) : NULL;
      if (t && (ownerless(t->kind) || tg__wf_is_lock_kind(t->kind)) &&
          now - t->since >= MIN_WAIT_NS) {
        c->kind = t->kind;
        c->res = t->res;
        c->seq = w->wait_seq;
        c->live = false;
      }
      tg__lock_release(&w->mu);
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
      if (!c->live && ownerless(c->kind))
        nowner++;
    }
    S.n++;
  }
  tg__lock_release(&tg__sched.allg_lock);
  return nowner;
}

static int cand_of_wf(struct wf_g *w) {
  for (int i = 0; i < S.n; i++)
    if (S.c[i].w == w)
      return i;
  return -1;
}

static void make_live(int i);

/* Locks: a waiter is live when what must happen for it can happen. */
static bool lock_waiter_live(struct cand *c) {
  tg__lock *sl = tg__wf_res_lock(c->res);
  struct wf_g *holders[64];
  int nh = 0;
  tg__lock_acquire(sl);
  struct wf_res *r = tg__wf_res(c->res, c->kind, false);
  if (r) {
    if (r->writer)
      holders[nh++] = r->writer;
    if (c->kind == TG_RES_RWMUTEX_W || c->kind == TG_RES_SEM)
      for (int i = 0; i < r->nreaders && nh < 64; i++)
        holders[nh++] = r->readers[i].w;
  }
  tg__lock_release(sl);
  if (nh == 0)
    return true; /* between a release and the next acquisition */
  bool any_live = false, all_live = true;
  for (int i = 0; i < nh; i++) {
    bool live;
    if (tg__wf_exited(holders[i])) {
      live = false;
    } else {
      int k = cand_of_wf(holders[i]);
      live = k < 0 || S.c[k].live;
    }
    any_live |= live;
    all_live &= live;
  }
  if (c->kind == TG_RES_SEM)
    return any_live;
  if (c->kind == TG_RES_RWMUTEX_R) {
    /* and the queued writers */
    for (int i = 0; i < S.n; i++) {
      struct cand *o = &S.c[i];
      if (o != c && o->kind == TG_RES_RWMUTEX_W && o->res == c->res && !o->live)
        return false;
    }
  }
  return all_live;
}

static int refs_lower(uintptr_t a) {
  int lo = 0, hi = S.nrefs;
  while (lo < hi) {
    int m = (lo + hi) / 2;
    if (S.refs[m].addr < a)
      lo = m + 1;
    else
      hi = m;
  }
  return lo;
}

static void make_live(int i) {
  struct cand *c = &S.c[i];
  if (c->live)
    return;
  c->live = true;
  if (c->hi) {
    uintptr_t from = c->sp ? c->sp : c->lo;
    if (from < c->scan_from) {
      push_work(from, c->scan_from);
      c->scan_from = from;
    }
  }
}

/* Resources that lie inside [lo, hi) (now live memory) are reachable. */
static void live_span(uintptr_t lo, uintptr_t hi) {
  for (int k = refs_lower(lo); k < S.nrefs && S.refs[k].addr < hi; k++)
    make_live(S.refs[k].cand);
}

static int stack_of(uintptr_t a) {
  int lo = 0, hi = S.nstacks;
  while (lo < hi) {
    int m = (lo + hi) / 2;
    if (S.stacks[m].hi <= a)
      lo = m + 1;
    else
      hi = m;
  }
  return lo < S.nstacks && a >= S.stacks[lo].lo ? lo : -1;
}

static void scan_word(uintptr_t v, uintptr_t minv, uintptr_t maxv) {
  if (v < minv || v > maxv)
    return;
  for (int k = refs_lower(v); k < S.nrefs && S.refs[k].addr - v <= WINDOW; k++)
    if (S.refs[k].addr - v <= S.refs[k].window)
      make_live(S.refs[k].cand);
  int s = stack_of(v);
  if (s < 0)
    return;
  struct cand *c = &S.c[S.stack_cand[s]];
  if (c->live || v >= c->scan_from)
    return;
  /* The runtime's waiter records (sudogs, semaphore and Cond waiters)
   * begin with the waiting goroutine: the queues that point to them are the
   * wait's own bookkeeping, not a way to the goroutine's data. */
  uintptr_t first;
  if (read_word(v, &first) && first == (uintptr_t)c->g)
    return;
  uintptr_t from = v & ~(uintptr_t)7;
  push_work(from, c->scan_from);
  live_span(from, c->scan_from);
  c->scan_from = from;
}

static void scan_range(uintptr_t lo, uintptr_t hi, uintptr_t minv, uintptr_t maxv) {
  while (lo < hi) {
    size_t n = hi - lo < BUF_SIZE ? hi - lo : BUF_SIZE;
    size_t got = read_mem(lo, S.buf, n);
    if (got < 8) {
      lo = (lo + 4096) & ~(uintptr_t)4095; /* an unreadable page: skip it */
      continue;
    }
    const uintptr_t *w = (const uintptr_t *)S.buf;
    for (size_t i = 0; i < got / 8; i++)
      scan_word(w[i], minv, maxv);
    lo += got & ~(size_t)7;
  }
}

/* ---- one pass -------------------------------------------------------------- */

static void add_excl(uintptr_t lo, uintptr_t hi) {
  if (S.nexcl < MAX_RANGES && lo < hi)
    S.excl[S.nexcl++] = (struct range){lo, hi};
}

static void sort_merge_excl(void) {
  qsort(S.excl, (size_t)S.nexcl, sizeof *S.excl, range_cmp);
  int k = 0;
  for (int i = 0; i < S.nexcl; i++) {
    if (k && S.excl[i].lo <= S.excl[k - 1].hi) {
      if (S.excl[i].hi > S.excl[k - 1].hi)
        S.excl[k - 1].hi = S.excl[i].hi;
    } else {
      S.excl[k++] = S.excl[i];
    }
  }
  S.nexcl = k;
}

static int rref_cmp(const void *a, const void *b) {
  const struct rref *x = a, *y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void report_cycles(void);

static void analyse(void) {
  struct tg_g *mg = tg__main_g();

  struct range main_stack = {0, 0};
  int nmaps = read_maps(S.maps, MAX_RANGES, &main_stack);
  for (int i = 0; i < S.n; i++)
    if (S.c[i].g == mg && !S.c[i].hi) {
      S.c[i].lo = main_stack.lo;
      S.c[i].hi = main_stack.hi;
    }

  /* Exclusions: every goroutine stack (scanned separately), detector
   * memory, the candidates' tg_g structures and waiter records. */
  S.nexcl = 0;
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    if (c->hi)
      add_excl(c->lo, c->hi);
    if (!c->live) {
      add_excl((uintptr_t)c->g, (uintptr_t)c->g + sizeof(struct tg_g));
      for (struct tg_sudog *sg = c->g->waiting; sg; sg = sg->waitlink)
        add_excl((uintptr_t)sg, (uintptr_t)sg + sizeof *sg);
    }
  }
  uintptr_t(*mr)[2] = (void *)S.buf;
  int nm = tg__wf_mem_ranges(mr, BUF_SIZE / 16);
  for (int i = 0; i < nm; i++)
    add_excl(mr[i][0], mr[i][1]);
  tg__lock_acquire(&excl_lock);
  for (int i = 0; i < nexcluded; i++)
    add_excl(excluded[i][0], excluded[i][1]);
  tg__lock_release(&excl_lock);
  add_excl(S.self_lo, S.self_hi);
  sort_merge_excl();
  S.nwork = 0;
  for (int i = 0; i < nmaps; i++)
    push_minus_excluded(S.maps[i].lo, S.maps[i].hi);

  /* Interesting values: the candidates' resources and stacks. */
  S.nrefs = 0;
  S.nstacks = 0;
  uintptr_t minv = UINTPTR_MAX, maxv = 0;
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    c->scan_from = c->hi;
    if (c->live)
      continue;
    for (int k = 0; k < c->nres && S.nrefs < MAX_CANDS * MAX_RES_PER; k++) {
      uintptr_t a = c->res_list[k];
      if (!a)
        continue;
      uint32_t win = window_of(c->kind);
      S.refs[S.nrefs++] = (struct rref){a, win, i};
      if (a - win < minv)
        minv = a - win;
      if (a > maxv)
        maxv = a;
    }
    if (c->hi) {
      S.stacks[S.nstacks] = (struct range){c->lo, c->hi};
      S.stack_cand[S.nstacks] = i;
      S.nstacks++;
      if (c->lo < minv)
        minv = c->lo;
      if (c->hi > maxv)
        maxv = c->hi;
    }
  }
  qsort(S.refs, (size_t)S.nrefs, sizeof *S.refs, rref_cmp);
  /* sort stacks with their candidate index */
  for (int i = 1; i < S.nstacks; i++)
    for (int j = i; j > 0 && S.stacks[j].lo < S.stacks[j - 1].lo; j--) {
      struct range t = S.stacks[j];
      S.stacks[j] = S.stacks[j - 1];
      S.stacks[j - 1] = t;
      int ti = S.stack_cand[j];
      S.stack_cand[j] = S.stack_cand[j - 1];
      S.stack_cand[j - 1] = ti;
    }

  /* Resources in static data are reachable by code: live. */
  S.nstatics = 0;
  dl_iterate_phdr(static_cb, NULL);
  for (int k = 0; k < S.nrefs; k++)
    if (in_ranges(S.statics, S.nstatics, S.refs[k].addr))
      S.c[S.refs[k].cand].live = true;
  for (int i = 0; i < S.n; i++)
    if (S.c[i].forever)
      S.c[i].live = false;

  /* Live goroutines' stacks are roots. */
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    if (c->live && c->hi) {
      uintptr_t from = c->sp && c->sp >= c->lo && c->sp < c->hi ? c->sp : c->lo;
      push_work(from, c->hi);
      live_span(from, c->hi);
    }
  }

  /* Fixed point: scan, then let lock waiters follow their holders. */
  for (;;) {
    while (S.nwork > 0) {
      struct range r = S.work[--S.nwork];
      live_span(r.lo, r.hi);
      scan_range(r.lo, r.hi, minv, maxv);
    }
    bool changed = false;
    for (int i = 0; i < S.n; i++) {
      struct cand *c = &S.c[i];
      if (c->live || !tg__wf_is_lock_kind(c->kind) || c->forever)
        continue;
      if (lock_waiter_live(c)) {
        make_live(i);
        changed = true;
      }
    }
    if (!changed && S.nwork == 0)
      break;
  }

  /* Stuck: confirmed only if its wait did not change meanwhile and it was
   * stuck in the same wait on the previous pass too. */
  uint64_t cur[MAX_CANDS][2];
  int ncur = 0;
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    if (c->live)
      continue;
    bool same = false;
    if (c->w) {
      tg__lock_acquire(&c->w->mu);
      same = c->w->wait_seq == c->seq && c->w->id == c->id &&
             atomic_load(&c->g->status) == TG_G_WAITING;
      tg__lock_release(&c->w->mu);
    }
    bool before = false;
    for (int k = 0; k < S.nprev; k++)
      if (S.prev[k][0] == c->id && S.prev[k][1] == c->seq)
        before = true;
    if (same)
      cur[ncur][0] = c->id, cur[ncur][1] = c->seq, ncur++;
    if (!same || !before)
      c->live = true; /* not confirmed yet */
  }
  memcpy(S.prev, cur, (size_t)ncur * sizeof cur[0]);
  S.nprev = ncur;
  report_cycles();
}

/* ---- cycles among the stuck ------------------------------------------------ */

/* edge i -> j: j could complete i's wait (or holds i's lock). */
static bool *adj; /* S.n * S.n, monitor only */

static void tarjan(int v, int *index, int *stk, int *sp, int *nscc) {
  struct cand *c = &S.c[v];
  c->idx = c->low = (*index)++;
  stk[(*sp)++] = v;
  c->on_stack = true;
  for (int u = 0; u < S.n; u++) {
    if (!adj[v * S.n + u])
      continue;
    struct cand *d = &S.c[u];
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
      S.c[u].on_stack = false;
      S.c[u].scc = *nscc;
    } while (u != v);
    (*nscc)++;
  }
}

static bool stack_refers(struct cand *h, const struct cand *c) {
  if (!h->hi)
    return false;
  uintptr_t from = h->sp && h->sp >= h->lo ? h->sp : h->lo;
  for (uintptr_t a = from; a < h->hi;) {
    size_t n = h->hi - a < BUF_SIZE ? h->hi - a : BUF_SIZE;
    size_t got = read_mem(a, S.buf, n);
    if (got < 8)
      return false;
    const uintptr_t *w = (const uintptr_t *)S.buf;
    for (size_t i = 0; i < got / 8; i++)
      for (int k = 0; k < c->nres; k++)
        if (c->res_list[k] && c->res_list[k] - w[i] <= window_of(c->kind) &&
            w[i] <= c->res_list[k]) {
          /* its own sudogs name the channels it waits on: not a reference */
          uintptr_t at = a + i * 8;
          bool own = false;
          for (struct tg_sudog *sg = h->g->waiting; sg; sg = sg->waitlink)
            if (at >= (uintptr_t)sg && at < (uintptr_t)(sg + 1))
              own = true;
          if (!own)
            return true;
        }
    a += got & ~(size_t)7;
  }
  return false;
}

static bool holds_lock_of(struct cand *h, const struct cand *c) {
  if (!h->w || !tg__wf_is_lock_kind(c->kind))
    return false;
  bool yes = false;
  tg__lock_acquire(&h->w->mu);
  for (int i = 0; i < h->w->nheld; i++)
    if (h->w->held[i].lock == c->res)
      yes = true;
  tg__lock_release(&h->w->mu);
  return yes;
}

static void report_cycles(void) {
  int nstuck = 0;
  for (int i = 0; i < S.n; i++) {
    S.c[i].idx = -1;
    S.c[i].scc = -1;
    S.c[i].on_stack = false;
    if (!S.c[i].live)
      nstuck++;
  }
  if (nstuck < 2)
    return;
  adj = tg__wf_alloc((size_t)S.n * (size_t)S.n);
  for (int i = 0; i < S.n; i++) {
    if (S.c[i].live || S.c[i].forever)
      continue;
    for (int j = 0; j < S.n; j++) {
      if (i == j || S.c[j].live)
        continue;
      adj[i * S.n + j] = holds_lock_of(&S.c[j], &S.c[i]) ||
                         (ownerless(S.c[i].kind) && stack_refers(&S.c[j], &S.c[i]));
    }
  }
  int *stk = tg__wf_alloc((size_t)S.n * sizeof *stk);
  int index = 0, sp = 0, nscc = 0;
  for (int i = 0; i < S.n; i++)
    if (!S.c[i].live && S.c[i].idx < 0)
      tarjan(i, &index, stk, &sp, &nscc);

  for (int s = 0; s < nscc; s++) {
    int members[MAX_CANDS > 64 ? 64 : MAX_CANDS], nmem = 0;
    bool any_new = false, has_ownerless = false;
    for (int i = 0; i < S.n && nmem < 64; i++)
      if (!S.c[i].live && S.c[i].scc == s) {
        members[nmem++] = i;
        if (S.c[i].w && !S.c[i].w->reported)
          any_new = true;
        if (ownerless(S.c[i].kind))
          has_ownerless = true;
      }
    if (nmem < 2 || !any_new || !has_ownerless)
      continue; /* pure lock cycles are reported when they form (waitfor.c) */
    /* A cycle through the component: follow edges from the first member. */
    struct wf_hop hops[64];
    int order[64], n = 0, v = members[0];
    bool seen[64] = {0};
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
        if (adj[v * S.n + members[k]]) {
          next = members[k];
          if (!seen[k])
            break;
        }
      if (next < 0)
        break;
      v = next;
    }
    /* order may have a tail before the cycle: cut from the repeated node */
    int start = 0;
    for (int k = 0; k < n; k++)
      if (order[k] == v)
        start = k;
    int len = n - start;
    if (len < 2)
      continue;
    for (int k = 0; k < len; k++) {
      struct cand *c = &S.c[order[start + k]];
      struct cand *nx = &S.c[order[start + (k + 1) % len]];
      hops[k] = (struct wf_hop){
          .w = c->w,
          .res = c->kind == TG_RES_SELECT && c->nres == 1 ? (const void *)c->res_list[0] : c->res,
          .kind = c->kind == TG_RES_SELECT && c->nres == 1 ? TG_RES_CHAN : c->kind};
      (void)nx;
    }
    /* has_held: what hop k holds that hop k-1 waits for (locks only) */
    for (int k = 0; k < len; k++) {
      struct wf_hop *prev = &hops[(k + len - 1) % len];
      struct wf_g *w = hops[k].w;
      tg__lock_acquire(&w->mu);
      for (int i = w->nheld - 1; i >= 0; i--)
        if (w->held[i].lock == prev->res) {
          hops[k].held = w->held[i];
          hops[k].has_held = true;
          break;
        }
      tg__lock_release(&w->mu);
    }
    bool skip = false;
    for (int k = 0; k < len; k++)
      if (!hops[k].w)
        skip = true;
    if (skip)
      continue;
    tg__lock_acquire(&tg__wf_graph_lock);
    for (int k = 0; k < len; k++)
      hops[k].w->reported = true;
    tg__lock_release(&tg__wf_graph_lock);
    char why[200];
    snprintf(why, sizeof why,
             "%d goroutines wait for each other: each is blocked on a resource that only "
             "another of them could release or complete, and no running goroutine can reach it",
             len);
    tg__wf_report_deadlock(why, hops, len, true);
  }
  tg__wf_free(stk, (size_t)S.n * sizeof *stk);
  tg__wf_free(adj, (size_t)S.n * (size_t)S.n);
  adj = NULL;
}

/* ---- the monitor thread ---------------------------------------------------- */

static pthread_once_t monitor_once = PTHREAD_ONCE_INIT;
static _Atomic int kicks;
static _Atomic bool stopping;
static tg__lock pass_lock; /* one pass at a time (monitor or exit) */

static void sleep_ns(int64_t ns) {
  struct timespec ts = {ns / 1000000000, ns % 1000000000};
  nanosleep(&ts, NULL);
}

static void *monitor(void *arg) {
  (void)arg;
  pthread_attr_t at;
  if (pthread_getattr_np(pthread_self(), &at) == 0) {
    void *lo;
    size_t sz;
    pthread_attr_getstack(&at, &lo, &sz);
    S.self_lo = (uintptr_t)lo;
    S.self_hi = (uintptr_t)lo + sz;
    pthread_attr_destroy(&at);
  }
  int idle = 0;
  while (!atomic_load(&stopping)) {
    sleep_ns(PERIOD_NS);
    int k = atomic_exchange(&kicks, 0);
    if (k == 0 && S.nprev == 0 && ++idle > 2)
      continue; /* nothing new blocked and nothing pending confirmation */
    idle = 0;
    if (!tg__lock_try(&pass_lock))
      continue;
    int64_t t0 = tg__wf_now();
    if (gather(t0) > 0 || S.nprev > 0) {
      analyse();
      /* a pass costs; never spend more than a tenth of the time on it */
      int64_t took = tg__wf_now() - t0;
      tg__lock_release(&pass_lock);
      if (took * 10 > PERIOD_NS)
        sleep_ns(took * 9);
      atomic_fetch_add(&kicks, 1); /* confirm on the next pass */
    } else {
      S.nprev = 0;
      tg__lock_release(&pass_lock);
    }
  }
  return NULL;
}

static void monitor_start(void) {
  S.c = tg__wf_alloc(MAX_CANDS * sizeof *S.c);
  S.refs = tg__wf_alloc(MAX_CANDS * MAX_RES_PER * sizeof *S.refs);
  S.stacks = tg__wf_alloc(MAX_CANDS * sizeof *S.stacks);
  S.stack_cand = tg__wf_alloc(MAX_CANDS * sizeof *S.stack_cand);
  S.work = tg__wf_alloc(MAX_RANGES * 2 * sizeof *S.work);
  S.excl = tg__wf_alloc(MAX_RANGES * sizeof *S.excl);
  S.statics = tg__wf_alloc(512 * sizeof *S.statics);
  S.maps = tg__wf_alloc(MAX_RANGES * sizeof *S.maps);
  S.buf = tg__wf_alloc(BUF_SIZE);
  /* The scanner's own static state holds candidates' addresses. */
  tg__wf_scan_exclude(&S, sizeof S);
  pthread_t t;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &a, monitor, NULL) == 0)
    pthread_setname_np(t, "tangle-waitfor");
  pthread_attr_destroy(&a);
}

void tg__wf_monitor_kick(void) {
  pthread_once(&monitor_once, monitor_start);
  atomic_fetch_add_explicit(&kicks, 1, memory_order_relaxed);
}

void tg__wf_monitor_stop(void) {
  atomic_store(&stopping, true);
  /* wait for a pass in progress to end */
  tg__lock_acquire(&pass_lock);
  tg__lock_release(&pass_lock);
}

#endif
