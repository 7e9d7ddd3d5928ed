/* Lock-order inversions, after Linux's lockdep (race build only).
 *
 * A lock's class is the place in the program where the lock was first
 * acquired: the call site of that acquisition in the program (tangle's
 * locks are plain zeroed memory with no initializer to name them, so the
 * first Lock call site stands for the lock's "definition"). Two locks first
 * taken on the same line share a class.
 *
 * Acquiring B while holding A adds the edge class(A) -> class(B), recorded
 * once with both acquisition stacks; a new edge that closes a cycle in the
 * class graph (of any length) is an inversion, reported even though this run
 * did not deadlock. Locks of one class nested in each other (two accounts
 * locked by one transfer function) are ordered per instance instead: the
 * inversion is the same two locks taken in both orders. Read locks count:
 * with a writer queued, Go's RLock blocks, so RLock edges deadlock too.
 *
 * Each acquisition's held-class sequence (its chain) is hashed; a chain seen
 * before adds nothing new and is skipped without taking a lock (lockdep's
 * chain cache). */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <stdio.h>
#include <string.h>

struct lo_class {
  uintptr_t site;
  int kind;
  uint32_t out; /* first outgoing edge (index), 0: none */
  uint32_t visit, parent_edge;
};

struct lo_edge {
  uint32_t from, to;
  uint32_t next_out;  /* next edge out of `from` */
  uint32_t hash_next; /* next edge in the (from, to) hash chain */
  uint64_t gid;
  const void *from_lock, *to_lock;
  uint8_t from_kind, to_kind;
  struct wf_stack from_at, to_at;
  uint8_t ncreate;
  uintptr_t create[TG_CREATE_DEPTH];
};

/* The class graph, owned by this file, under lo_lock. Index 0 of both
 * arrays is unused (0 means "none"). */
static tg__lock lo_lock;
static struct lo_class *classes;
static uint32_t nclasses, cap_classes;
static struct lo_edge *edges;
static uint32_t nedges, cap_edges;
#define EDGE_HASH 4096
static uint32_t edge_hash[EDGE_HASH];
#define SITE_HASH 4096
static uint32_t site_hash[SITE_HASH]; /* open addressing: class ids */
static uint32_t visit_epoch;
/* Reported cycles (their class sets' hashes). */
#define REPORTED_MAX 1024
static uint64_t reported[REPORTED_MAX];
static int nreported;

/* Same-class pairs: (first, second) instances, indexes into edges. */
#define PAIR_HASH 4096
static uint32_t pair_hash[PAIR_HASH];

/* Lock-free sets of 64-bit keys (0 = empty), read without the lock: the
 * chain cache and the known class pairs. Full sets just stop caching. */
#define SEEN_BITS 15
static _Atomic uint64_t chains_seen[1u << SEEN_BITS];
static _Atomic uint64_t pairs_seen[1u << SEEN_BITS];

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h;
}

static uint64_t fin(uint64_t x) {
  x ^= x >> 31;
  x *= 0x7FB5D329728EA185ull;
  x ^= x >> 27;
  return x ? x : 1;
}

static bool seen_has(_Atomic uint64_t *set, uint64_t key) {
  uint32_t mask = (1u << SEEN_BITS) - 1;
  for (uint32_t i = (uint32_t)key & mask, n = 0; n < 16; i = (i + 1) & mask, n++) {
    uint64_t v = atomic_load_explicit(&set[i], memory_order_acquire);
    if (v == key)
      return true;
    if (v == 0)
      return false;
  }
  return false;
}

static void seen_add(_Atomic uint64_t *set, uint64_t key) {
  uint32_t mask = (1u << SEEN_BITS) - 1;
  for (uint32_t i = (uint32_t)key & mask, n = 0; n < 16; i = (i + 1) & mask, n++) {
    uint64_t zero = 0;
    if (atomic_compare_exchange_strong(&set[i], &zero, key) || zero == key)
      return;
  }
}

static void *grow(void *old, uint32_t n, uint32_t *cap, size_t elem) {
  uint32_t c = *cap ? *cap * 2 : 64;
  void *p = tg__wf_alloc(c * elem);
  if (old) {
    memcpy(p, old, n * elem);
    tg__wf_free(old, *cap * elem);
  }
  *cap = c;
  return p;
}

/* ---- classes ------------------------------------------------------------- */

static uint32_t class_lookup(uintptr_t site, int kind) {
  uint32_t mask = SITE_HASH - 1;
  uint32_t i = (uint32_t)fin(mix(site, (uint64_t)kind)) & mask;
  for (uint32_t n = 0; n < SITE_HASH; n++, i = (i + 1) & mask) {
    uint32_t c = site_hash[i];
    if (c == 0) {
      if (nclasses + 1 >= cap_classes)
        classes = grow(classes, nclasses + 1, &cap_classes, sizeof *classes);
      uint32_t id = ++nclasses;
      classes[id] = (struct lo_class){.site = site, .kind = kind};
      if (n < SITE_HASH / 2)
        site_hash[i] = id;
      return id;
    }
    if (classes[c].site == site && classes[c].kind == kind)
      return c;
  }
  return 0;
}

uint32_t tg__lockorder_class(struct wf_res *r, const struct wf_stack *at) {
  /* The acquisition's call site in the program: the runtime passes it as
   * the stack's first pc (no symbolization here: the first lock of a
   * program must not pay for loading debug information). */
  uintptr_t site = at->n ? at->pcs[0] : 0;
  tg__lock_acquire(&lo_lock);
  uint32_t c = r->cls;
  if (!c) {
    c = class_lookup(site, r->kind);
    r->cls = c;
  }
  tg__lock_release(&lo_lock);
  return c;
}

uintptr_t tg__lockorder_class_site(uint32_t cls) {
  tg__lock_acquire(&lo_lock);
  uintptr_t s = cls && cls <= nclasses ? classes[cls].site : 0;
  tg__lock_release(&lo_lock);
  return s;
}

/* ---- edges --------------------------------------------------------------- */

struct held_snap {
  const void *lock;
  uint32_t cls;
  uint8_t kind;
  struct wf_stack at;
};

static uint32_t edge_new(uint32_t from, uint32_t to, const struct held_snap *a,
                         const struct wf_held *b, struct wf_g *w) {
  if (nedges + 1 >= cap_edges)
    edges = grow(edges, nedges + 1, &cap_edges, sizeof *edges);
  uint32_t id = ++nedges;
  struct lo_edge *e = &edges[id];
  *e = (struct lo_edge){.from = from,
                        .to = to,
                        .gid = w->id,
                        .from_lock = a->lock,
                        .to_lock = b->lock,
                        .from_kind = a->kind,
                        .to_kind = b->kind,
                        .from_at = a->at,
                        .to_at = b->at,
                        .ncreate = w->ncreate};
  memcpy(e->create, w->create, sizeof e->create);
  return id;
}

/* A path of class edges from `src` to `dst` (breadth first, so the
 * shortest); writes edge ids in order, returns its length or 0. */
static int class_path(uint32_t src, uint32_t dst, uint32_t *out, int max) {
  visit_epoch++;
  uint32_t *queue = tg__wf_alloc((nclasses + 1) * sizeof *queue);
  int qh = 0, qt = 0;
  queue[qt++] = src;
  classes[src].visit = visit_epoch;
  classes[src].parent_edge = 0;
  int len = 0;
  while (qh < qt) {
    uint32_t c = queue[qh++];
    if (c == dst) {
      uint32_t tmp[64];
      int n = 0;
      for (uint32_t x = dst; x != src && n < 64; x = edges[classes[x].parent_edge].from)
        tmp[n++] = classes[x].parent_edge;
      if (n <= max) {
        for (int i = 0; i < n; i++)
          out[i] = tmp[n - 1 - i];
        len = n;
      }
      break;
    }
    for (uint32_t e = classes[c].out; e; e = edges[e].next_out) {
      uint32_t t = edges[e].to;
      if (classes[t].visit == visit_epoch)
        continue;
      classes[t].visit = visit_epoch;
      classes[t].parent_edge = e;
      queue[qt++] = t;
    }
  }
  tg__wf_free(queue, (nclasses + 1) * sizeof *queue);
  return len;
}

static bool already_reported(const uint32_t *cyc, int n, bool by_instance) {
  uint64_t h = by_instance ? 0x696e7374 : 0;
  /* order-independent: the set of classes (or instances) */
  uint64_t acc = 0;
  for (int i = 0; i < n; i++)
    acc += fin(by_instance ? (uintptr_t)edges[cyc[i]].from_lock : edges[cyc[i]].from);
  h = fin(mix(h, acc));
  for (int i = 0; i < nreported; i++)
    if (reported[i] == h)
      return true;
  if (nreported < REPORTED_MAX)
    reported[nreported++] = h;
  return false;
}

static void report(const struct lo_edge *cyc, int n, bool by_instance);

/* Adds the edge a -> b (if new) and reports the cycle it closes. */
static void add_edge(const struct held_snap *a, const struct wf_held *b, uint32_t bcls,
                     struct wf_g *w) {
  uint64_t key = fin(mix((uint64_t)a->cls << 32 | bcls, 0x6564));
  if (seen_has(pairs_seen, key))
    return;
  struct lo_edge cyc[32];
  int n = 0;
  tg__lock_acquire(&lo_lock);
  uint32_t hb = (uint32_t)key & (EDGE_HASH - 1);
  uint32_t e;
  for (e = edge_hash[hb]; e; e = edges[e].hash_next)
    if (edges[e].from == a->cls && edges[e].to == bcls)
      break;
  if (!e) {
    e = edge_new(a->cls, bcls, a, b, w);
    edges[e].hash_next = edge_hash[hb];
    edge_hash[hb] = e;
    edges[e].next_out = classes[a->cls].out;
    classes[a->cls].out = e;
    uint32_t path[31];
    int len = class_path(bcls, a->cls, path, 31);
    if (len > 0) {
      uint32_t ids[32];
      ids[0] = e;
      memcpy(ids + 1, path, (size_t)len * sizeof *path);
      if (!already_reported(ids, len + 1, false)) {
        n = len + 1;
        for (int i = 0; i < n; i++)
          cyc[i] = edges[ids[i]];
      }
    }
  }
  tg__lock_release(&lo_lock);
  seen_add(pairs_seen, key);
  if (n)
    report(cyc, n, false);
}

/* Two locks of one class nested: ordered per instance. */
static void add_pair(const struct held_snap *a, const struct wf_held *b, struct wf_g *w) {
  struct lo_edge cyc[2];
  int n = 0;
  uint64_t key = fin(mix((uintptr_t)a->lock, (uintptr_t)b->lock));
  uint64_t rkey = fin(mix((uintptr_t)b->lock, (uintptr_t)a->lock));
  tg__lock_acquire(&lo_lock);
  uint32_t e, r;
  for (e = pair_hash[key & (PAIR_HASH - 1)]; e; e = edges[e].hash_next)
    if (edges[e].from_lock == a->lock && edges[e].to_lock == b->lock)
      break;
  if (!e) {
    e = edge_new(a->cls, a->cls, a, b, w);
    edges[e].hash_next = pair_hash[key & (PAIR_HASH - 1)];
    pair_hash[key & (PAIR_HASH - 1)] = e;
    for (r = pair_hash[rkey & (PAIR_HASH - 1)]; r; r = edges[r].hash_next)
      if (edges[r].from_lock == b->lock && edges[r].to_lock == a->lock)
        break;
    uint32_t ids[2] = {e, r};
    if (r && !already_reported(ids, 2, true)) {
      cyc[0] = edges[e];
      cyc[1] = edges[r];
      n = 2;
    }
  }
  tg__lock_release(&lo_lock);
  if (n)
    report(cyc, n, true);
}

static void report_recursive_read(const struct held_snap *a, const struct wf_held *b,
                                  struct wf_g *w);

void tg__lockorder_acquired(struct wf_g *w, struct wf_held *h) {
  uint32_t cls = h->res ? h->res->cls : 0;
  if (!cls)
    return;
  enum { MAXH = 16 };
  struct held_snap snap[MAXH];
  int n = 0;
  /* The running goroutine reads its own list: no lock needed. The new
   * entry is the last one; everything before it was held first. */
  int upto = w->nheld - 1;
  for (int i = upto - MAXH < 0 ? 0 : upto - MAXH; i < upto; i++) {
    struct wf_held *p = &w->held[i];
    if (p->kind == TG_RES_SEM || !p->res || !p->res->cls)
      continue;
    snap[n++] =
        (struct held_snap){.lock = p->lock, .cls = p->res->cls, .kind = p->kind, .at = p->at};
  }
  if (n == 0 || h->tried)
    return;
  uint64_t chain = 0x636861696e;
  bool same_class = false;
  for (int i = 0; i < n; i++) {
    chain = mix(chain, snap[i].cls);
    if (snap[i].cls == cls)
      same_class = true;
  }
  chain = fin(mix(chain, cls));
  if (!same_class && seen_has(chains_seen, chain))
    return;
  for (int i = 0; i < n; i++) {
    if (snap[i].lock == h->lock) {
      if (snap[i].kind == TG_RES_RWMUTEX_R && h->kind == TG_RES_RWMUTEX_R)
        report_recursive_read(&snap[i], h, w);
      continue; /* a mutex taken twice blocks: the wait-for graph reports it */
    }
    if (snap[i].cls == cls)
      add_pair(&snap[i], h, w);
    else
      add_edge(&snap[i], h, cls, w);
  }
  if (!same_class)
    seen_add(chains_seen, chain);
}

/* ---- reports ------------------------------------------------------------- */

static void put_lock(struct tg_buf *b, const void *lock, int kind) {
  tg__wf_put_res(b, lock, kind);
}

static const char *op(int kind) {
  return kind == TG_RES_RWMUTEX_R ? "rlock" : "lock";
}

static void put_scenario(struct tg_buf *b, const struct lo_edge *cyc, int n) {
  enum { COL = 34 };
  tg__buf_str(b, "\nPossible deadlock scenario, if these run at the same time:\n\n");
  char line[512];
  int w = 0;
  for (int i = 0; i < n; i++) {
    snprintf(line + w, sizeof line - (size_t)w, "%-*s", COL, "");
    char head[64];
    snprintf(head, sizeof head, "  goroutine %llu", (unsigned long long)cyc[i].gid);
    memcpy(line + w, head, strlen(head));
    w += COL;
  }
  tg__buf_printf(b, "%s\n", line);
  w = 0;
  for (int i = 0; i < n; i++) {
    snprintf(line + w, sizeof line - (size_t)w, "%-*s", COL, "  ----");
    w += COL;
  }
  tg__buf_printf(b, "%s\n", line);
  /* Step 1: each takes its first lock; step 2: each asks for its second. */
  for (int step = 0; step < 2; step++)
    for (int i = 0; i < n; i++) {
      char nm[64];
      const void *l = step == 0 ? cyc[i].from_lock : cyc[i].to_lock;
      int k = step == 0 ? cyc[i].from_kind : cyc[i].to_kind;
      snprintf(nm, sizeof nm, "%s(%c)", op(k), 'A' + (step == 0 ? i : (i + 1) % n));
      (void)l;
      tg__buf_printf(b, "%*s  %s;%s\n", i * COL, "", nm, step == 1 ? "  <- blocks" : "");
    }
  tg__buf_str(b, "\n *** DEADLOCK ***\n\nwhere:\n");
  for (int i = 0; i < n; i++) {
    tg__buf_printf(b, "  %c = ", 'A' + i);
    put_lock(b, cyc[i].from_lock, cyc[i].from_kind);
    tg__buf_str(b, "\n");
  }
}

static void report(const struct lo_edge *cyc, int n, bool by_instance) {
  TG_REPORT_IN_FLIGHT();
  struct tg_buf b = {0};
  tg__buf_str(&b, "WARNING: LOCK ORDER INVERSION\n");
  char msg[200];
  snprintf(msg, sizeof msg,
           "%d locks taken in inconsistent orders (a cycle in the lock-order graph%s); no "
           "deadlock happened in this run, but one is possible",
           n, by_instance ? ", same-class locks ordered per instance" : "");
  tg__buf_printf(&b, "%s.\n", msg);
  tg__buf_str(&b, "Cycle: ");
  for (int i = 0; i < n; i++) {
    put_lock(&b, cyc[i].from_lock, cyc[i].from_kind);
    tg__buf_str(&b, " -> ");
  }
  put_lock(&b, cyc[0].from_lock, cyc[0].from_kind);
  tg__buf_str(&b, "\n");

  struct tg_report_goroutine gs[32];
  struct tg_report_edge es[32];
  struct tg_buf names[32][2];
  memset(names, 0, sizeof names);
  uint64_t key = 0x6c6f636b6f72;
  for (int i = 0; i < n; i++) {
    const struct lo_edge *e = &cyc[i];
    tg__buf_printf(&b, "\nGoroutine %llu acquired ", (unsigned long long)e->gid);
    put_lock(&b, e->to_lock, e->to_kind);
    tg__buf_str(&b, " while holding ");
    put_lock(&b, e->from_lock, e->from_kind);
    tg__buf_str(&b, " at:\n");
    tg__wf_put_stack(&b, e->to_at.pcs, e->to_at.n);
    tg__buf_str(&b, "having acquired ");
    put_lock(&b, e->from_lock, e->from_kind);
    tg__buf_str(&b, " at:\n");
    tg__wf_put_stack(&b, e->from_at.pcs, e->from_at.n);
    if (e->ncreate && e->gid != 1) {
      tg__buf_printf(&b, "Goroutine %llu created at:\n", (unsigned long long)e->gid);
      tg__wf_put_stack(&b, e->create, e->ncreate);
    }
    put_lock(&names[i][0], e->from_lock, e->from_kind);
    put_lock(&names[i][1], e->to_lock, e->to_kind);
    gs[i] = (struct tg_report_goroutine){
        .id = e->gid,
        .state = "acquired a lock while holding another",
        .waiting_on = names[i][1].s,
        .created_at = {.pcs = e->create, .n = e->ncreate},
        .stack = {.pcs = e->to_at.pcs, .n = e->to_at.n},
    };
    es[i] = (struct tg_report_edge){
        .goroutine = e->gid,
        .holds = names[i][0].s,
        .holds_at = {.pcs = e->from_at.pcs, .n = e->from_at.n},
        .waits_for = names[i][1].s,
        .waits_at = {.pcs = e->to_at.pcs, .n = e->to_at.n},
    };
    key += fin(by_instance ? (uintptr_t)e->from_lock : e->from);
  }
  put_scenario(&b, cyc, n);
  struct tg_finding f = {
      .kind = TG_FIND_LOCK_ORDER,
      .message = msg,
      .goroutines = gs,
      .ngoroutines = n,
      .cycle = es,
      .ncycle = n,
      .dedup_key = fin(key),
  };
  tg__report_emit(&f, b.s ? b.s : "WARNING: LOCK ORDER INVERSION\n");
  tg__buf_free(&b);
  for (int i = 0; i < n; i++) {
    tg__buf_free(&names[i][0]);
    tg__buf_free(&names[i][1]);
  }
}

static void report_recursive_read(const struct held_snap *a, const struct wf_held *b,
                                  struct wf_g *w) {
  TG_REPORT_IN_FLIGHT();
  uint64_t key = fin(mix(0x72726c, a->cls));
  if (seen_has(pairs_seen, key))
    return;
  seen_add(pairs_seen, key);
  const char *msg = "recursive read lock: the goroutine read-locks an rwmutex it already holds "
                    "for reading; a writer queued between the two RLocks deadlocks them (Go's "
                    "RWMutex admits no new reader while a writer waits)";
  struct tg_buf b0 = {0};
  tg__buf_str(&b0, "WARNING: LOCK ORDER INVERSION\n");
  tg__buf_printf(&b0, "%s.\n", msg);
  tg__buf_printf(&b0, "\nGoroutine %llu read-locks ", (unsigned long long)w->id);
  put_lock(&b0, b->lock, b->kind);
  tg__buf_str(&b0, " again at:\n");
  tg__wf_put_stack(&b0, b->at.pcs, b->at.n);
  tg__buf_str(&b0, "having read-locked it at:\n");
  tg__wf_put_stack(&b0, a->at.pcs, a->at.n);
  tg__wf_put_created(&b0, w);
  tg__buf_str(&b0, "\nPossible deadlock scenario:\n\n"
                   "  goroutine ");
  tg__buf_printf(&b0, "%llu                      another goroutine\n", (unsigned long long)w->id);
  tg__buf_str(&b0, "  ----                              ----\n"
                   "  rlock(A);\n"
                   "                                    lock(A);  <- waits for the reader\n"
                   "  rlock(A);  <- waits for the writer\n\n *** DEADLOCK ***\n\nwhere:\n  A = ");
  put_lock(&b0, b->lock, b->kind);
  tg__buf_str(&b0, "\n");
  struct tg_buf nm = {0};
  put_lock(&nm, b->lock, b->kind);
  struct tg_report_goroutine g = {
      .id = w->id,
      .state = "read-locked an rwmutex it holds",
      .waiting_on = nm.s,
      .created_at = {.pcs = w->create, .n = w->ncreate},
      .stack = {.pcs = b->at.pcs, .n = b->at.n},
  };
  struct tg_report_edge e = {
      .goroutine = w->id,
      .holds = nm.s,
      .holds_at = {.pcs = a->at.pcs, .n = a->at.n},
      .waits_for = nm.s,
      .waits_at = {.pcs = b->at.pcs, .n = b->at.n},
  };
  struct tg_finding f = {
      .kind = TG_FIND_LOCK_ORDER,
      .message = msg,
      .goroutines = &g,
      .ngoroutines = 1,
      .cycle = &e,
      .ncycle = 1,
      .dedup_key = key,
  };
  tg__report_emit(&f, b0.s ? b0.s : "WARNING: LOCK ORDER INVERSION\n");
  tg__buf_free(&b0);
  tg__buf_free(&nm);
}

#endif
