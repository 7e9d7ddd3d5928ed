/* The wait-for graph (race build only): the runtime's wait and lock hooks
 * (detector/hooks.h), the goroutine and lock nodes, and the check made when
 * a goroutine starts waiting for a lock: does the new edge close a cycle of
 * goroutines each waiting for a lock the next one holds?
 *
 * Cost model: acquiring and releasing a lock (the uncontended fast path)
 * touch only the lock's record (one shard lock) and the goroutine's own node;
 * the cycle search runs only when a goroutine is about to park on a lock,
 * which is the slow path anyway. Waits on channels, WaitGroups and Conds
 * are left to the monitor (waitfor_scan.c). */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

tg__lock tg__wf_graph_lock;
/* Every node ever made, under tg__wf_all_lock (nodes are reused in place,
 * never freed, so readers of a stale pointer read a valid node). */
tg__lock tg__wf_all_lock;
struct wf_g *tg__wf_all;

#define RES_BITS    13
#define RES_BUCKETS (1u << RES_BITS)
#define RES_SHARDS  64

/* The lock table, owned by this file: bucket b is guarded by
 * res_locks[b % RES_SHARDS]. Records are never freed: a lock's class and
 * statistics outlive its holders. */
static struct wf_res *res_table[RES_BUCKETS];
static tg__lock res_locks[RES_SHARDS];

void tg__wf_explain_global_deadlock(int fd);

/* The runtime reaches the leak check and the global deadlock explanation
 * through weak references, which do not pull members out of a static
 * library: this table does, since the hooks always link waitfor.o. */
__attribute__((used)) static void *const link_anchor[] = {
    (void *)tg__wf_explain_global_deadlock,
    (void *)tg__wf_report_leaks,
    (void *)tg__wf_check_leaks_at_exit,
};

bool tg__wf_enabled(void) {
  return tg__opts.deadlock;
}

int64_t tg__wf_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void tg__wf_capture_from(struct wf_stack *s, uintptr_t ret) {
  uintptr_t pcs[WF_PCS + 8];
  int n = tg__stack_capture(pcs, WF_PCS + 8, 0);
  int from = 0;
  /* Start at the hook's caller, whatever the compiler inlined around it. */
  for (int i = 0; i < n && i < 8; i++)
    if (pcs[i] == ret) {
      from = i;
      break;
    }
  int k = n - from < WF_PCS ? n - from : WF_PCS;
  if (k < 0)
    k = 0;
  memcpy(s->pcs, pcs + from, (size_t)k * sizeof *pcs);
  s->n = (uint8_t)k;
}

/* ---- goroutine nodes ----------------------------------------------------- */

static void node_init(struct wf_g *w, struct tg_g *g) {
  w->g = g;
  w->id = g->id;
  w->parent_id = g->parent_id;
  w->born = tg__wf_now();
  w->exited = false;
  w->reported = false;
  w->nwait = 0;
  w->chain = 0;
  w->last_wait_res = NULL;
  int n = g->create_depth < TG_CREATE_DEPTH ? g->create_depth : TG_CREATE_DEPTH;
  for (int i = 0; i < n; i++)
    w->create[i] = (uintptr_t)g->create_pcs[i];
  w->ncreate = (uint8_t)(n > 0 ? n : 0);
}

/* g runs a new goroutine (or its first hook): its node is made, or the node
 * of the goroutine that last used this tg_g is reused. A node that still
 * holds locks stays behind as the record of an exited holder. */
static struct wf_g *renew(struct tg_g *g, struct wf_g *old) {
  if (old) {
    tg__lock_acquire(&old->mu);
    bool holds = old->nheld > 0;
    old->exited = true;
    if (!holds) {
      node_init(old, g);
      tg__lock_release(&old->mu);
      return old;
    }
    tg__lock_release(&old->mu);
  }
  struct wf_g *w = tg__wf_alloc(sizeof *w);
  node_init(w, g);
  tg__lock_acquire(&tg__wf_all_lock);
  w->all_next = tg__wf_all;
  tg__wf_all = w;
  tg__lock_release(&tg__wf_all_lock);
  g->wf = w;
  return w;
}

struct wf_g *tg__wf_self(void) {
  if (!tg__opts.deadlock)
    return NULL;
  struct tg_g *g = tg__getg();
  if (!g || g->is_g0)
    return NULL;
  struct wf_g *w = g->wf;
  if (__builtin_expect(w && w->id == g->id && !w->exited, 1))
    return w;
  return renew(g, w);
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

/* Called with the address's shard lock held. */
struct wf_res *tg__wf_res(const void *addr, enum tg_res_kind kind, bool create) {
  unsigned b = res_bucket(addr);
  int fam = res_family(kind);
  for (struct wf_res *r = res_table[b]; r; r = r->next) {
    if (r->addr != addr)
      continue;
    if (r->kind != fam && create) {
      /* The memory now holds another kind of lock: a fresh record. */
      r->kind = (uint8_t)fam;
      r->cls = 0;
      r->writer = NULL;
      r->nreaders = 0;
      r->foreign_release = false;
    }
    return r;
  }
  if (!create)
    return NULL;
  struct wf_res *r = tg__wf_alloc(sizeof *r);
  r->addr = addr;
  r->kind = (uint8_t)fam;
  r->next = res_table[b];
  res_table[b] = r;
  return r;
}

void tg__wf_res_foreach(void (*fn)(struct wf_res *r, void *ctx), void *ctx) {
  for (unsigned s = 0; s < RES_SHARDS; s++) {
    tg__lock_acquire(&res_locks[s]);
    for (unsigned b = s; b < RES_BUCKETS; b += RES_SHARDS)
      for (struct wf_res *r = res_table[b]; r; r = r->next)
        fn(r, ctx);
    tg__lock_release(&res_locks[s]);
  }
}

static void reader_add(struct wf_res *r, struct wf_g *w) {
  for (int i = 0; i < r->nreaders; i++)
    if (r->readers[i].w == w) {
      r->readers[i].count++;
      return;
    }
  if (r->nreaders == r->cap_readers) {
    int cap = r->cap_readers ? r->cap_readers * 2 : 4;
    struct wf_holder *n = tg__wf_alloc((size_t)cap * sizeof *n);
    if (r->nreaders)
      memcpy(n, r->readers, (size_t)r->nreaders * sizeof *n);
    tg__wf_free(r->readers, (size_t)r->cap_readers * sizeof *n);
    r->readers = n;
    r->cap_readers = cap;
  }
  r->readers[r->nreaders++] = (struct wf_holder){.w = w, .count = 1};
}

/* Drops one hold of w (or of anyone, w == NULL); returns whose it was. */
static struct wf_g *reader_drop(struct wf_res *r, struct wf_g *w) {
  for (int i = 0; i < r->nreaders; i++) {
    if (w && r->readers[i].w != w)
      continue;
    struct wf_g *who = r->readers[i].w;
    if (--r->readers[i].count == 0)
      r->readers[i] = r->readers[--r->nreaders];
    return who;
  }
  return NULL;
}

/* ---- held lists ---------------------------------------------------------- */

static struct wf_held *held_push(struct wf_g *w) {
  if (w->nheld == w->cap_held) {
    int cap = w->cap_held ? w->cap_held * 2 : 4;
    struct wf_held *n = tg__wf_alloc((size_t)cap * sizeof *n);
    if (w->nheld)
      memcpy(n, w->held, (size_t)w->nheld * sizeof *n);
    tg__wf_free(w->held, (size_t)w->cap_held * sizeof *n);
    w->held = n;
    w->cap_held = cap;
  }
  return &w->held[w->nheld++];
}

static bool same_half(int held_kind, int kind) {
  return held_kind == kind;
}

static int held_find(struct wf_g *w, const void *lock, int kind) {
  for (int i = w->nheld - 1; i >= 0; i--)
    if (w->held[i].lock == lock && same_half(w->held[i].kind, kind))
      return i;
  return -1;
}

static void held_remove(struct wf_g *w, int i) {
  memmove(&w->held[i], &w->held[i + 1], (size_t)(w->nheld - i - 1) * sizeof w->held[0]);
  w->nheld--;
}

/* ---- acquire / release --------------------------------------------------- */

static void acquired(const void *lock, enum tg_res_kind kind, bool tried, uintptr_t ret) {
  struct wf_g *w = tg__wf_self();
  if (!w || !lock)
    return;
  struct wf_held h = {.lock = lock, .kind = (uint8_t)kind, .tried = tried, .count = 1};
  h.since = tg__wf_now();
  tg__wf_capture_from(&h.at, ret);

  tg__lock *sl = tg__wf_res_lock(lock);
  tg__lock_acquire(sl);
  struct wf_res *r = tg__wf_res(lock, kind, true);
  if (kind == TG_RES_RWMUTEX_R || kind == TG_RES_SEM)
    reader_add(r, w);
  else
    r->writer = w;
  tg__lock_release(sl);
  h.res = r;
  if (!r->cls && kind != TG_RES_SEM)
    tg__lockorder_class(r, &h.at);

  int64_t waited = 0;
  tg__lock_acquire(&w->mu);
  if (w->last_wait_res == lock) {
    waited = w->last_wait_ns;
    w->last_wait_res = NULL;
  }
  int i = kind == TG_RES_SEM ? held_find(w, lock, kind) : -1;
  if (i >= 0)
    w->held[i].count++;
  else
    *held_push(w) = h;
  tg__lock_release(&w->mu);

  if (kind != TG_RES_SEM)
    tg__lockorder_acquired(w, &h);
  tg__starv_acquired(w, r, waited, waited > 0);
}

void tg__wf_lock_acquired(const void *lock, enum tg_res_kind kind) {
  acquired(lock, kind, false, (uintptr_t)__builtin_return_address(0));
}
void tg__wf_lock_tried(const void *lock, enum tg_res_kind kind) {
  acquired(lock, kind, true, (uintptr_t)__builtin_return_address(0));
}

/* A release by a goroutine that does not hold the lock: for a semaphore
 * that is allowed (any goroutine may release units); for a lock it is a
 * misuse, reported, and the holder's record is dropped. */
static void foreign_release(struct wf_g *w, const void *lock, enum tg_res_kind kind) {
  tg__lock *sl = tg__wf_res_lock(lock);
  tg__lock_acquire(sl);
  struct wf_res *r = tg__wf_res(lock, kind, false);
  struct wf_g *holder = NULL;
  if (r) {
    if (kind == TG_RES_SEM || kind == TG_RES_RWMUTEX_R) {
      holder = reader_drop(r, NULL);
      if (kind == TG_RES_SEM)
        r->foreign_release = true;
    } else {
      holder = r->writer;
      r->writer = NULL;
    }
  }
  tg__lock_release(sl);
  if (holder && holder != w) {
    tg__lock_acquire(&holder->mu);
    int i = held_find(holder, lock, kind);
    if (i >= 0 && --holder->held[i].count == 0)
      held_remove(holder, i);
    tg__lock_release(&holder->mu);
  }
  if (kind == TG_RES_SEM)
    return;
  uintptr_t pcs[16];
  int n = tg__stack_capture(pcs, 16, 2);
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

void tg__wf_lock_released(const void *lock, enum tg_res_kind kind) {
  struct wf_g *w = tg__wf_self();
  if (!w || !lock)
    return;
  int64_t now = tg__wf_now();
  tg__lock_acquire(&w->mu);
  int i = held_find(w, lock, kind);
  int64_t since = 0;
  bool gone = false;
  if (i >= 0) {
    since = w->held[i].since;
    if (--w->held[i].count == 0) {
      held_remove(w, i);
      gone = true;
    }
    /* The chain restarts from what is still held (lockorder.c). */
    w->chain = 0;
  }
  tg__lock_release(&w->mu);
  if (i < 0) {
    foreign_release(w, lock, kind);
    return;
  }
  tg__lock *sl = tg__wf_res_lock(lock);
  tg__lock_acquire(sl);
  struct wf_res *r = tg__wf_res(lock, kind, false);
  if (r) {
    if (kind == TG_RES_RWMUTEX_R || kind == TG_RES_SEM)
      reader_drop(r, w);
    else if (r->writer == w)
      r->writer = NULL;
  }
  tg__lock_release(sl);
  if (r && gone)
    tg__starv_released(w, r, now - since);
}

/* ---- waits and the cycle search ------------------------------------------ */

#define MAX_HOPS     64
#define MAX_BLOCKERS 64

/* Who must act before a goroutine waiting on r (kind) can go on: the
 * holders for a mutex, a Once and a writer (all readers too); for a reader,
 * the writer holding it and the writers queued (Go's RWMutex lets no new
 * reader in while a writer waits). Semaphores are not followed: any holder
 * may release enough units, so a cycle through one is not a deadlock by
 * itself (the monitor decides those). */
static int blockers(const void *res, int kind, struct wf_g **out, struct wf_g *self) {
  int n = 0;
  tg__lock *sl = tg__wf_res_lock(res);
  tg__lock_acquire(sl);
  struct wf_res *r = tg__wf_res(res, kind, false);
  if (r) {
    if (r->writer)
      out[n++] = r->writer;
    if (kind == TG_RES_RWMUTEX_W)
      for (int i = 0; i < r->nreaders && n < MAX_BLOCKERS; i++)
        out[n++] = r->readers[i].w;
  }
  tg__lock_release(sl);
  if (kind == TG_RES_RWMUTEX_R) {
    tg__lock_acquire(&tg__wf_all_lock);
    for (struct wf_g *o = tg__wf_all; o && n < MAX_BLOCKERS; o = o->all_next) {
      if (o == self)
        continue;
      /* A racy read of another node's top wait: confirmed under its lock. */
      tg__lock_acquire(&o->mu);
      struct wf_wait *t = tg__wf_top_wait(o);
      bool writer_waits = t && t->res == res && t->kind == TG_RES_RWMUTEX_W && !o->exited;
      tg__lock_release(&o->mu);
      if (writer_waits)
        out[n++] = o;
    }
    tg__lock_release(&tg__wf_all_lock);
  }
  return n;
}

static bool held_entry(struct wf_g *w, const void *res, struct wf_held *out) {
  bool found = false;
  tg__lock_acquire(&w->mu);
  for (int i = w->nheld - 1; i >= 0; i--)
    if (w->held[i].lock == res) {
      *out = w->held[i];
      found = true;
      break;
    }
  tg__lock_release(&w->mu);
  return found;
}

static uint32_t visit_epoch; /* under tg__wf_graph_lock */

/* Depth-first search from hops[depth] (cur waits on res) back to hops[0]'s
 * goroutine. Returns the cycle's length, or 0. *dead is set to the depth at
 * which an exited holder was met first (for the first hop only). */
static int search(struct wf_hop *hops, int depth, int *dead) {
  struct wf_g *blk[MAX_BLOCKERS];
  struct wf_hop *cur = &hops[depth];
  int nb = blockers(cur->res, cur->kind, blk, cur->w);
  for (int i = 0; i < nb; i++) {
    struct wf_g *b = blk[i];
    if (b == hops[0].w) {
      hops[0].has_held = held_entry(b, cur->res, &hops[0].held);
      return depth + 1;
    }
    if (depth + 1 >= MAX_HOPS)
      continue;
    struct wf_hop *next = &hops[depth + 1];
    *next = (struct wf_hop){.w = b};
    if (tg__wf_exited(b)) {
      if (depth == 0 && *dead < 0) {
        next->has_held = held_entry(b, cur->res, &next->held);
        next->holder_exited = true;
        *dead = 1;
      }
      continue;
    }
    if (b->visit == visit_epoch)
      continue;
    b->visit = visit_epoch;
    tg__lock_acquire(&b->mu);
    struct wf_wait *t = tg__wf_top_wait(b);
    bool follows = t && tg__wf_is_lock_kind(t->kind) && t->kind != TG_RES_SEM;
    if (follows) {
      next->res = t->res;
      next->kind = t->kind;
    }
    tg__lock_release(&b->mu);
    if (!follows)
      continue;
    next->has_held = held_entry(b, cur->res, &next->held);
    int len = search(hops, depth + 1, dead);
    if (len)
      return len;
  }
  return 0;
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

static void check_lock_wait(struct wf_g *w, const void *res, int kind) {
  struct wf_hop *hops = tg__wf_alloc(MAX_HOPS * sizeof *hops);
  tg__lock_acquire(&tg__wf_graph_lock);
  visit_epoch++;
  w->visit = visit_epoch;
  hops[0] = (struct wf_hop){.w = w, .res = res, .kind = kind};
  int dead = -1;
  int len = search(hops, 0, &dead);
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
  } else {
    /* The holder may still exit without releasing it: the monitor looks
     * again later. */
    tg__wf_monitor_kick();
  }
  tg__wf_free(hops, MAX_HOPS * sizeof *hops);
}

void tg__wf_wait_begin(const void *res, enum tg_res_kind kind) {
  tg__wf_leaks_arm();
  struct wf_g *w = tg__wf_self();
  if (!w)
    return;
  int64_t now = tg__wf_now();
  tg__lock_acquire(&w->mu);
  if (w->nwait < WF_MAX_WAITS)
    w->waits[w->nwait] = (struct wf_wait){.res = res, .kind = (uint8_t)kind, .since = now};
  w->nwait++;
  w->wait_seq++;
  tg__lock_release(&w->mu);
  if (w->nwait > WF_MAX_WAITS)
    return;
  if (tg__wf_is_lock_kind(kind) && kind != TG_RES_SEM && res)
    check_lock_wait(w, res, kind);
  else if (kind != TG_RES_IO && kind != TG_RES_SLEEP)
    tg__wf_monitor_kick();
}

void tg__wf_wait_end(const void *res, enum tg_res_kind kind) {
  struct wf_g *w = tg__wf_self();
  if (!w)
    return;
  int64_t now = tg__wf_now();
  tg__lock_acquire(&w->mu);
  if (w->nwait > WF_MAX_WAITS) {
    w->nwait--;
  } else {
    for (int i = w->nwait - 1; i >= 0; i--) {
      if (w->waits[i].res != res || w->waits[i].kind != kind)
        continue;
      /* A lock's slow path may park several times before it wins the lock:
       * its waits add up until the acquisition takes them. */
      int64_t d = now - w->waits[i].since;
      if (w->last_wait_res == res)
        w->last_wait_ns += d;
      else
        w->last_wait_ns = d;
      w->last_wait_res = res;
      memmove(&w->waits[i], &w->waits[i + 1], (size_t)(w->nwait - i - 1) * sizeof w->waits[0]);
      w->nwait--;
      break;
    }
  }
  w->wait_seq++;
  tg__lock_release(&w->mu);
}

#endif
