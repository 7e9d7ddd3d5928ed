/* Partial deadlocks on resources nobody owns (race build only): channels,
 * selects, WaitGroups, Conds and weighted semaphores.
 *
 * A goroutine blocked on a channel can be woken by any goroutine that can
 * reach the channel. The monitor (a thread of its own, woken when such waits
 * begin) decides which blocked goroutines can never be woken the way Go's
 * GC-based goroutine leak detection does, with a conservative mark instead
 * of a precise GC:
 *
 *  - Candidates are goroutines parked for a while on a channel, a select
 *    with no timer armed, a WaitGroup, a Cond, a semaphore, or a lock.
 *    Every other goroutine (running, runnable, sleeping, on I/O, in a
 *    syscall) is live.
 *  - Roots: static data, the stacks of live goroutines and their start
 *    argument, and the threads' stacks. From there every word that points
 *    into a heap block (glibc's chunks, walked in the heap; mmapped blocks;
 *    other anonymous mappings as one block each) marks the block, and marked
 *    blocks are scanned in turn. Never scanned: goroutine structures and
 *    the runtime's waiter records of a candidate (the bookkeeping of the
 *    wait itself: they begin with the goroutine's address), the detectors'
 *    memory.
 *  - A candidate becomes live when a scanned word points to what it waits
 *    on (a channel or semaphore exactly; a WaitGroup or Cond, embedded in
 *    the program's structures, from up to 4 KiB below it), when the resource
 *    lies in static data or on a live stack, or, for a lock, when its holders
 *    are live (waitfor.c's rules). Its stack then becomes a root, and so on
 *    to a fixed point. A word pointing into a candidate's stack (a structure
 *    on it handed to another goroutine) makes that stack live from there up.
 *  - What is left can never be woken: nothing live can reach what it waits
 *    for. It must stay so on two passes in a row with its wait unchanged.
 *    Those that wait for each other (one's reachable memory refers to the
 *    other's resource, or it holds the other's lock) form the cycles
 *    reported as deadlocks; the others are leaks, reported at exit.
 *
 * Conservative scanning finds too many references (fewer reports), never
 * too few; the exceptions are a pointer held only in a running goroutine's
 * registers, or hidden (XOR-ed, compressed): hence the second pass. If the
 * heap cannot be walked consistently (it changed under the walk), the pass
 * gives up and reports nothing. */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include "race_state.h"

#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define MIN_WAIT_NS (50 * TG_MILLISECOND) /* a wait younger than this is live */
#define PERIOD_NS   (60 * TG_MILLISECOND)
#define WINDOW      4096 /* how far below an embedded resource a pointer may be */
#define MAX_CANDS   4096
#define MAX_RES_PER 8
#define MAX_RANGES  16384
#define MAX_OBJS    (1 << 21)
#define BUF_SIZE    (256 << 10)

/* One arena for every thread: the heap is then one walkable run of chunks.
 * At start-up, before goroutines run on threads of their own. */
__attribute__((constructor(101))) static void one_arena(void) {
  mallopt(M_ARENA_MAX, 1);
}

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
  uintptr_t arg;
  uintptr_t scan_from; /* lowest address of it already scanned (hi: none) */
  bool live;
  int scc, low, idx; /* Tarjan */
  bool on_stack;
};

struct rref {
  uintptr_t addr;
  uint32_t window;
  bool embedded; /* a WaitGroup or Cond: part of a program structure */
  int cand;
};

struct range {
  uintptr_t lo, hi;
};

struct region {
  uintptr_t lo, hi;
  bool rw, anon, heap, stack, guard_below;
};

/* The monitor's working state, owned by whoever holds pass_lock (the
 * monitor thread); memory from the detector's arena. */
static struct {
  struct cand *c;
  int n, nownerless;
  struct rref *refs;
  int nrefs;
  struct range *stacks; /* candidates' stacks, sorted by lo */
  int *stack_cand;
  int nstacks;
  struct range *work;
  int nwork;
  bool overflow; /* the worklist filled up: the pass is not trustworthy */
  struct range *excl;
  int nexcl;
  struct range *statics;
  int nstatics;
  struct range libdata[64]; /* static data that is not a root (not_a_root) */
  int nlibdata;
  struct region *maps;
  int nmaps;
  struct range *objs; /* heap blocks, sorted */
  uint8_t *mark;      /* per block: 1 marked by the live roots, 2 by a probe */
  int nobjs;
  char *buf;
  uintptr_t self_lo, self_hi; /* the monitor thread's stack */
  /* confirmed-stuck (id, seq) of the previous pass */
  uint64_t prev[MAX_CANDS][2];
  int nprev;
  /* probe mode (edges between stuck goroutines) */
  bool probing;
  int probe_hits[MAX_CANDS];
  int nprobe_hits;
} S;

/* ---- reading the program's memory without faulting ----------------------- */

static size_t read_mem(uintptr_t addr, void *dst, size_t n) {
  struct iovec l = {dst, n}, r = {(void *)addr, n};
  ssize_t got = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
  return got > 0 ? (size_t)got : 0;
}

static bool read_words(uintptr_t addr, uintptr_t *out, int n) {
  return read_mem(addr, out, (size_t)n * sizeof *out) == (size_t)n * sizeof *out;
}

/* ---- ranges -------------------------------------------------------------- */

static int range_cmp(const void *a, const void *b) {
  const struct range *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static void push_work(uintptr_t lo, uintptr_t hi) {
  lo = (lo + 7) & ~(uintptr_t)7;
  if (lo >= hi)
    return;
  if (S.nwork == MAX_RANGES * 4) {
    S.overflow = true;
    return;
  }
  S.work[S.nwork++] = (struct range){lo, hi};
}

/* Pushes [lo, hi) minus the excluded ranges (sorted, disjoint). */
static void push_minus_excluded(uintptr_t lo, uintptr_t hi) {
  int a = 0, b = S.nexcl;
  while (a < b) {
    int m = (a + b) / 2;
    if (S.excl[m].hi <= lo)
      a = m + 1;
    else
      b = m;
  }
  for (int i = a; i < S.nexcl && S.excl[i].lo < hi; i++) {
    if (S.excl[i].lo > lo)
      push_work(lo, S.excl[i].lo);
    if (S.excl[i].hi > lo)
      lo = S.excl[i].hi;
  }
  if (lo < hi)
    push_work(lo, hi);
}

/* Libraries whose static data is not a root: the C library (its malloc
 * arena's bins lead to free chunks holding what freed structures pointed
 * to) and the detectors' own dependencies (symbolizer, unwinder). A
 * program does not keep the only reference to a channel there. */
static bool not_a_root(const char *name) {
  static const char *const libs[] = {"/libc.so", "/libdw.so",   "/libelf.so", "/libunwind",
                                     "/libz.so", "/liblzma.so", "/libbz2.so", "/libzstd.so"};
  for (size_t i = 0; name && i < sizeof libs / sizeof libs[0]; i++)
    if (strstr(name, libs[i]))
      return true;
  return false;
}

static int static_cb(struct dl_phdr_info *info, size_t size, void *ctx) {
  (void)size, (void)ctx;
  bool skip = not_a_root(info->dlpi_name);
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
      continue;
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    /* whole pages: the segment's end shares its last page with .bss */
    uintptr_t hi = (lo + ph->p_memsz + 4095) & ~(uintptr_t)4095;
    if (skip && S.nlibdata < 64)
      S.libdata[S.nlibdata++] = (struct range){lo, hi};
    else if (!skip && S.nstatics < 512)
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

/* The process's mappings (from /proc/self/maps). */
static int read_maps(struct region *out, int max, struct range *main_stack) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  static char text[1 << 20]; /* the pass's (under pass_lock) */
  size_t n = 0;
  ssize_t k;
  while (n < sizeof text - 1 && (k = read(fd, text + n, sizeof text - 1 - n)) > 0)
    n += (size_t)k;
  close(fd);
  text[n] = 0;
  int nr = 0;
  bool prev_guard = false;
  uintptr_t prev_hi = 0;
  for (char *line = text; line && *line;) {
    char *next = strchr(line, '\n');
    if (next)
      *next++ = 0;
    unsigned long lo, hi, off;
    char perms[8] = {0};
    char path[256] = {0};
    if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %255[^\n]", &lo, &hi, perms, &off, path) >= 4) {
      bool rw = perms[0] == 'r' && perms[1] == 'w';
      bool none = perms[0] == '-' && perms[1] == '-';
      if (strcmp(path, "[stack]") == 0)
        *main_stack = (struct range){lo, hi};
      if (nr < max &&
          (path[0] == 0 || !strcmp(path, "[heap]") || !strcmp(path, "[stack]") || path[0] == '/')) {
        out[nr++] = (struct region){.lo = lo,
                                    .hi = hi,
                                    .rw = rw,
                                    .anon = path[0] == 0,
                                    .heap = !strcmp(path, "[heap]"),
                                    .stack = !strcmp(path, "[stack]"),
                                    .guard_below = prev_guard && prev_hi == lo};
      }
      prev_guard = none && hi - lo <= (1ul << 20);
      prev_hi = hi;
    }
    line = next;
  }
  return nr;
}

/* ---- heap blocks ----------------------------------------------------------- */

static void add_obj(uintptr_t lo, uintptr_t hi) {
  if (S.nobjs < MAX_OBJS && lo < hi)
    S.objs[S.nobjs++] = (struct range){lo, hi};
}

/* The value glibc writes into the second word of a chunk it puts in a
 * thread's cache (tcache_key, random per process; 0 if unknown): read from
 * a chunk freed for the purpose at start-up. */
static uintptr_t tcache_key;

static void learn_tcache_key(void) {
  void *p = __libc_malloc(40);
  if (!p)
    return;
  __libc_free(p);
  uintptr_t w[2];
  if (read_words((uintptr_t)p, w, 2) && w[1] > 4096)
    tcache_key = w[1];
}

/* glibc's main arena is one run of chunks from the heap's start: a chunk is
 * [prev_size, size | flags] and its user bytes (up to and including the
 * next chunk's prev_size word); the next starts size bytes on. Free chunks
 * are not blocks: they keep the stale contents of what they held (a freed
 * structure that pointed to a channel), and the arena's bins lead to them.
 * A chunk is free when the next one's PREV_INUSE bit is clear (the bins),
 * or when its second word is the tcache key (a thread's cache); fastbin
 * chunks look in use and stay blocks (conservative). Any inconsistency (the
 * heap changed under the walk) fails the walk. */
static bool walk_heap(uintptr_t lo, uintptr_t hi) {
  uintptr_t win_lo = 0, win_hi = 0;
  uintptr_t p = lo;
  int prev_obj = -1; /* the block the previous chunk became, if any */
  while (p + 16 <= hi) {
    if (p + 32 > win_hi || p < win_lo) {
      size_t want = hi - p < BUF_SIZE ? hi - p : BUF_SIZE;
      size_t got = read_mem(p, S.buf, want);
      if (got < 16)
        return false;
      win_lo = p;
      win_hi = p + (got & ~(size_t)7);
    }
    const uintptr_t *hdr = (const uintptr_t *)(S.buf + (p - win_lo));
    uintptr_t size = hdr[1] & ~(uintptr_t)7;
    if (size < 32 || (size & 15))
      return false;
    if (!(hdr[1] & 1) && prev_obj >= 0 && prev_obj == S.nobjs - 1)
      S.nobjs--; /* the previous chunk is free */
    prev_obj = -1;
    if (p + size > hi) { /* the top chunk, read while the heap grew */
      add_obj(p + 16, hi);
      return true;
    }
    bool cached = tcache_key && p + 32 <= win_hi && hdr[3] == tcache_key;
    /* an in-use chunk's bytes run into the next chunk's prev_size field */
    if (!cached) {
      add_obj(p + 16, p + size + 8 <= hi ? p + size + 8 : hi);
      prev_obj = S.nobjs - 1;
    }
    p += size;
  }
  return true;
}

static int obj_of(uintptr_t v) {
  int a = 0, b = S.nobjs;
  while (a < b) {
    int m = (a + b) / 2;
    if (S.objs[m].hi <= v)
      a = m + 1;
    else
      b = m;
  }
  return a < S.nobjs && v >= S.objs[a].lo ? a : -1;
}

/* ---- candidates ---------------------------------------------------------- */

static bool ownerless(int kind) {
  return kind == TG_RES_CHAN || kind == TG_RES_SELECT || kind == TG_RES_WAITGROUP ||
         kind == TG_RES_COND || kind == TG_RES_SEM;
}

static uint32_t window_of(int kind) {
  return kind == TG_RES_WAITGROUP || kind == TG_RES_COND ? WINDOW : 0;
}

/* Snapshot of the goroutines. Returns the number of owner-less candidates
 * (the ones worth a pass). */
static int gather(int64_t now) {
  S.n = 0;
  S.nownerless = 0;
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
    c->arg = (uintptr_t)g->arg;
    if (g->stack_lo) {
      c->lo = (uintptr_t)g->stack_lo;
      c->hi = (uintptr_t)g->stack_hi;
    }
    c->sp = st == TG_G_WAITING || st == TG_G_RUNNABLE ? (uintptr_t)g->sp : 0;
    struct wf_wait t;
    uint64_t wseq;
    if (w && st == TG_G_WAITING && tg__wf_top_wait_of(w, &t, &wseq) &&
        (ownerless(t.kind) || tg__wf_is_lock_kind(t.kind)) && now - t.since >= MIN_WAIT_NS) {
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
      if (!c->live && ownerless(c->kind))
        S.nownerless++;
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

static void hit_cand(int i);

/* TANGLE_WF_DEBUG=1: why each candidate was found live (the monitor's). */
static int dbg; /* 1: decisions, 2: every block marked */
static uintptr_t dbg_at, dbg_lo, dbg_hi;
static void make_live(int i) {
  struct cand *c = &S.c[i];
  if (c->live)
    return;
  if (dbg)
    fprintf(stderr, "tangle-waitfor: goroutine %llu live: word at %#lx in [%#lx, %#lx)\n",
            (unsigned long long)c->id, dbg_at, dbg_lo, dbg_hi);
  c->live = true;
  if (c->hi) {
    uintptr_t from = c->sp ? c->sp : c->lo;
    if (from < c->scan_from) {
      push_work(from, c->scan_from);
      c->scan_from = from;
    }
  }
}

static void hit_cand(int i) {
  if (!S.probing) {
    make_live(i);
  } else if (S.nprobe_hits < MAX_CANDS) {
    S.probe_hits[S.nprobe_hits++] = i;
  }
}

/* Resources embedded in [lo, hi) (now scanned memory) are reachable:
 * WaitGroups and Conds live inside the program's structures. Channels and
 * semaphores are the runtime's own objects, reached only through a pointer
 * to them (an interior pointer, such as a buffer slot's address kept by the
 * race detector, does not let anyone operate on the channel). */
static void live_span(uintptr_t lo, uintptr_t hi) {
  for (int k = refs_lower(lo); k < S.nrefs && S.refs[k].addr < hi; k++)
    if (S.refs[k].embedded)
      hit_cand(S.refs[k].cand);
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

static void scan_word(uintptr_t v) {
  for (int k = refs_lower(v); k < S.nrefs && S.refs[k].addr - v <= WINDOW; k++)
    if (S.refs[k].addr - v <= S.refs[k].window)
      hit_cand(S.refs[k].cand);
  int o = obj_of(v);
  if (o >= 0) {
    uint8_t bit = S.probing ? 2 : 1;
    if (!(S.mark[o] & (1 | bit))) {
      if (dbg > 1 && !S.probing)
        fprintf(stderr, "tangle-waitfor: block %#lx-%#lx marked by word at %#lx in [%#lx, %#lx)\n",
                S.objs[o].lo, S.objs[o].hi, dbg_at, dbg_lo, dbg_hi);
      S.mark[o] |= bit;
      push_minus_excluded(S.objs[o].lo, S.objs[o].hi);
    }
    return;
  }
  int s = stack_of(v);
  if (s < 0 || S.probing)
    return;
  struct cand *c = &S.c[S.stack_cand[s]];
  if (c->live || v >= c->scan_from)
    return;
  /* The runtime's waiter records (sudogs, semaphore and Cond waiters) hold
   * the waiting goroutine in their first words: the queues that point to
   * them are the wait's own bookkeeping, not a way to the goroutine's data. */
  uintptr_t head[2];
  if (read_words(v & ~(uintptr_t)7, head, 2) &&
      (head[0] == (uintptr_t)c->g || head[1] == (uintptr_t)c->g))
    return;
  uintptr_t from = v & ~(uintptr_t)7;
  push_work(from, c->scan_from);
  c->scan_from = from;
}

static void scan_words(uintptr_t lo, uintptr_t hi) {
  while (lo < hi) {
    size_t n = hi - lo < BUF_SIZE ? hi - lo : BUF_SIZE;
    size_t got = read_mem(lo, S.buf, n);
    if (got < 8) {
      lo = (lo + 4096) & ~(uintptr_t)4095; /* an unreadable page: skip it */
      continue;
    }
    /* scan_word may reuse S.buf (waiter records): copy the words first */
    size_t nw = got / 8;
    uintptr_t words[512];
    for (size_t i = 0; i < nw; i += 512) {
      size_t m = nw - i < 512 ? nw - i : 512;
      memcpy(words, S.buf + i * 8, m * 8);
      for (size_t j = 0; j < m; j++) {
        dbg_at = lo + (i + j) * 8;
        scan_word(words[j]);
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
  while (lo < hi) {
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

static void drain(void) {
  while (S.nwork > 0) {
    struct range r = S.work[--S.nwork];
    if (dbg && r.hi - r.lo >= (256 << 10))
      fprintf(stderr, "tangle-waitfor: scanning %#lx-%#lx (%lu KiB)%s\n", r.lo, r.hi,
              (r.hi - r.lo) >> 10, S.probing ? " (probe)" : "");
    dbg_lo = r.lo;
    dbg_hi = r.hi;
    dbg_at = 0;
    live_span(r.lo, r.hi);
    scan_range(r.lo, r.hi);
  }
}

/* ---- one pass -------------------------------------------------------------- */

static void add_excl(uintptr_t lo, uintptr_t hi) {
  if (S.nexcl < MAX_RANGES && lo < hi)
    S.excl[S.nexcl++] = (struct range){lo, hi};
}

static void sort_merge(struct range *r, int *n) {
  qsort(r, (size_t)*n, sizeof *r, range_cmp);
  int k = 0;
  for (int i = 0; i < *n; i++) {
    if (k && r[i].lo <= r[k - 1].hi) {
      if (r[i].hi > r[k - 1].hi)
        r[k - 1].hi = r[i].hi;
    } else {
      r[k++] = r[i];
    }
  }
  *n = k;
}

static int rref_cmp(const void *a, const void *b) {
  const struct rref *x = a, *y = b;
  return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void report_cycles(void);

/* Only locks are waited for: the holders decide, no memory to scan. */
static void analyse_locks(void) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (int i = 0; i < S.n; i++) {
      struct cand *c = &S.c[i];
      if (!c->live && !c->forever && lock_waiter_live(c)) {
        c->live = true;
        changed = true;
      }
    }
  }
}

/* Returns false when the pass cannot be trusted (nothing is concluded). */
static bool analyse(void) {
  if (S.nownerless == 0) {
    analyse_locks();
    return true;
  }
  struct tg_g *mg = tg__main_g();
  struct range main_stack = {0, 0};
  S.nmaps = read_maps(S.maps, MAX_RANGES, &main_stack);
  for (int i = 0; i < S.n; i++)
    if (S.c[i].g == mg && !S.c[i].hi) {
      S.c[i].lo = main_stack.lo;
      S.c[i].hi = main_stack.hi;
    }
  S.nstatics = 0;
  S.nlibdata = 0;
  dl_iterate_phdr(static_cb, NULL);

  /* Never scanned: goroutine stacks (scanned as goroutines), goroutine
   * structures, candidates' waiter records, detector memory. */
  S.nexcl = 0;
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    if (c->hi)
      add_excl(c->lo, c->hi);
    add_excl((uintptr_t)c->g, (uintptr_t)c->g + sizeof(struct tg_g));
    if (!c->live)
      for (struct tg_sudog *sg = c->g->waiting; sg; sg = sg->waitlink)
        add_excl((uintptr_t)sg, (uintptr_t)sg + sizeof *sg);
  }
  tg__lock_acquire(&tg__sched.allg_lock);
  for (struct tg_g *g = tg__sched.allg; g; g = g->all_next)
    add_excl((uintptr_t)g, (uintptr_t)g + sizeof *g);
  tg__lock_release(&tg__sched.allg_lock);
  /* Threads' scheduler state keeps the last lock a goroutine parked with
   * (a channel's) and other stale runtime pointers. */
  for (struct tg_m *m = tg__sched.allm; m; m = m->all_next)
    add_excl((uintptr_t)m, (uintptr_t)m + sizeof *m);
  uintptr_t(*mr)[2] = (void *)S.buf;
  int nm = tg__wf_mem_ranges(mr, BUF_SIZE / 16);
  for (int i = 0; i < nm; i++)
    add_excl(mr[i][0], mr[i][1]);
  tg__lock_acquire(&excl_lock);
  for (int i = 0; i < nexcluded; i++)
    add_excl(excluded[i][0], excluded[i][1]);
  tg__lock_release(&excl_lock);
  add_excl(S.self_lo, S.self_hi);
  for (int i = 0; i < S.nlibdata; i++)
    add_excl(S.libdata[i].lo, S.libdata[i].hi);
  /* Goroutine stacks come from slabs that also hold the stacks of finished
   * goroutines, with their stale frames: a slab is never scanned as memory,
   * only its live goroutines' stacks are, as goroutines. */
  for (int i = 0; i < S.nmaps; i++) {
    struct region *m = &S.maps[i];
    if (!m->anon || m->stack)
      continue;
    for (int k = 0; k < S.n; k++)
      if (S.c[k].hi && S.c[k].lo >= m->lo && S.c[k].hi <= m->hi && S.c[k].g != mg) {
        add_excl(m->lo, m->hi);
        break;
      }
  }
  sort_merge(S.excl, &S.nexcl);

  /* Heap blocks; roots. */
  S.nobjs = 0;
  S.nwork = 0;
  S.overflow = false;
  for (int i = 0; i < S.nmaps; i++) {
    struct region *m = &S.maps[i];
    if (!m->rw || m->stack)
      continue;
    if (m->heap) {
      if (!walk_heap(m->lo, m->hi)) {
        if (dbg)
          fprintf(stderr, "tangle-waitfor: heap walk failed\n");
        return false;
      }
      continue;
    }
    bool is_static =
        in_ranges(S.statics, S.nstatics, m->lo) || in_ranges(S.statics, S.nstatics, m->hi - 1);
    if (is_static)
      continue; /* pushed below, from the program headers */
    if (!m->anon) {
      push_minus_excluded(m->lo, m->hi);
      continue;
    }
    if (m->hi - m->lo > (1ul << 32))
      continue; /* a reserved giant (a detector's shadow) */
    uintptr_t head[2];
    if (read_words(m->lo, head, 2) && (head[1] & 2) && head[0] < 4096 &&
        m->lo + head[0] + (head[1] & ~(uintptr_t)7) <= m->hi) {
      add_obj(m->lo + head[0] + 16, m->lo + head[0] + (head[1] & ~(uintptr_t)7));
      continue; /* glibc's mmapped chunk */
    }
    if (dbg)
      fprintf(stderr, "tangle-waitfor: mapping %#lx-%#lx: %s\n", m->lo, m->hi,
              m->guard_below ? "thread stack (root)" : "block");
    if (m->guard_below)
      push_minus_excluded(m->lo, m->hi); /* a thread's stack */
    else
      add_obj(m->lo, m->hi);
  }
  for (int i = 0; i < S.nstatics; i++)
    push_minus_excluded(S.statics[i].lo, S.statics[i].hi);
  sort_merge(S.objs, &S.nobjs);
  memset(S.mark, 0, (size_t)S.nobjs);

  /* Interesting values: the candidates' resources and stacks. */
  S.nrefs = 0;
  S.nstacks = 0;
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    c->scan_from = c->hi;
    if (c->live)
      continue;
    for (int k = 0; k < c->nres && S.nrefs < MAX_CANDS * MAX_RES_PER; k++)
      if (c->res_list[k])
        S.refs[S.nrefs++] =
            (struct rref){c->res_list[k], window_of(c->kind), window_of(c->kind) != 0, i};
    if (c->hi) {
      S.stacks[S.nstacks] = (struct range){c->lo, c->hi};
      S.stack_cand[S.nstacks] = i;
      S.nstacks++;
    }
  }
  /* A resource inside a heap block is reached when its block is: the block
   * marking covers interior pointers exactly, the window is for resources
   * of unknown extent (a structure on a stack). */
  for (int k = 0; k < S.nrefs; k++)
    if (S.refs[k].window && obj_of(S.refs[k].addr) >= 0)
      S.refs[k].window = 0;
  qsort(S.refs, (size_t)S.nrefs, sizeof *S.refs, rref_cmp);
  for (int i = 1; i < S.nstacks; i++)
    for (int j = i; j > 0 && S.stacks[j].lo < S.stacks[j - 1].lo; j--) {
      struct range t = S.stacks[j];
      S.stacks[j] = S.stacks[j - 1];
      S.stacks[j - 1] = t;
      int ti = S.stack_cand[j];
      S.stack_cand[j] = S.stack_cand[j - 1];
      S.stack_cand[j - 1] = ti;
    }

  /* Resources in static data are reached by code: live. */
  for (int k = 0; k < S.nrefs; k++)
    if (in_ranges(S.statics, S.nstatics, S.refs[k].addr))
      S.c[S.refs[k].cand].live = true;
  for (int i = 0; i < S.n; i++)
    if (S.c[i].forever)
      S.c[i].live = false;

  for (int i = 0; dbg && i < S.n; i++)
    fprintf(stderr, "tangle-waitfor: goroutine %llu %s, stack %#lx-%#lx, sp %#lx\n",
            (unsigned long long)S.c[i].id, S.c[i].live ? "live" : "candidate", S.c[i].lo, S.c[i].hi,
            S.c[i].sp);
  /* Live goroutines: their stacks and their start argument. */
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    if (!c->live)
      continue;
    scan_word(c->arg);
    if (c->hi) {
      uintptr_t from = c->sp && c->sp >= c->lo && c->sp < c->hi ? c->sp : c->lo;
      push_work(from, c->hi);
      c->scan_from = from;
    }
  }

  /* Fixed point: scan, then let lock waiters follow their holders. */
  for (;;) {
    drain();
    bool changed = false;
    for (int i = 0; i < S.n; i++) {
      struct cand *c = &S.c[i];
      if (c->live || !tg__wf_is_lock_kind(c->kind) || c->forever)
        continue;
      if (lock_waiter_live(c)) {
        make_live(i);
        scan_word(c->arg);
        changed = true;
      }
    }
    /* a candidate made live by a scanned word: its argument counts too */
    for (int i = 0; i < S.n; i++)
      if (S.c[i].live && S.c[i].scan_from < S.c[i].hi)
        scan_word(S.c[i].arg);
    if (!changed && S.nwork == 0)
      break;
  }
  return !S.overflow;
}

/* Stuck: confirmed only if its wait did not change meanwhile and it was
 * stuck in the same wait on the previous pass too. */
static void confirm(void) {
  static uint64_t cur[MAX_CANDS][2];
  int ncur = 0;
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
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
    for (int k = 0; k < S.nprev; k++)
      if (S.prev[k][0] == c->id && S.prev[k][1] == c->seq)
        before = true;
    if (same) {
      cur[ncur][0] = c->id;
      cur[ncur][1] = c->seq;
      ncur++;
    }
    if (!same || !before)
      c->live = true; /* not confirmed yet */
  }
  memcpy(S.prev, cur, (size_t)ncur * sizeof cur[0]);
  S.nprev = ncur;
}

/* ---- cycles among the stuck ------------------------------------------------ */

/* adj[i * n + j]: j could complete i's wait (its memory refers to i's
 * resource), or holds i's lock. Monitor only. */
static bool *adj;

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

/* The stuck resources reachable from h's stack and argument (through
 * memory the live roots did not reach). */
static void probe(struct cand *h) {
  S.probing = true;
  S.nprobe_hits = 0;
  for (int i = 0; i < S.nobjs; i++)
    S.mark[i] &= 1;
  S.nwork = 0;
  scan_word(h->arg);
  if (h->hi) {
    uintptr_t from = h->sp && h->sp >= h->lo && h->sp < h->hi ? h->sp : h->lo;
    /* its own waiter records name what it waits on: skip the runtime's
     * frames below the user's (they hold the channel as an argument) */
    for (struct tg_sudog *sg = h->g->waiting; sg; sg = sg->waitlink)
      if ((uintptr_t)sg >= from && (uintptr_t)(sg + 1) <= h->hi)
        from = (uintptr_t)(sg + 1);
    push_work(from, h->hi);
  }
  drain();
  S.probing = false;
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
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    if (c->live || !c->w || c->w->reported || !tg__wf_is_lock_kind(c->kind) ||
        c->kind == TG_RES_SEM)
      continue;
    tg__lock *sl = tg__wf_res_lock(c->res);
    tg__lock_acquire(sl);
    struct wf_res *r = tg__wf_res(c->res, c->kind, false);
    struct wf_g *h = r ? atomic_load(&r->writer) : NULL;
    if (r && !h && r->nreaders)
      h = r->readers[0].w;
    tg__lock_release(sl);
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
  for (int i = 0; i < S.n; i++) {
    struct cand *c = &S.c[i];
    if (c->live || !c->w || c->w->reported || !ownerless(c->kind))
      continue;
    bool one_chan = c->kind == TG_RES_SELECT && c->nres == 1;
    const void *res = one_chan ? (const void *)c->res_list[0] : c->res;
    int kind = one_chan ? TG_RES_CHAN : c->kind;
    struct wf_hop hops[64];
    int n = 0;
    tg__lock_acquire(&tg__wf_graph_lock);
    for (int j = i; j < S.n && n < 64; j++) {
      struct cand *o = &S.c[j];
      if (o->live || !o->w || o->w->reported || !ownerless(o->kind))
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

static void report_cycles(void) {
  report_exited_holders();
  int nstuck = 0;
  for (int i = 0; i < S.n; i++) {
    S.c[i].idx = -1;
    S.c[i].scc = -1;
    S.c[i].on_stack = false;
    if (!S.c[i].live)
      nstuck++;
  }
  if (dbg)
    fprintf(stderr, "tangle-waitfor: %d stuck\n", nstuck);
  if (nstuck < 2) {
    report_unreachable();
    return;
  }
  adj = tg__wf_alloc((size_t)S.n * (size_t)S.n);
  for (int j = 0; j < S.n; j++) {
    if (S.c[j].live)
      continue;
    probe(&S.c[j]);
    for (int k = 0; k < S.nprobe_hits; k++) {
      int i = S.probe_hits[k];
      if (dbg)
        fprintf(stderr, "tangle-waitfor: goroutine %llu reaches goroutine %llu's resource\n",
                (unsigned long long)S.c[j].id, (unsigned long long)S.c[i].id);
      if (i != j && !S.c[i].live && ownerless(S.c[i].kind))
        adj[i * S.n + j] = true;
    }
    for (int i = 0; i < S.n; i++)
      if (i != j && !S.c[i].live && holds_lock_of(&S.c[j], &S.c[i]))
        adj[i * S.n + j] = true;
  }
  int *stk = tg__wf_alloc((size_t)S.n * sizeof *stk);
  int index = 0, sp = 0, nscc = 0;
  for (int i = 0; i < S.n; i++)
    if (!S.c[i].live && S.c[i].idx < 0)
      tarjan(i, &index, stk, &sp, &nscc);

  for (int s = 0; s < nscc; s++) {
    int members[64], nmem = 0;
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
        if (adj[v * S.n + members[k]]) {
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
      struct cand *c = &S.c[order[start + k]];
      bool one_chan = c->kind == TG_RES_SELECT && c->nres == 1;
      hops[k] = (struct wf_hop){.w = c->w,
                                .res = one_chan ? (const void *)c->res_list[0] : c->res,
                                .kind = one_chan ? TG_RES_CHAN : c->kind,
                                .ownerless = ownerless(c->kind)};
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
  tg__wf_free(stk, (size_t)S.n * sizeof *stk);
  tg__wf_free(adj, (size_t)S.n * (size_t)S.n);
  adj = NULL;
  report_unreachable();
}

/* ---- the monitor thread ---------------------------------------------------- */

static pthread_once_t monitor_once = PTHREAD_ONCE_INIT;
static _Atomic int kicks;
static _Atomic bool stopping;
static tg__lock pass_lock; /* one pass at a time */

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
  /* The same goroutines in the same waits, found live again: look less
   * often (a main goroutine waiting on a WaitGroup for busy workers must not
   * cost a scan every period). */
  uint64_t last_sig = 0;
  int64_t backoff = PERIOD_NS, next_pass = 0;
  while (!atomic_load(&stopping)) {
    sleep_ns(PERIOD_NS);
    int k = atomic_exchange(&kicks, 0);
    if (k == 0 && S.nprev == 0 && ++idle > 2)
      continue; /* nothing new blocked and nothing pending confirmation */
    idle = 0;
    if (!tg__lock_try(&pass_lock))
      continue;
    int64_t t0 = tg__wf_now();
    if (atomic_load(&stopping) || gather(t0) == 0) {
      S.nprev = 0;
      tg__lock_release(&pass_lock);
      continue;
    }
    uint64_t sig = 0;
    for (int i = 0; i < S.n; i++)
      if (!S.c[i].live)
        sig += (S.c[i].id * 0x9E3779B97F4A7C15ull) ^ S.c[i].seq;
    if (sig == last_sig && S.nprev == 0 && t0 < next_pass) {
      tg__lock_release(&pass_lock);
      atomic_fetch_add(&kicks, 1);
      continue;
    }
    if (analyse()) {
      confirm();
      report_cycles();
    } else {
      S.nprev = 0;
    }
    int64_t took = tg__wf_now() - t0;
    if (dbg)
      fprintf(stderr, "tangle-waitfor: pass of %d goroutines, %d blocks: %lld us\n", S.n, S.nobjs,
              (long long)(took / 1000));
    bool pending = S.nprev > 0;
    tg__lock_release(&pass_lock);
    if (sig == last_sig && !pending)
      backoff = backoff * 2 < 2 * TG_SECOND ? backoff * 2 : 2 * TG_SECOND;
    else
      backoff = PERIOD_NS;
    last_sig = sig;
    next_pass = tg__wf_now() + backoff;
    /* a pass costs: never spend more than a tenth of the time on it */
    if (took * 10 > PERIOD_NS)
      sleep_ns(took * 9);
    atomic_fetch_add(&kicks, 1); /* look again (confirm, or watch the same waits) */
  }
  return NULL;
}

static void monitor_start(void) {
  S.c = tg__wf_alloc(MAX_CANDS * sizeof *S.c);
  S.refs = tg__wf_alloc(MAX_CANDS * MAX_RES_PER * sizeof *S.refs);
  S.stacks = tg__wf_alloc(MAX_CANDS * sizeof *S.stacks);
  S.stack_cand = tg__wf_alloc(MAX_CANDS * sizeof *S.stack_cand);
  S.work = tg__wf_alloc(MAX_RANGES * 4 * sizeof *S.work);
  S.excl = tg__wf_alloc(MAX_RANGES * sizeof *S.excl);
  S.statics = tg__wf_alloc(512 * sizeof *S.statics);
  S.maps = tg__wf_alloc(MAX_RANGES * sizeof *S.maps);
  S.objs = tg__wf_alloc(MAX_OBJS * sizeof *S.objs);
  S.mark = tg__wf_alloc(MAX_OBJS);
  S.buf = tg__wf_alloc(BUF_SIZE);
  learn_tcache_key();
  const char *d = getenv("TANGLE_WF_DEBUG");
  dbg = d ? atoi(d) : 0;
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
  /* one pending kick is enough: no shared write on a hot wait path */
  if (!atomic_load_explicit(&kicks, memory_order_relaxed))
    atomic_store_explicit(&kicks, 1, memory_order_relaxed);
}

void tg__wf_monitor_stop(void) {
  atomic_store(&stopping, true);
  /* wait for a pass in progress to end */
  tg__lock_acquire(&pass_lock);
  tg__lock_release(&pass_lock);
}

#endif
