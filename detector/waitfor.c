/* The wait-for graph (race build only): the runtime's wait and lock hooks
 * (detector/hooks.h), the goroutine and lock nodes, and the check made when
 * a goroutine starts waiting for a lock: does the new edge close a cycle of
 * goroutines each waiting for a lock the next one holds?
 *
 * Cost model: acquiring and releasing a lock (the uncontended fast path)
 * touches the goroutine's own node (no atomic read-modify-write: its lists
 * are written under a sequence lock only it writes), one lock-free lookup of
 * the lock's record and, for an exclusive lock, one atomic store of its
 * holder, for a shared one (a read lock, semaphore units) a CAS on the
 * goroutine's own slot of the record; timestamps come from the TSC. The
 * cycle search runs only when a goroutine is about to park on a lock, the
 * slow path anyway. Waits on channels, WaitGroups and Conds are left to the
 * monitor (waitfor_scan.c). */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include "race_state.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void tg__wf_explain_global_deadlock(int fd);

/* The runtime reaches the leak check and the global deadlock explanation
 * through weak references, which do not pull members out of a static
 * library: this table does, since the hooks always link waitfor.o. */
__attribute__((used)) static void *const link_anchor[] = {
    (void *)tg__wf_explain_global_deadlock,
    (void *)tg__wf_report_leaks,
    (void *)tg__wf_check_leaks_at_exit,
};

tg__lock tg__wf_graph_lock;
/* Every node ever made, under tg__wf_all_lock (nodes are reused in place,
 * never freed, so readers of a stale pointer read a valid node). */
tg__lock tg__wf_all_lock;
struct wf_g *tg__wf_all;

#define RES_BITS    13
#define RES_BUCKETS (1u << RES_BITS)
#define RES_SHARDS  64

/* The lock table, owned by this file: bucket b's chain is extended under
 * res_locks[b % RES_SHARDS] and read without it (records are published
 * with a release store and never freed: a lock's class and statistics
 * outlive its holders). */
static struct wf_res *_Atomic res_table[RES_BUCKETS];
static tg__lock res_locks[RES_SHARDS];

bool tg__wf_enabled(void) {
  return tg__opts.deadlock;
}

/* ---- time ------------------------------------------------------------------ */

/* Nanoseconds from the TSC, scaled by a ratio measured once against
 * CLOCK_MONOTONIC (the TSC is invariant on the x86-64 machines tangle runs
 * on); elsewhere, the clock itself. Set once (pthread_once), read after. */
static struct {
  pthread_once_t once;
  _Atomic bool ready; /* calibrated: every wait reads the clock, pthread_once is a call */
  int64_t ns0;
  uint64_t tsc0;
  double ns_per_tick;
} clk = {.once = PTHREAD_ONCE_INIT};

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#if defined(__x86_64__)
static inline uint64_t ticks(void) {
  return __builtin_ia32_rdtsc();
}

static void calibrate(void) {
  int64_t a = mono_ns();
  uint64_t ta = ticks();
  int64_t b;
  while ((b = mono_ns()) - a < 2000000) /* 2 ms */
    ;
  uint64_t tb = ticks();
  clk.ns0 = b;
  clk.tsc0 = tb;
  clk.ns_per_tick = tb > ta ? (double)(b - a) / (double)(tb - ta) : 0;
  atomic_store_explicit(&clk.ready, true, memory_order_release);
}

int64_t tg__wf_now(void) {
  if (__builtin_expect(!atomic_load_explicit(&clk.ready, memory_order_acquire), 0))
    pthread_once(&clk.once, calibrate);
  if (clk.ns_per_tick == 0)
    return mono_ns();
  return clk.ns0 + (int64_t)((double)(int64_t)(ticks() - clk.tsc0) * clk.ns_per_tick);
}
#else
int64_t tg__wf_now(void) {
  return mono_ns();
}
#endif

/* ---- stacks ---------------------------------------------------------------- */

/* The frame-pointer chain from the hook's frame, kept from the frame that
 * returns to `ret` (the hook's caller) on. Race builds keep frame pointers;
 * every frame must lie inside the goroutine's stack and go up. */
__attribute__((noinline)) void tg__wf_capture_from(struct wf_stack *s, uintptr_t ret) {
  tg__wf_capture_g(s, ret, tg__getg());
}

__attribute__((noinline)) void tg__wf_capture_g(struct wf_stack *s, uintptr_t ret, struct tg_g *g) {
  uintptr_t fp = (uintptr_t)__builtin_frame_address(0);
  uintptr_t lo = g && g->stack_lo ? (uintptr_t)g->stack_lo : fp;
  uintptr_t hi = g && g->stack_lo ? (uintptr_t)g->stack_hi : fp + (8u << 20);
  int n = 0;
  bool started = false;
  for (int steps = 0; steps < WF_PCS + 8 && n < WF_PCS; steps++) {
    if (fp < lo || fp + 16 > hi || (fp & 7))
      break;
    uintptr_t next = ((const uintptr_t *)fp)[0];
    uintptr_t pc = ((const uintptr_t *)fp)[1];
    if (pc < 4096)
      break;
    if (pc == ret)
      started = true;
    if (started)
      s->pcs[n++] = pc;
    if (next <= fp)
      break;
    fp = next;
  }
  if (!started) { /* no frame pointers where expected: the slow unwinder */
    uintptr_t pcs[WF_PCS + 8];
    int k = tg__stack_capture(pcs, WF_PCS + 8, 0);
    int from = 0;
    for (int i = 0; i < k && i < 8; i++)
      if (pcs[i] == ret) {
        from = i;
        break;
      }
    n = k - from < WF_PCS ? k - from : WF_PCS;
    if (n < 0)
      n = 0;
    memcpy(s->pcs, pcs + from, (size_t)n * sizeof *pcs);
  }
  s->n = (uint8_t)n;
}

/* ---- goroutine nodes ----------------------------------------------------- */

uint32_t tg__wf_read_begin(struct wf_g *w) {
  for (;;) {
    uint32_t s = atomic_load_explicit(&w->seq, memory_order_acquire);
    if (!(s & 1))
      return s;
    sched_yield(); /* the owner is in the middle of a short write */
  }
}

/* A goroutine parked in a channel's send or receive. Those waits are not
 * registered (chan.c): the registration would sit inside the channel's
 * lock on every hand-off, which is where a ping-pong's peer waits. The
 * park itself says it: its reason and channel, read between two reads of
 * the park's sequence number. *seq tells this park from any other (and
 * from every registered wait: it is at least 2^32). */
static bool chan_wait_of(struct wf_g *w, struct wf_wait *out, uint64_t *seq) {
  struct tg_g *g = w->g;
  if (!g || g->wf != w)
    return false;
  uint32_t p = atomic_load_explicit(&g->park_seq, memory_order_acquire);
  if (atomic_load_explicit(&g->status, memory_order_acquire) != TG_G_WAITING)
    return false;
  int reason = g->wait_reason;
  const void *obj = g->wait_obj;
  atomic_thread_fence(memory_order_acquire);
  if (atomic_load_explicit(&g->park_seq, memory_order_relaxed) != p || !obj ||
      (reason != TG_WAIT_CHAN_SEND && reason != TG_WAIT_CHAN_RECV))
    return false;
  *out = (struct wf_wait){.res = obj, .kind = TG_RES_CHAN, .since = 0};
  *seq = w->wait_seq + ((uint64_t)p << 32);
  return true;
}

bool tg__wf_top_wait_of(struct wf_g *w, struct wf_wait *out, uint64_t *wait_seq) {
  uint64_t cseq;
  if (chan_wait_of(w, out, &cseq)) { /* the innermost wait, when there is one */
    if (wait_seq)
      *wait_seq = cseq;
    return true;
  }
  bool any;
  uint32_t s;
  do {
    s = tg__wf_read_begin(w);
    int n = w->nwait;
    any = n > 0 && n <= WF_MAX_WAITS;
    if (any)
      *out = w->waits[n - 1];
    if (wait_seq)
      *wait_seq = w->wait_seq;
  } while (tg__wf_read_retry(w, s));
  return any;
}

bool tg__wf_outer_wait_of(struct wf_g *w, struct wf_wait *out) {
  bool any;
  uint32_t s;
  do {
    s = tg__wf_read_begin(w);
    int n = w->nwait;
    any = n > 0 && n <= WF_MAX_WAITS;
    if (any)
      *out = w->waits[0];
  } while (tg__wf_read_retry(w, s));
  uint64_t cseq;
  return any || chan_wait_of(w, out, &cseq);
}

bool tg__wf_held_of(struct wf_g *w, const void *lock, struct wf_held *out) {
  bool found;
  uint32_t s;
  do {
    s = tg__wf_read_begin(w);
    found = false;
    struct wf_held *h = w->held;
    int n = w->nheld;
    for (int i = n - 1; h && i >= 0 && i < w->cap_held; i--)
      if (h[i].lock == lock) {
        *out = h[i];
        found = true;
        break;
      }
  } while (tg__wf_read_retry(w, s));
  return found;
}

static void node_init(struct wf_g *w, struct tg_g *g) {
  uint32_t s = tg__wf_write_begin(w);
  w->g = g;
  w->id = g->id;
  w->parent_id = g->parent_id;
  w->born = tg__wf_now();
  w->exited = false;
  w->reported = false;
  w->nwait = 0;
  w->nheld = 0;
  w->last_wait_res = NULL;
  w->nstats = 0;
  atomic_store(&w->stats, NULL);
  w->last_res = NULL;
  w->last_stat = NULL;
  w->ready = NULL;
  w->armed = 0;
  w->stuck = false;
  int n = g->create_depth < TG_CREATE_DEPTH ? g->create_depth : TG_CREATE_DEPTH;
  for (int i = 0; i < n; i++)
    w->create[i] = (uintptr_t)g->create_pcs[i];
  w->ncreate = (uint8_t)(n > 0 ? n : 0);
  tg__wf_write_end(w, s);
}

/* g runs a new goroutine (or its first hook): its node is made, or the node
 * of the goroutine that last used this tg_g is reused. A node that still
 * holds locks stays behind as the record of an exited holder, and so does
 * one with statistics (the starvation report may need its figures). */
static __attribute__((noinline)) struct wf_g *renew(struct tg_g *g, struct wf_g *old) {
  if (old) {
    old->exited = true;
    if (old->nheld == 0 && old->nstats == 0) {
      node_init(old, g);
      return old;
    }
  }
  struct wf_g *w = tg__wf_alloc(sizeof *w);
  /* a held list from the start: the acquisition fast path assumes one. One
   * entry (128 bytes): most goroutines hold at most one lock, and a million
   * parked ones must stay small; held_push doubles it for the others. */
  w->cap_held = 1;
  w->held = tg__wf_alloc((size_t)w->cap_held * sizeof *w->held);
  node_init(w, g);
  tg__lock_acquire(&tg__wf_all_lock);
  w->all_next = tg__wf_all;
  tg__wf_all = w;
  tg__lock_release(&tg__wf_all_lock);
  g->wf = w;
  return w;
}

/* The running goroutine's node, inlined into the lock hooks. */
static inline __attribute__((always_inline)) struct wf_g *self(void) {
  if (!tg__opts.deadlock)
    return NULL;
  /* The race detector's cached M (no hook can park between this read and
   * its use of the node). */
  struct tg_m *m = tg__race_m;
  if (__builtin_expect(!m, 0) && !(m = tg__race_m_slow()))
    return NULL;
  struct tg_g *g = m->curg;
  if (!g || g->is_g0)
    return NULL;
  struct wf_g *w = g->wf;
  if (__builtin_expect(w && w->id == g->id && !w->exited, 1))
    return w;
  return renew(g, w);
}

struct wf_g *tg__wf_self(void) {
  return self();
}

struct wf_g *tg__wf_of(struct tg_g *g) {
  struct wf_g *w = g->wf;
  return w && w->id == g->id && !w->exited ? w : NULL;
}

bool tg__wf_exited(struct wf_g *w) {
  if (w->exited)
    return true;
  struct tg_g *g = w->g;
  return g->id != w->id || atomic_load_explicit(&g->status, memory_order_relaxed) == TG_G_DEAD;
}

/* ---- lock records -------------------------------------------------------- */

static inline unsigned res_bucket(const void *a) {
  uint64_t x = (uintptr_t)a;
  x ^= x >> 29;
  x *= 0x9E3779B97F4A7C15ull;
  return (unsigned)(x >> (64 - RES_BITS));
}

tg__lock *tg__wf_res_lock(const void *addr) {
  return &res_locks[res_bucket(addr) % RES_SHARDS];
}

/* Both halves of an rwmutex are one resource. */
static int res_family(int kind) {
  return kind == TG_RES_RWMUTEX_R ? TG_RES_RWMUTEX_W : kind;
}

static struct wf_res *res_find(unsigned b, const void *addr) {
  for (struct wf_res *r = atomic_load_explicit(&res_table[b], memory_order_acquire); r;
       r = atomic_load_explicit(&r->next, memory_order_acquire))
    if (r->addr == addr)
      return r;
  return NULL;
}

/* Without `create`, lock-free; with it, under the address's shard lock. */
struct wf_res *tg__wf_res(const void *addr, enum tg_res_kind kind, bool create) {
  unsigned b = res_bucket(addr);
  int fam = res_family(kind);
  struct wf_res *r = res_find(b, addr);
  if (!create || (r && r->kind == fam))
    return r;
  if (r) {
    /* The memory now holds another kind of lock: a fresh record. */
    r->kind = (uint8_t)fam;
    r->cls = 0;
    atomic_store(&r->writer, NULL);
    atomic_store(&r->nreaders, 0);
    struct wf_rslot *rs = atomic_load(&r->rslots);
    for (int i = 0; rs && i < WF_RSLOTS; i++)
      atomic_store(&rs[i].v, 0);
    r->foreign_release = false;
    return r;
  }
  r = tg__wf_alloc(sizeof *r);
  r->addr = addr;
  r->kind = (uint8_t)fam;
  atomic_store_explicit(&r->next, atomic_load(&res_table[b]), memory_order_relaxed);
  atomic_store_explicit(&res_table[b], r, memory_order_release);
  return r;
}

/* The record of a lock being acquired: found without locking, made (once)
 * under the shard lock. */
static struct wf_res *res_get(const void *lock, enum tg_res_kind kind) {
  struct wf_res *r = res_find(res_bucket(lock), lock);
  if (__builtin_expect(r && r->kind == res_family(kind), 1))
    return r;
  tg__lock *sl = tg__wf_res_lock(lock);
  tg__lock_acquire(sl);
  r = tg__wf_res(lock, kind, true);
  tg__lock_release(sl);
  return r;
}

void tg__wf_res_foreach(void (*fn)(struct wf_res *r, void *ctx), void *ctx) {
  for (unsigned s = 0; s < RES_SHARDS; s++) {
    tg__lock_acquire(&res_locks[s]);
    for (unsigned b = s; b < RES_BUCKETS; b += RES_SHARDS)
      for (struct wf_res *r = atomic_load(&res_table[b]); r; r = atomic_load(&r->next))
        fn(r, ctx);
    tg__lock_release(&res_locks[s]);
  }
}

/* ---- shared holders (rwmutex readers, semaphore units) ------------------ */

/* Overflow list, under the shard lock. */
static void reader_add(struct wf_res *r, struct wf_g *w) {
  int nr = atomic_load_explicit(&r->nreaders, memory_order_relaxed);
  for (int i = 0; i < nr; i++)
    if (r->readers[i].w == w) {
      r->readers[i].count++;
      return;
    }
  if (nr == r->cap_readers) {
    int cap = r->cap_readers ? r->cap_readers * 2 : 4;
    struct wf_holder *n = tg__wf_alloc((size_t)cap * sizeof *n);
    if (nr)
      memcpy(n, r->readers, (size_t)nr * sizeof *n);
    /* the old array stays: a reader without the lock may be reading it */
    r->readers = n;
    r->cap_readers = cap;
  }
  r->readers[nr] = (struct wf_holder){.w = w, .count = 1};
  atomic_store_explicit(&r->nreaders, nr + 1, memory_order_relaxed);
}

/* Drops one hold of w (or of anyone, w == NULL) from the overflow list, under
 * the shard lock; returns whose it was. */
static struct wf_g *reader_drop(struct wf_res *r, struct wf_g *w) {
  int nr = atomic_load_explicit(&r->nreaders, memory_order_relaxed);
  for (int i = 0; i < nr; i++) {
    if (w && r->readers[i].w != w)
      continue;
    struct wf_g *who = r->readers[i].w;
    if (--r->readers[i].count == 0) {
      r->readers[i] = r->readers[nr - 1];
      atomic_store_explicit(&r->nreaders, nr - 1, memory_order_relaxed);
    }
    return who;
  }
  return NULL;
}

static __attribute__((noinline)) struct wf_rslot *rslots_make(struct wf_res *r) {
  tg__lock *sl = tg__wf_res_lock(r->addr);
  tg__lock_acquire(sl);
  struct wf_rslot *rs = atomic_load_explicit(&r->rslots, memory_order_relaxed);
  if (!rs) {
    rs = tg__wf_alloc(WF_RSLOTS * sizeof *rs);
    atomic_store_explicit(&r->rslots, rs, memory_order_release);
  }
  tg__lock_release(sl);
  return rs;
}

/* Adds one hold of w to slot i if w has it; false if not. */
static inline bool rslot_inc(struct wf_rslot *s, uint64_t me) {
  uint64_t v = atomic_load_explicit(&s->v, memory_order_relaxed);
  while ((v & WF_RSLOT_NODE) == me && v < ~WF_RSLOT_NODE) /* holds below the maximum */
    if (atomic_compare_exchange_weak_explicit(&s->v, &v, v + WF_RSLOT_ONE, memory_order_release,
                                              memory_order_relaxed))
      return true;
  return false;
}

/* Drops one hold from slot s if it is w's (me) or anyone's (me == 0) and
 * has one; returns the node, or NULL. */
static inline struct wf_g *rslot_dec(struct wf_rslot *s, uint64_t me) {
  uint64_t v = atomic_load_explicit(&s->v, memory_order_relaxed);
  while ((!me || (v & WF_RSLOT_NODE) == me) && v >= WF_RSLOT_ONE)
    if (atomic_compare_exchange_weak_explicit(&s->v, &v, v - WF_RSLOT_ONE, memory_order_release,
                                              memory_order_relaxed))
      return (struct wf_g *)(uintptr_t)(v & WF_RSLOT_NODE);
  return NULL;
}

/* The slow part of a hold: w's slot is not where its statistics said (or it
 * has none, or lost it while it held nothing). A free slot first, then one
 * whose node holds nothing, then the overflow list. */
static __attribute__((noinline)) int reader_hold_slow(struct wf_g *w, struct wf_res *r,
                                                      struct wf_rslot *rs) {
  uint64_t me = (uintptr_t)w;
  if (!(me & ~WF_RSLOT_NODE)) {
    for (int i = 0; i < WF_RSLOTS; i++)
      if (rslot_inc(&rs[i], me))
        return i;
    for (int pass = 0; pass < 2; pass++)
      for (int i = 0; i < WF_RSLOTS; i++) {
        uint64_t v = atomic_load_explicit(&rs[i].v, memory_order_relaxed);
        while (pass ? v < WF_RSLOT_ONE : v == 0)
          if (atomic_compare_exchange_weak_explicit(&rs[i].v, &v, me | WF_RSLOT_ONE,
                                                    memory_order_release, memory_order_relaxed))
            return i;
      }
  }
  tg__lock *sl = tg__wf_res_lock(r->addr);
  tg__lock_acquire(sl);
  reader_add(r, w);
  tg__lock_release(sl);
  return -1;
}

/* w acquired a share of r (a read lock, semaphore units); st, its
 * statistics for r, remembers its slot. */
static void reader_hold(struct wf_g *w, struct wf_res *r, struct wf_stat *st) {
  struct wf_rslot *rs = atomic_load_explicit(&r->rslots, memory_order_acquire);
  if (__builtin_expect(!rs, 0))
    rs = rslots_make(r);
  int i = st ? st->rslot : 0;
  if (__builtin_expect(rslot_inc(&rs[i], (uintptr_t)w), 1))
    return;
  i = reader_hold_slow(w, r, rs);
  if (st && i >= 0)
    st->rslot = (uint8_t)i;
}

/* w released a share of r: from its slot, or from the overflow list (none
 * there either: a foreign release took it). */
static void reader_unhold(struct wf_g *w, struct wf_res *r, struct wf_stat *st) {
  struct wf_rslot *rs = atomic_load_explicit(&r->rslots, memory_order_acquire);
  uint64_t me = (uintptr_t)w;
  if (rs && rslot_dec(&rs[st ? st->rslot : 0], me))
    return;
  for (int i = 0; rs && i < WF_RSLOTS; i++)
    if (rslot_dec(&rs[i], me))
      return;
  if (!atomic_load_explicit(&r->nreaders, memory_order_relaxed))
    return; /* w's own overflow holds, if any, were added by w: it sees them */
  tg__lock *sl = tg__wf_res_lock(r->addr);
  tg__lock_acquire(sl);
  reader_drop(r, w);
  tg__lock_release(sl);
}

/* A release by a goroutine that holds no share: one hold of someone's is
 * dropped; returns whose. */
static struct wf_g *reader_unhold_any(struct wf_res *r) {
  struct wf_rslot *rs = atomic_load_explicit(&r->rslots, memory_order_acquire);
  for (int i = 0; rs && i < WF_RSLOTS; i++) {
    struct wf_g *who = rslot_dec(&rs[i], 0);
    if (who)
      return who;
  }
  tg__lock *sl = tg__wf_res_lock(r->addr);
  tg__lock_acquire(sl);
  struct wf_g *who = reader_drop(r, NULL);
  tg__lock_release(sl);
  return who;
}

int tg__wf_readers(struct wf_res *r, struct wf_g **out, int max) {
  int n = 0;
  struct wf_rslot *rs = atomic_load_explicit(&r->rslots, memory_order_acquire);
  for (int i = 0; rs && i < WF_RSLOTS && n < max; i++) {
    uint64_t v = atomic_load_explicit(&rs[i].v, memory_order_acquire);
    if (v >= WF_RSLOT_ONE)
      out[n++] = (struct wf_g *)(uintptr_t)(v & WF_RSLOT_NODE);
  }
  if (!atomic_load_explicit(&r->nreaders, memory_order_acquire) || n >= max)
    return n;
  tg__lock *sl = tg__wf_res_lock(r->addr);
  tg__lock_acquire(sl);
  int nr = atomic_load_explicit(&r->nreaders, memory_order_relaxed);
  for (int i = 0; i < nr && n < max; i++) {
    struct wf_g *o = r->readers[i].w;
    bool dup = false;
    for (int j = 0; j < n && !dup; j++)
      dup = out[j] == o;
    if (!dup)
      out[n++] = o;
  }
  tg__lock_release(sl);
  return n;
}

/* ---- held lists (the owner writes, inside its sequence lock) --------------- */

static struct wf_held *held_push(struct wf_g *w) {
  if (w->nheld == w->cap_held) {
    int cap = w->cap_held ? w->cap_held * 2 : 4;
    struct wf_held *n = tg__wf_alloc((size_t)cap * sizeof *n);
    if (w->nheld)
      memcpy(n, w->held, (size_t)w->nheld * sizeof *n);
    /* readers may still read the old array: it is not reused */
    w->held = n;
    w->cap_held = cap;
  }
  w->ready = NULL;
  w->armed = 0;
  return &w->held[w->nheld++];
}

static int held_find(struct wf_g *w, const void *lock, int kind) {
  for (int i = w->nheld - 1; i >= 0; i--)
    if (w->held[i].lock == lock && w->held[i].kind == kind)
      return i;
  return -1;
}

static void held_remove(struct wf_g *w, int i) {
  w->ready = NULL;
  w->armed = 0;
  memmove(&w->held[i], &w->held[i + 1], (size_t)(w->nheld - i - 1) * sizeof w->held[0]);
  w->nheld--;
}

/* ---- acquire / release --------------------------------------------------- */

/* A lock's "acquired at" stack, taken on every acquisition, so it must be
 * cheap: the call site the runtime passed, then its callers, copied from the
 * race detector's shadow call stack (the call sites __tsan_func_entry
 * pushed: a copy of a few words, no unwinding). Code that is not
 * instrumented has no shadow stack: the frame-pointer walk then. */
static inline void acquisition_stack(struct wf_stack *s, uintptr_t pc, struct tg_g *g) {
  struct tg_race_g *rg = g->race;
  uint32_t d = rg ? rg->depth : 0;
  if (__builtin_expect(d == 0, 0)) {
    tg__wf_capture_g(s, pc, g);
    if (s->n == 0) {
      s->pcs[0] = pc;
      s->n = 1;
    }
    return;
  }
  const uintptr_t *top = rg->stk + d;
  uint32_t n = d < WF_PCS - 1 ? d : WF_PCS - 1;
  s->pcs[0] = pc;
  for (uint32_t i = 0; i < n; i++)
    s->pcs[i + 1] = top[-1 - (int)i];
  s->n = (uint8_t)(n + 1);
}

/* The running goroutine's held locks recorded lazily get their callers
 * from its shadow call stack, which still holds them: nothing was pushed
 * since the return that brought the stack below the mark, if any. */
void tg__wf_keep_stacks(struct tg_race_g *rg) {
  rg->wf_mark = 0;
  struct tg_g *g = rg->g;
  struct wf_g *w = g ? g->wf : NULL;
  if (!w || w->g != g || w->id != g->id)
    return;
  uint32_t s = tg__wf_write_begin(w);
  for (int i = 0; i < w->nheld; i++) {
    struct wf_held *h = &w->held[i];
    uint32_t d = h->lazy;
    if (!d)
      continue;
    if (d > rg->stk_cap)
      d = rg->stk_cap;
    const uintptr_t *top = rg->stk + d;
    uint32_t n = d < WF_PCS - 1 ? d : WF_PCS - 1;
    for (uint32_t j = 0; j < n; j++)
      h->at.pcs[j + 1] = top[-1 - (int)j];
    h->at.n = (uint8_t)(n + 1);
    w->armed = 0; /* its entry is no longer the fast path's (at.n) */
    h->lazy = 0;
  }
  tg__wf_write_end(w, s);
}

/* The rarely taken parts of an acquisition: a semaphore's count, a lock's
 * first class, a pending wait's time, nested locks' order, statistics of a
 * lock not acquired last. Out of line, so that the common case (the same
 * lock again, nothing else held, nobody waiting) stays a few stores. */
static __attribute__((noinline)) struct wf_stat *stat_slow(struct wf_g *w, struct wf_res *r) {
  struct wf_stat *st = tg__starv_stat(w, r);
  w->ready = NULL;
  w->armed = 0;
  w->last_res = r;
  w->last_stat = st;
  return st;
}

static __attribute__((noinline)) struct wf_res *res_slow(struct wf_g *w, const void *lock,
                                                         enum tg_res_kind kind) {
  (void)w;
  return res_get(lock, kind);
}

/* Whether someone waits for the lock. `busy` comes from the lock's own
 * state when the runtime has it (a mutex's waiter count, on the cache line
 * its holder owns already); else (WF_BUSY_UNKNOWN) the record's count is
 * read, a line every waiter writes: read inside the critical section, that
 * miss made every contended hand-off longer. */
#define WF_BUSY_UNKNOWN (-1)
static inline bool res_busy(struct wf_res *r, int busy) {
  return busy >= 0 ? busy != 0 : atomic_load_explicit(&r->waiters, memory_order_relaxed) != 0;
}

static __attribute__((noinline)) void acquired_rare(struct wf_g *w, struct wf_res *r,
                                                    struct wf_held *h, struct wf_stat *st,
                                                    int64_t waited) {
  if (!r->cls && h->kind != TG_RES_SEM)
    tg__lockorder_class(r, &h->at);
  if (h->kind != TG_RES_SEM && w->nheld > 1)
    tg__lockorder_acquired(w, h);
  tg__starv_acquired(w, st, waited, waited > 0, &h->at);
}

static __attribute__((noinline)) void acquired(const void *lock, enum tg_res_kind kind, bool tried,
                                               uintptr_t pc, int busy) {
  struct wf_g *w = self();
  if (!w || !lock)
    return;
  struct tg_race_g *rg = w->g->race;
  if (rg && rg->wf_mark)
    tg__wf_keep_stacks(rg); /* the lock-order check reads the held stacks */
  struct wf_res *r = w->last_res;
  if (__builtin_expect(!r || r->addr != lock || r->kind != res_family(kind), 0))
    r = res_slow(w, lock, kind);
  if (kind == TG_RES_RWMUTEX_R || kind == TG_RES_SEM) {
    reader_hold(w, r, w->last_res == r ? w->last_stat : stat_slow(w, r));
  } else {
    atomic_store_explicit(&r->writer, w, memory_order_release);
  }

  /* An uncontended lock reads no clock: hold times are measured for the
   * holds that someone waits on (lock_stat's "contended" view). */
  struct wf_stat *st = w->last_res == r ? w->last_stat : stat_slow(w, r);
  bool contended = res_busy(r, busy);
  int weight = contended ? tg__starv_sample(st) : 0;
  int64_t now = weight ? tg__wf_now() : 0;
  int64_t waited = 0;
  uint32_t s = tg__wf_write_begin(w);
  w->ready = NULL;
  w->armed = 0;
  if (__builtin_expect(w->last_wait_res == lock, 0)) {
    waited = w->last_wait_ns;
    w->last_wait_res = NULL;
  }
  int i = kind == TG_RES_SEM ? held_find(w, lock, kind) : -1;
  struct wf_held *h;
  if (i >= 0) {
    h = &w->held[i];
    h->count++;
  } else {
    h = w->nheld < w->cap_held ? &w->held[w->nheld++] : held_push(w);
    h->lock = lock;
    h->res = r;
    h->st = st;
    h->kind = (uint8_t)kind;
    h->tried = tried;
    h->count = 1;
    h->since = now;
    h->plain = !now && kind != TG_RES_RWMUTEX_R && kind != TG_RES_SEM;
    h->untimed = contended && !weight;
    h->weight = (uint8_t)weight;
    h->lazy = 0;
    acquisition_stack(&h->at, pc, w->g);
  }
  tg__wf_write_end(w, s);

  if (__builtin_expect(!r->cls || w->nheld > 1 || waited > 0 || kind == TG_RES_SEM, 0))
    acquired_rare(w, r, h, st, waited);
  else if (st)
    st->acq++; /* tg__starv_acquired's uncontended case */
}

/* An exclusive lock acquired again by the goroutine that acquired it last,
 * holding nothing else and with no wait of its own to account: its held
 * entry is already in place from the last such acquisition (w->ready),
 * only the call site, the shadow stack's depth and the hold's sampling
 * change. Others waiting for the lock do not leave this path (under
 * contention that is most acquisitions): the hold is sampled for its time
 * as acquired() does. Anything else takes acquired(). Out of line: the
 * uncontended case (fast_acquire) is the one that must cost nothing. */
/* w->armed's value for a lock and kind (an rwmutex's read and write holds
 * share its address); never 0, the value for none. */
static inline uintptr_t armed_key(const void *lock, enum tg_res_kind kind) {
  return (uintptr_t)lock << 4 | (uintptr_t)kind;
}

static __attribute__((noinline)) bool fast_acquire_setup(struct wf_g *w, struct tg_race_g *rg,
                                                         const void *lock, enum tg_res_kind kind,
                                                         const void *pc, int busy, int weight) {
  struct wf_res *r = w->last_res;
  uint32_t d = rg ? rg->depth : 0;
  w->armed = 0;
  if (__builtin_expect(!r || r->addr != lock || r->kind != kind || kind == TG_RES_SEM ||
                           kind == TG_RES_RWMUTEX_R || w->nheld != 0 || w->last_wait_res == lock ||
                           !d,
                       0))
    return false;
  atomic_store_explicit(&r->writer, w, memory_order_release);
  bool contended = res_busy(r, busy);
  if (weight < 0) /* else fast_acquire sampled it */
    weight = contended ? tg__starv_sample(w->last_stat) : 0;
  int64_t now = weight ? tg__wf_now() : 0;
  uint32_t s = tg__wf_write_begin(w);
  struct wf_held *h = &w->held[0];
  if (w->ready != r || h->kind != kind) {
    h->lock = lock;
    h->res = r;
    h->st = w->last_stat;
    h->kind = (uint8_t)kind;
    h->tried = false;
    h->count = 1;
    w->ready = r;
  }
  h->since = now;
  h->plain = !now;
  h->untimed = contended && !weight;
  h->weight = (uint8_t)weight;
  /* The callers stay in the shadow call stack until needed. */
  h->at.pcs[0] = (uintptr_t)pc;
  h->at.n = 1;
  h->lazy = d;
  rg->wf_mark = d;
  w->nheld = 1;
  tg__wf_write_end(w, s);
  if (w->last_stat) {
    w->last_stat->acq++;
    /* The next acquisition finds everything as it needs it, unless this
     * hold is timed: contended or not, as long as it is not sampled. */
    if (!weight)
      w->armed = armed_key(lock, kind);
  }
  return true;
}

/* The common case of the above, with what it checks folded into
 * w->armed: set only by fast_acquire_setup, for a hold in the plain mode
 * (no time measured) with statistics to count in, and cleared by every
 * write that could break that (ready cleared, a wait begun, a timed
 * acquisition, the callers copied into the entry). What is left are the
 * stores a later report reads, and under contention the sampling of the
 * hold: one in STARV_EVERY is timed (the setup), the others are only
 * marked untimed (read by the owner alone, at the release). A contended
 * mutex (mutex4) took the setup at every acquisition before. */
static inline __attribute__((always_inline)) bool fast_acquire(struct wf_g *w, struct tg_race_g *rg,
                                                               const void *lock,
                                                               enum tg_res_kind kind,
                                                               const void *pc, int busy) {
  uint32_t d = rg ? rg->depth : 0;
  if (__builtin_expect(w->armed != armed_key(lock, kind) || w->nheld != 0 || !d, 0))
    return fast_acquire_setup(w, rg, lock, kind, pc, busy, -1);
  struct wf_held *h = w->held;
  struct wf_res *r = w->ready;
  atomic_store_explicit(&r->writer, w, memory_order_release);
  bool contended = res_busy(r, busy);
  if (__builtin_expect(contended, 0)) {
    int weight = tg__starv_sample(w->last_stat);
    if (weight)
      return fast_acquire_setup(w, rg, lock, kind, pc, busy, weight);
  }
  h->untimed = contended;
  if (__builtin_expect(h->at.pcs[0] == (uintptr_t)pc && h->lazy == d, 1)) {
    /* The same call site at the same depth (a loop): the entry is as the
     * last acquisition left it, and only the count changes, which needs
     * no sequence lock (see fast_release). */
    w->nheld = 1;
  } else {
    uint32_t s = tg__wf_write_begin(w);
    h->at.pcs[0] = (uintptr_t)pc;
    h->lazy = d;
    w->nheld = 1;
    tg__wf_write_end(w, s);
  }
  rg->wf_mark = d;
  w->last_stat->acq++;
  return true;
}

void tg__wf_lock_acquired(const void *lock, enum tg_res_kind kind, const void *pc) {
  struct wf_g *w = self();
  if (!w)
    return;
  if (!fast_acquire(w, w->g->race, lock, kind, pc, WF_BUSY_UNKNOWN))
    acquired(lock, kind, false, (uintptr_t)pc, WF_BUSY_UNKNOWN);
}
void tg__wf_lock_tried(const void *lock, enum tg_res_kind kind, const void *pc) {
  acquired(lock, kind, true, (uintptr_t)pc, WF_BUSY_UNKNOWN);
}

/* A release by a goroutine that does not hold the lock: for a semaphore
 * that is allowed (any goroutine may release units); for a lock it is a
 * misuse, reported. The holder's record of it is dropped from the lock's
 * record; the holder's own list keeps its entry (only its owner writes it),
 * and loses it at the holder's own release, if any. */
static void foreign_release(const void *lock, enum tg_res_kind kind, uintptr_t ret) {
  struct wf_g *w = tg__wf_self();
  struct wf_res *r = tg__wf_res(lock, kind, false);
  struct wf_g *holder = NULL;
  if (r) {
    if (kind == TG_RES_SEM || kind == TG_RES_RWMUTEX_R) {
      holder = reader_unhold_any(r);
      if (kind == TG_RES_SEM)
        r->foreign_release = true;
    } else {
      holder = atomic_exchange(&r->writer, NULL);
    }
  }
  if (kind == TG_RES_SEM)
    return;
  (void)ret;
  uintptr_t pcs[16];
  int n = tg__stack_capture(pcs, 16, 1);
  bool in_cond_wait = tg__wf_stack_has(pcs, n, "tg_cond_wait", 6);
  const char *what;
  if (in_cond_wait)
    what = holder ? "Cond.Wait called without holding the Cond's lock (it is held by another "
                    "goroutine, whose lock this Wait releases)"
                  : "Cond.Wait called without holding the Cond's lock";
  else if (kind == TG_RES_RWMUTEX_R)
    what = holder ? "RUnlock of a read lock held by another goroutine"
                  : "RUnlock of an rwmutex the goroutine does not hold";
  else
    what = holder ? "unlock of a lock held by another goroutine"
                  : "unlock of a lock the goroutine does not hold";
  tg__wf_report_misuse(what, lock, kind, holder != w ? holder : NULL);
}

static __attribute__((noinline)) void released_slow(struct wf_g *w, const void *lock,
                                                    enum tg_res_kind kind, int i, int busy) {
  (void)lock; /* the record has it */
  struct wf_held *h = &w->held[i];
  struct wf_res *r = h->res;
  struct wf_stat *st = h->st;
  int64_t since = h->since;
  int weight = h->weight;
  if (!since && !h->untimed && res_busy(r, busy) && (weight = tg__starv_sample(st)) != 0)
    since = atomic_load(&r->contended_since); /* measured from the first waiter on */
  int64_t now = since ? tg__wf_now() : 0;
  bool gone = false;
  uint32_t s = tg__wf_write_begin(w);
  if (--h->count == 0) {
    held_remove(w, i);
    gone = true;
  }
  tg__wf_write_end(w, s);
  if (kind == TG_RES_RWMUTEX_R || kind == TG_RES_SEM) {
    reader_unhold(w, r, st);
  } else {
    /* A mutex's late release (tg__race_lock_release_done) runs after the
     * unlock: a new holder may have written itself here already. */
    struct wf_g *me = w;
    if (atomic_load_explicit(&r->writer, memory_order_relaxed) == w)
      atomic_compare_exchange_strong_explicit(&r->writer, &me, NULL, memory_order_release,
                                              memory_order_relaxed);
  }
  if (gone && since)
    tg__starv_released(w, st, now - since, weight);
}

static __attribute__((noinline)) void released(struct wf_g *w, const void *lock,
                                               enum tg_res_kind kind, int busy) {
  int i = held_find(w, lock, kind);
  if (i < 0) {
    foreign_release(lock, kind, 0);
    return;
  }
  released_slow(w, lock, kind, i, busy);
}

/* The common case: the innermost lock, held once, exclusively, by a holder
 * nobody waited for (no hold time to measure). Only the count changes: a
 * reader of the held list sees the entry or not, both consistent, so the
 * sequence lock is not taken (a reader that raced with this release and
 * the next acquisition's rewrite of the entry retries on that one's). */
static inline __attribute__((always_inline)) bool fast_release(struct wf_g *w, struct tg_race_g *rg,
                                                               const void *lock,
                                                               enum tg_res_kind kind, int busy) {
  int top = w->nheld - 1;
  struct wf_res *r;
  if (__builtin_expect(w->armed == armed_key(lock, kind) && top == 0, 1)) {
    r = w->ready; /* held[0], in the plain mode */
    if (__builtin_expect(res_busy(r, busy), 0) && !w->held[0].untimed)
      return false;
  } else {
    struct wf_held *h = &w->held[top]; /* read only if top >= 0 */
    if (top < 0 || h->lock != lock || !h->plain || h->kind != kind)
      return false;
    r = h->res;
    if (res_busy(r, busy) && !h->untimed)
      return false;
  }
  w->nheld = top;
  if (top == 0 && rg)
    rg->wf_mark = 0; /* nothing lazy is left */
  /* still held (the hook runs before the unlock): nobody else writes it */
  if (atomic_load_explicit(&r->writer, memory_order_relaxed) == w)
    atomic_store_explicit(&r->writer, NULL, memory_order_release);
  return true;
}

void tg__wf_lock_released(const void *lock, enum tg_res_kind kind) {
  struct wf_g *w = self();
  if (!w || !lock)
    return;
  if (!fast_release(w, w->g->race, lock, kind, WF_BUSY_UNKNOWN))
    released(w, lock, kind, WF_BUSY_UNKNOWN);
}

/* ---- hooks.h: a mutex's race and wait-for hooks in one call ---------------- */

/* The running goroutine's node, remembered in its race state (both live
 * as long as the goroutine), so the mutex hooks find it with one
 * thread-local load. */
static __attribute__((noinline)) struct wf_g *bind(struct tg_race_g *rg) {
  struct wf_g *w = self();
  if (w && w->g->race == rg)
    rg->wf = w;
  return w;
}

void tg__race_lock_acquired(const void *lock, const void *pc, bool busy) {
  struct tg_race_g *rg = tg__race_cur();
  if (__builtin_expect(!rg, 0)) {
    tg__wf_lock_acquired(lock, TG_RES_MUTEX, pc);
    return;
  }
  tg__race_mutex_acquire(rg, (uintptr_t)lock);
  struct wf_g *w = rg->wf;
  if (__builtin_expect(!w, 0) && (!tg__opts.deadlock || !(w = bind(rg))))
    return;
  if (!fast_acquire(w, rg, lock, TG_RES_MUTEX, pc, busy))
    acquired(lock, TG_RES_MUTEX, false, (uintptr_t)pc, busy);
}

bool tg__race_lock_releasing(const void *lock, bool locked, bool busy) {
  struct tg_race_g *rg = tg__race_cur();
  if (__builtin_expect(!rg, 0)) {
    tg__wf_lock_released(lock, TG_RES_MUTEX);
    return false;
  }
  struct wf_g *w = rg->wf;
  if (__builtin_expect(!w, 0) && tg__opts.deadlock)
    w = bind(rg);
  bool later = false;
  if (w && !fast_release(w, rg, lock, TG_RES_MUTEX, busy)) {
    /* Someone waits (or the hold is timed): the bookkeeping is done once
     * the mutex is free, so that the waiters do not wait for it too. A
     * release that is not ours to make is reported now, before the
     * runtime can die of it. */
    if (locked && held_find(w, lock, TG_RES_MUTEX) >= 0)
      later = true;
    else
      released(w, lock, TG_RES_MUTEX, busy);
  }
  if (__builtin_expect(locked, 1))
    tg__race_mutex_release(rg, (uintptr_t)lock);
  return later;
}

void tg__race_lock_release_done(const void *lock, bool busy) {
  struct tg_race_g *rg = tg__race_cur();
  struct wf_g *w = rg ? rg->wf : NULL;
  if (w)
    released(w, lock, TG_RES_MUTEX, busy);
}

/* ---- waits and the cycle search ------------------------------------------ */

#define MAX_HOPS     16
#define MAX_BLOCKERS 16

/* Who must act before a goroutine waiting on r (kind) can go on: the
 * holders for a mutex, a Once and a writer (all readers too); for a reader,
 * the writer holding it and the writers queued (Go's RWMutex lets no new
 * reader in while a writer waits). Semaphores are not followed: any holder
 * may release enough units, so a cycle through one is not a deadlock by
 * itself (the monitor decides those). */
static int blockers(const void *res, int kind, struct wf_g **out, struct wf_g *self) {
  int n = 0;
  struct wf_res *r = tg__wf_res(res, kind, false);
  if (r) {
    struct wf_g *wr = atomic_load(&r->writer);
    if (wr)
      out[n++] = wr;
    if (kind == TG_RES_RWMUTEX_W)
      n += tg__wf_readers(r, out + n, MAX_BLOCKERS - n);
  }
  if (kind == TG_RES_RWMUTEX_R) {
    tg__lock_acquire(&tg__wf_all_lock);
    for (struct wf_g *o = tg__wf_all; o && n < MAX_BLOCKERS; o = o->all_next) {
      struct wf_wait t;
      if (o != self && !o->exited && tg__wf_top_wait_of(o, &t, NULL) && t.res == res &&
          t.kind == TG_RES_RWMUTEX_W)
        out[n++] = o;
    }
    tg__lock_release(&tg__wf_all_lock);
  }
  return n;
}

static uint32_t visit_epoch; /* under tg__wf_graph_lock */

/* Whether b blocks a wait on res (kind) as a writer queued for it: a
 * reader waits for those too (blockers()), though they hold nothing. */
static bool queued_writer(const struct wf_wait *t, const void *res, int kind) {
  return kind == TG_RES_RWMUTEX_R && t->res == res && t->kind == TG_RES_RWMUTEX_W;
}

/* Depth-first search from hops[depth] (cur waits on res) back to hops[0]'s
 * goroutine. Returns the cycle's length, or 0. *dead is set when hops[1]
 * is an exited holder of what hops[0] waits for.
 *
 * A lock's record may name a holder that has released it since: the
 * record is read first, the holder's state after, and in between it may
 * release the lock and wait for something else (a reader that read-unlocks
 * and read-locks again behind the writer that waits for it). So a holder is
 * followed only if its own held list, read while it waits (wait_seq), has
 * the lock; check_lock_wait then checks that none of the waits changed. */
static int search(struct wf_hop *hops, int depth, int *dead) {
  struct wf_g *blk[MAX_BLOCKERS];
  struct wf_hop *cur = &hops[depth];
  int nb = blockers(cur->res, cur->kind, blk, cur->w);
  for (int i = 0; i < nb; i++) {
    struct wf_g *b = blk[i];
    if (b == hops[0].w) {
      struct wf_wait t = {.res = hops[0].res, .kind = (uint8_t)hops[0].kind};
      hops[0].has_held = tg__wf_held_of(b, cur->res, &hops[0].held);
      if (!hops[0].has_held && !queued_writer(&t, cur->res, cur->kind))
        continue;
      return depth + 1;
    }
    if (depth + 1 >= MAX_HOPS)
      continue;
    struct wf_hop *next = &hops[depth + 1];
    *next = (struct wf_hop){.w = b};
    if (tg__wf_exited(b)) {
      /* The lock's record may name a holder that released it and exited
       * between our read and now: only its own list, which keeps what it
       * held when it exited, says it died holding the lock. */
      if (depth == 0 && *dead < 0 && tg__wf_held_of(b, cur->res, &next->held)) {
        next->has_held = true;
        next->holder_exited = true;
        *dead = 1;
      }
      continue;
    }
    if (b->visit == visit_epoch)
      continue;
    struct wf_wait t;
    if (!tg__wf_top_wait_of(b, &t, &next->wait_seq) || !tg__wf_is_lock_kind(t.kind) ||
        t.kind == TG_RES_SEM)
      continue;
    next->has_held = tg__wf_held_of(b, cur->res, &next->held);
    if (!next->has_held && !queued_writer(&t, cur->res, cur->kind))
      continue; /* a stale record: b no longer holds it */
    b->visit = visit_epoch;
    next->res = t.res;
    next->kind = t.kind;
    int len = search(hops, depth + 1, dead);
    if (len)
      return len;
  }
  return 0;
}

/* Whether the goroutines of a cycle still wait as the search saw them: each
 * was read at a different time, and one whose wait changed since may have
 * released what the cycle says it holds. Unchanged waits mean unchanged
 * held lists (a goroutine takes and releases locks only between waits), so
 * the whole cycle held at once, when the last of them was read. */
static bool cycle_still_waits(const struct wf_hop *hops, int len) {
  for (int i = 1; i < len; i++) {
    struct wf_wait t;
    uint64_t seq;
    if (!tg__wf_top_wait_of(hops[i].w, &t, &seq) || seq != hops[i].wait_seq || t.res != hops[i].res)
      return false;
  }
  return true;
}

static const char *self_deadlock_why(int kind, const struct wf_held *h) {
  switch (kind) {
  case TG_RES_ONCE:
    return "recursive Once: the goroutine calls Do on a Once whose function it is running";
  case TG_RES_RWMUTEX_W:
    return h && h->kind == TG_RES_RWMUTEX_R
               ? "the goroutine locks an rwmutex for writing while it holds it for reading"
               : "the goroutine locks an rwmutex it already holds";
  case TG_RES_RWMUTEX_R:
    return "the goroutine read-locks an rwmutex it holds for writing";
  default:
    return "the goroutine locks a mutex it already holds (a mutex is not recursive)";
  }
}

/* Whether a wait on a mutex or Once can be left without the search: its
 * holder runs (or there is none), so no cycle goes through it now. The
 * common contended case, decided without the graph lock, so contended
 * Locks do not serialize on it. The wait is registered before the fence
 * and the holder's state read after it; a holder that blocks later does
 * the same (its own wait_begin), so of two goroutines closing a cycle the
 * second sees the first's wait, as it would under the graph lock. */
static bool wait_is_open(struct wf_g *w, struct wf_res *r, int kind) {
  if (kind != TG_RES_MUTEX && kind != TG_RES_ONCE)
    return false;
  atomic_thread_fence(memory_order_seq_cst);
  struct wf_g *h = atomic_load(&r->writer);
  if (!h)
    return true;
  /* A holder that waits for a lock, or exited, counted itself in the
   * record before its own fence (mark_held): one line read here instead of
   * the holder's node, its goroutine and its wait, which a running holder
   * keeps writing (three cache misses on every contended Lock). */
  return h != w && !atomic_load_explicit(&r->holders_stuck, memory_order_relaxed);
}

/* Counts a goroutine's holds in their records' holders_stuck (d = 1) or
 * takes them back (d = -1): when it blocks on a lock (other than a
 * semaphore, which the cycle search does not follow) while holding some,
 * and when it exits holding some. Its held list cannot change meanwhile:
 * only it writes the list, and it is blocked or gone. */
static void mark_held(struct wf_g *w, int d) {
  for (int i = 0; i < w->nheld && i < w->cap_held; i++) {
    struct wf_res *r = w->held[i].res;
    if (r)
      atomic_fetch_add(&r->holders_stuck, (uint32_t)d);
  }
  w->stuck = d > 0;
}

void tg__wf_exiting(struct tg_g *g) {
  struct wf_g *w = tg__wf_of(g);
  if (w && w->nheld > 0 && !w->stuck)
    mark_held(w, 1); /* never taken back: the holder is gone */
}

static void check_lock_wait(struct wf_g *w, struct wf_res *r, const void *res, int kind) {
  /* Nobody else holds it: nothing to follow (the common contended case,
   * a holder that runs). */
  if (!r)
    return;
  if (wait_is_open(w, r, kind)) {
    tg__wf_monitor_kick(); /* the holder may still exit without releasing it */
    return;
  }
  struct wf_hop hops[MAX_HOPS];
  tg__lock_acquire(&tg__wf_graph_lock);
  visit_epoch++;
  w->visit = visit_epoch;
  hops[0] = (struct wf_hop){.w = w, .res = res, .kind = kind};
  int dead = -1;
  int len = search(hops, 0, &dead);
  if (len > 1 && !cycle_still_waits(hops, len))
    len = 0;
  bool report = false;
  if (len > 0) {
    /* Each goroutine is reported in one deadlock only. */
    report = true;
    for (int i = 0; i < len; i++)
      if (hops[i].w->reported)
        report = false;
    if (report)
      for (int i = 0; i < len; i++)
        hops[i].w->reported = true;
  } else if (dead > 0 && !w->reported) {
    w->reported = true;
    report = true;
  }
  tg__lock_release(&tg__wf_graph_lock);
  if (report) {
    if (len == 1) {
      tg__wf_report_deadlock(self_deadlock_why(kind, hops[0].has_held ? &hops[0].held : NULL), hops,
                             1, true);
    } else if (len > 1) {
      char why[160];
      snprintf(why, sizeof why,
               "%d goroutines wait for each other: each waits for a lock the next one holds", len);
      tg__wf_report_deadlock(why, hops, len, true);
    } else {
      tg__wf_report_deadlock(TG__WF_EXITED_HOLDER, hops, 2, false);
    }
  } else if (len == 0) {
    /* The holder may still exit without releasing it: the monitor looks
     * again if the wait lasts. */
    tg__wf_monitor_kick();
  }
}

/* The running goroutine's node as it is about to block, or NULL. A
 * goroutine that blocks holding locks may end up in a report: their
 * acquisition stacks are taken now, while its frames are there. */
static inline struct wf_g *self_blocking(void) {
  struct wf_g *w = self();
  if (!w)
    return NULL;
  struct tg_race_g *rg = w->g->race;
  if (rg && rg->wf_mark)
    tg__wf_keep_stacks(rg);
  return w;
}

void tg__wf_wait_begin(const void *res, enum tg_res_kind kind) {
  tg__wf_leaks_arm();
  struct wf_g *w = self_blocking();
  if (!w)
    return;
  int64_t now = tg__wf_now();
  uint32_t s = tg__wf_write_begin(w);
  if (w->nwait < WF_MAX_WAITS)
    w->waits[w->nwait] = (struct wf_wait){.res = res, .kind = (uint8_t)kind, .since = now};
  w->nwait++;
  w->wait_seq++;
  tg__wf_write_end(w, s);
  if (w->nwait > WF_MAX_WAITS)
    return;
  if (tg__wf_is_lock_kind(kind) && res) {
    if (kind != TG_RES_SEM && w->nheld > 0 && !w->stuck) {
      mark_held(w, 1);
      /* Ordered before our reads of other holders' records, as our wait
       * is (wait_is_open; the search reads them under the graph lock). */
      atomic_thread_fence(memory_order_seq_cst);
    }
    struct wf_res *r = tg__wf_res(res, kind, false);
    if (r && atomic_fetch_add(&r->waiters, 1) == 0)
      atomic_store(&r->contended_since, now);
    if (kind != TG_RES_SEM)
      check_lock_wait(w, r, res, kind);
    else
      tg__wf_monitor_kick();
  } else if (kind != TG_RES_IO && kind != TG_RES_SLEEP)
    tg__wf_monitor_kick();
}

void tg__wf_chan_wait(void) {
  if (self_blocking())
    tg__wf_monitor_kick();
}

void tg__wf_wait_end(const void *res, enum tg_res_kind kind) {
  struct wf_g *w = self();
  if (!w)
    return;
  /* Only a lock's wait is timed here (a channel's wait, every hand-off of
   * a ping-pong, is not: its start is what reports show). */
  bool lock = tg__wf_is_lock_kind(kind) && res;
  int64_t now = lock ? tg__wf_now() : 0;
  uint32_t s = tg__wf_write_begin(w);
  if (w->nwait > WF_MAX_WAITS) {
    w->nwait--;
  } else {
    for (int i = w->nwait - 1; i >= 0; i--) {
      if (w->waits[i].res != res || w->waits[i].kind != kind)
        continue;
      if (lock) {
        struct wf_res *r = tg__wf_res(res, kind, false);
        if (r && atomic_load(&r->waiters) > 0 && atomic_fetch_sub(&r->waiters, 1) == 1)
          atomic_store(&r->contended_since, 0);
        /* A lock's slow path may park several times before it wins the
         * lock: its waits add up until the acquisition takes them. */
        int64_t d = now - w->waits[i].since;
        if (w->last_wait_res == res)
          w->last_wait_ns += d;
        else
          w->last_wait_ns = d;
      }
      w->last_wait_res = res; /* (read only by a lock's acquisition) */
      w->armed = 0;
      if (i + 1 < w->nwait) /* the innermost wait ends first, nearly always */
        memmove(&w->waits[i], &w->waits[i + 1], (size_t)(w->nwait - i - 1) * sizeof w->waits[0]);
      w->nwait--;
      break;
    }
  }
  if (w->stuck && lock && kind != TG_RES_SEM)
    mark_held(w, -1);
  w->wait_seq++;
  tg__wf_write_end(w, s);
}

#endif
