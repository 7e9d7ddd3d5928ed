/* The wait-for graph's internal interface (race build only), shared by
 * waitfor*.c, lockorder.c, leak.c and starvation.c.
 *
 * Nodes are goroutines (struct wf_g, hung on tg_g's `wf` field) and lock
 * resources (struct wf_res, in a sharded table keyed by address). A goroutine
 * has edges to what it waits for (its wait stack) and a lock has edges to its
 * holders (the goroutines' held lists and the resource's holder fields).
 * Channels, WaitGroups and Conds have no record: nobody holds them, and who
 * could complete a wait on them is decided by the monitor (waitfor_scan.c).
 * docs/design.md, section "Wait-for graph", explains the design. */
#ifndef TANGLE_WAITFOR_H
#define TANGLE_WAITFOR_H
#ifdef TANGLE_RACE

#include "report.h"
#include "report_buf.h"
#include "rt.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WF_PCS 8 /* frames kept of an acquisition's stack */

struct wf_stack {
  uint8_t n;
  uintptr_t pcs[WF_PCS];
};

struct wf_res;
struct wf_stat;
struct wf_stat_table;

/* A lock a goroutine holds (its held list, in acquisition order). */
struct wf_held {
  const void *lock;
  struct wf_res *res;
  struct wf_stat *st; /* its statistics (starvation.c) */
  uint8_t kind;       /* TG_RES_MUTEX, _RWMUTEX_R, _RWMUTEX_W, _ONCE, _SEM */
  bool tried;         /* acquired by a trylock: no lock-order edge into it */
  bool plain;         /* exclusive, held once, no hold time measured: its
                         release takes the fast path */
  bool untimed;       /* waited on, but not a sampled hold (tg__starv_sample):
                         its release takes the fast path all the same */
  uint8_t weight;     /* holds the timed one stands for */
  uint32_t count;     /* semaphore acquisitions */
  int64_t since;
  /* Where it was acquired. The fast path records only the call site
   * (at.pcs[0], at.n = 1) and the depth of the goroutine's shadow call
   * stack (`lazy`, nonzero): the callers are copied out of it when they
   * are about to be lost (a return below that depth, the goroutine's end)
   * or needed (it blocks, takes another lock): tg__wf_keep_stacks. */
  uint32_t lazy;
  struct wf_stack at;
};

/* What a goroutine waits for (its wait stack: a semaphore acquire with a
 * context waits in a select inside it, so waits nest). */
struct wf_wait {
  const void *res;
  uint8_t kind;
  /* When it began (tg__wf_now); 0 for a channel wait read from the park
   * (tg__wf_top_wait_of), which the park's coarse time dates
   * (tg__wf_wait_age). */
  int64_t since;
};

#define WF_MAX_WAITS 4

/* A goroutine's node. Its held list, wait stack and last wait are written by
 * the goroutine alone, inside a sequence lock (`seq` odd while writing):
 * other threads read them with tg__wf_read_* and retry on a change. */
struct wf_g {
  _Atomic uint32_t seq;
  struct tg_g *g;
  uint64_t id, parent_id;
  int64_t born;
  bool exited;   /* it ended (found when its tg_g was reused or is dead) */
  bool reported; /* already in a deadlock report (under the graph lock) */
  int nheld, cap_held;
  struct wf_held *held;
  int nwait;
  struct wf_wait waits[WF_MAX_WAITS];
  uint64_t wait_seq; /* bumped by every wait begin and end */
  /* The waits for the lock being acquired, summed until it is acquired. */
  const void *last_wait_res;
  int64_t last_wait_ns;
  uint32_t visit; /* cycle search epoch (under the graph lock) */
  uint8_t ncreate;
  uintptr_t create[TG_CREATE_DEPTH];
  /* Per-lock statistics (starvation.c): written by the goroutine alone; a
   * table is replaced, never changed in size, so a reader loads it once. */
  struct wf_stat_table *_Atomic stats;
  int nstats;
  /* held[0] is a plain exclusive hold of this lock with last_stat from the
   * last fast acquisition: the next one rewrites only its call site. Any
   * other write to held[] clears it. */
  struct wf_res *ready;
  /* The lock (and kind) whose next acquisition takes the uncontended fast path
   * (waitfor.c, fast_acquire): held[0] is ready for it in the plain mode,
   * last_stat is its statistics, no wait of this goroutine is pending. */
  uintptr_t armed;
  struct wf_res *last_res; /* the last lock acquired, and its statistics */
  struct wf_stat *last_stat;
  struct wf_g *all_next; /* every wf_g ever made (never freed) */
  /* Its held records count it in holders_stuck: it waits for a lock while
   * holding some, or it exited holding some. */
  bool stuck;
};

static inline uint32_t tg__wf_write_begin(struct wf_g *w) {
  uint32_t s = atomic_load_explicit(&w->seq, memory_order_relaxed);
  atomic_store_explicit(&w->seq, s + 1, memory_order_relaxed);
  atomic_thread_fence(memory_order_release);
  return s;
}
static inline void tg__wf_write_end(struct wf_g *w, uint32_t s) {
  atomic_store_explicit(&w->seq, s + 2, memory_order_release);
}
uint32_t tg__wf_read_begin(struct wf_g *w);
static inline bool tg__wf_read_retry(struct wf_g *w, uint32_t s) {
  atomic_thread_fence(memory_order_acquire);
  return atomic_load_explicit(&w->seq, memory_order_relaxed) != s;
}
/* Copies of another goroutine's wait and held state (consistent snapshots). */
bool tg__wf_top_wait_of(struct wf_g *w, struct wf_wait *out, uint64_t *wait_seq);
bool tg__wf_outer_wait_of(struct wf_g *w, struct wf_wait *out);
bool tg__wf_held_of(struct wf_g *w, const void *lock, struct wf_held *out);

/* A goroutine that holds part of a shared resource (rwmutex readers,
 * semaphore units). */
struct wf_holder {
  struct wf_g *w;
  uint32_t count;
};

/* The holders of a shared resource are kept in slots, each claimed by one
 * node with a CAS and kept by it while it does not hold (its next hold
 * writes only its own cache line, so readers do not share a lock or a line).
 * A slot's word is the node's address and, in the top 16 bits, its holds;
 * a slot with no holds may be taken over by another node. Holders that find
 * no slot go to the resource's overflow list (under the shard lock). */
#define WF_RSLOTS     8
#define WF_RSLOT_ONE  ((uint64_t)1 << 48)
#define WF_RSLOT_NODE (WF_RSLOT_ONE - 1)
struct wf_rslot {
  _Alignas(64) _Atomic uint64_t v;
};

/* A lock (mutex, rwmutex, once, weighted semaphore). Records are never
 * freed; the hash chains are read without the shard lock. */
struct wf_res {
  const void *addr;
  uint8_t kind;                    /* TG_RES_MUTEX, TG_RES_RWMUTEX_W (both halves), _ONCE, _SEM */
  bool foreign_release;            /* a semaphore released by a goroutine that held none */
  uint32_t cls;                    /* lock class (lockorder.c); 0: none yet */
  struct wf_rslot *_Atomic rslots; /* WF_RSLOTS of them, made at the first hold */
  _Atomic int nreaders;            /* the overflow list: written under the shard lock */
  int cap_readers;
  struct wf_holder *readers;
  struct wf_res *_Atomic next; /* hash chain */
  /* Exclusive holder, or NULL. Written at every acquisition and release
   * of the lock, by whichever goroutine takes it: on a cache line of its
   * own, so that the fields above, read on the same paths, stay shared
   * between CPUs instead of moving with every handoff. */
  _Alignas(64) struct wf_g *_Atomic writer;
  /* Holds of this lock whose holder is blocked on a lock or has exited,
   * counted by the holders themselves (mark_held in waitfor.c). Next to
   * `writer`, so that a goroutine about to wait for the lock learns from
   * this one line whether its holder can be part of a cycle, without
   * reading the holder's node and goroutine (wait_is_open). */
  _Atomic uint32_t holders_stuck;
  /* Written by every goroutine that parks on the lock, so a line of their
   * own too: next to the fields above, each waiter's count made the
   * holder's next lookup of the record (its address, read at every
   * acquisition) miss. */
  _Alignas(64) _Atomic int waiters; /* goroutines in its slow path (hold times
                                       are kept for the holds others wait on) */
  _Atomic int64_t contended_since;  /* when the current waiters began, or 0 */
};

/* ---- waitfor.c ---------------------------------------------------------- */
bool tg__wf_enabled(void);
/* The running goroutine's node, made or renewed on first use; NULL on a
 * scheduler thread or when the detector is off. */
struct wf_g *tg__wf_self(void);
/* The node of any goroutine, or NULL if it never touched the graph. */
struct wf_g *tg__wf_of(struct tg_g *g);
/* g is about to end: the locks it still holds say so in their records. */
void tg__wf_exiting(struct tg_g *g);
/* Whether a node's goroutine has ended. */
bool tg__wf_exited(struct wf_g *w);
/* The record of a lock, created if `create`. */
struct wf_res *tg__wf_res(const void *addr, enum tg_res_kind kind, bool create);
/* The lock of the shard a resource lives in (guards its holder fields). */
tg__lock *tg__wf_res_lock(const void *addr);
/* The goroutines holding a shared resource (rwmutex readers, semaphore
 * units), at most max, each once. Takes the shard lock if some overflowed:
 * the caller must not hold it. */
int tg__wf_readers(struct wf_res *r, struct wf_g **out, int max);
/* The graph lock: serializes cycle searches and reports' snapshots. */
extern tg__lock tg__wf_graph_lock;
/* Every node (list head under tg__wf_all_lock). */
extern tg__lock tg__wf_all_lock;
extern struct wf_g *tg__wf_all;
/* Walks every resource; fn runs with the resource's shard lock held. */
void tg__wf_res_foreach(void (*fn)(struct wf_res *r, void *ctx), void *ctx);
int64_t tg__wf_now(void);
/* The innermost wait of the running goroutine's own node, or NULL. */
static inline struct wf_wait *tg__wf_top_wait(struct wf_g *w) {
  return w->nwait > 0 && w->nwait <= WF_MAX_WAITS ? &w->waits[w->nwait - 1] : NULL;
}
static inline bool tg__wf_is_lock_kind(int kind) {
  return kind == TG_RES_MUTEX || kind == TG_RES_RWMUTEX_R || kind == TG_RES_RWMUTEX_W ||
         kind == TG_RES_ONCE || kind == TG_RES_SEM;
}

/* A lower bound of how long goroutine g has been in its wait t, given now
 * (tg__wf_now) and now_coarse (tg__nanotime_coarse): a registered wait is
 * timed; a channel wait read from the park is dated by g->wait_since, the
 * runtime's coarse clock, which may lag by up to TG_COARSE_LAG_NS on
 * either end. */
static inline int64_t tg__wf_wait_age(const struct wf_wait *t, const struct tg_g *g, int64_t now,
                                      int64_t now_coarse) {
  if (t->since)
    return now - t->since;
  return now_coarse - g->wait_since - TG_COARSE_LAG_NS;
}
/* Captures the running goroutine's stack from the frame that `ret` (a hook's
 * return address) returns into. */
void tg__wf_capture_from(struct wf_stack *s, uintptr_t ret);
void tg__wf_capture_g(struct wf_stack *s, uintptr_t ret, struct tg_g *g);

/* ---- waitfor_mem.c: detector memory, kept out of the reachability scan -- */
void *tg__wf_alloc(size_t n); /* zeroed; never NULL (fatal) */
void tg__wf_free(void *p, size_t n);
/* Ranges of detector memory (the scan skips them). */
int tg__wf_mem_ranges(uintptr_t (*out)[2], int max);

/* ---- waitfor_report.c: report text ------------------------------------- */
const char *tg__wf_kind_name(int kind); /* "mutex", "channel", ... */
/* "mutex 0x... (first locked at f() file.c:12)" */
void tg__wf_put_res(struct tg_buf *b, const void *addr, int kind);
/* "mutex 0x..." */
void tg__wf_put_res_short(struct tg_buf *b, const void *addr, int kind);
/* A stack, Go's layout, indented by two spaces. */
void tg__wf_put_stack(struct tg_buf *b, const uintptr_t *pcs, int n);
/* "Goroutine N (state) created at:" and its creation stack. */
void tg__wf_put_created(struct tg_buf *b, struct wf_g *w);
/* The frames of a parked goroutine's stack (n = 0 if it is not parked). */
int tg__wf_g_stack(struct wf_g *w, uintptr_t *pcs, int max);
/* The first frame of a stack outside the runtime's sources (the user's call
 * site), or 0. */
uintptr_t tg__wf_user_pc(const uintptr_t *pcs, int n);
/* Whether a stack's top frames include function `fn`. */
bool tg__wf_stack_has(const uintptr_t *pcs, int n, const char *fn, int depth);
/* A misuse found by the graph (unlock by a non-holder, Cond.Wait without
 * its lock). */
void tg__wf_report_misuse(const char *what, const void *addr, int kind, struct wf_g *holder);

/* One hop of a deadlock: goroutine w waits for res (kind) held by the next. */
struct wf_hop {
  struct wf_g *w;
  const void *res;
  int kind;
  struct wf_held held; /* what the previous goroutine waits for and w holds */
  bool has_held;
  bool holder_exited; /* the last hop: res is held by a goroutine that ended */
  bool ownerless;     /* res has no holder: the next goroutine could complete it */
  uint64_t wait_seq;  /* w's wait_seq when its wait was read (the cycle search) */
};
#define TG__WF_EXITED_HOLDER                                                                       \
  "the goroutine waits for a lock held by a goroutine that exited without releasing it"
/* Reports a cycle (or a chain ending at an exited holder); `why` is the
 * one-line message. */
void tg__wf_report_deadlock(const char *why, struct wf_hop *hops, int n, bool cycle);
struct tg_report_goroutine;
struct tg_report_edge;
struct tg_buf;
void tg__wf_emit_deadlock(const char *why, const struct tg_report_goroutine *gs,
                          const struct tg_report_edge *edges, int ng, uint64_t key,
                          struct tg_buf *b);
/* How a goroutine waits, in Go's words ("sync.WaitGroup.Wait"). */
const char *tg__wf_wait_words(int kind);
/* Returns once w's goroutine has parked (a goroutine between its wait hook
 * and its park), or after 100 ms. */
void tg__wf_await_parked(struct wf_g *w);

/* ---- waitfor_report_stuck.c --------------------------------------------- */
/* Goroutines blocked on one resource no goroutine that can still run can
 * reach (hops[i].res, .kind are the same for all): a deadlock without a
 * cycle, decided as Go's GC-based leak detection decides it. */
void tg__wf_report_unreachable(struct wf_hop *hops, int n);

/* ---- waitfor_scan.c: owner-less waits, the monitor ---------------------- */
void tg__wf_monitor_kick(void);
void tg__wf_monitor_stop(void);
/* Memory the scan must not take for the program's (a detector's tables
 * keyed by program addresses, its history buffers): other detectors
 * register their mappings here. */
void tg__wf_scan_exclude(const void *lo, size_t n);

/* ---- leak.c ------------------------------------------------------------- */
void tg__wf_check_leaks_at_exit(void);
void tg__wf_leaks_arm(void);
int tg__wf_report_leaks(void);

/* ---- lockorder.c -------------------------------------------------------- */
/* A lock was acquired by w (its held entry h is already pushed). */
void tg__lockorder_acquired(struct wf_g *w, struct wf_held *h);
/* The class of a lock, assigned at its first acquisition. */
uint32_t tg__lockorder_class(struct wf_res *r, const struct wf_stack *at);
/* Where a class was first locked (its site), or 0. */
uintptr_t tg__lockorder_class_site(uint32_t cls);

/* ---- starvation.c ------------------------------------------------------- */
#define WF_STAT_HIST 40
/* One goroutine's figures for one lock (lock_stat's), written by it alone. */
struct wf_stat {
  struct wf_res *res;
  uint64_t acq, contended, nhold;
  uint64_t seen; /* holds someone waited on, timed or not */
  uint8_t rslot; /* the reader slot of res this goroutine last had */
  int64_t wait_sum, wait_min, wait_max, hold_sum, hold_min, hold_max;
  uint32_t wait_hist[WF_STAT_HIST], hold_hist[WF_STAT_HIST];
  bool reported;
};
/* The running goroutine's statistics for a lock (made on first use). */
struct wf_stat *tg__starv_stat(struct wf_g *w, struct wf_res *r);
/* `at`: where the lock was acquired (the held entry's stack), for the
 * report it may make. */
void tg__starv_acquired(struct wf_g *w, struct wf_stat *st, int64_t waited_ns, bool contended,
                        const struct wf_stack *at);
void tg__starv_released(struct wf_g *w, struct wf_stat *st, int64_t held_ns, int weight);
/* Hold times are sampled: the first STARV_EXACT holds someone waits on,
 * per goroutine and lock, are timed, then one in STARV_EVERY, counted
 * STARV_EVERY times. Returns the weight of this hold, 0 if it is not
 * timed. */
#define STARV_EXACT 64
#define STARV_EVERY 8
static inline int tg__starv_sample(struct wf_stat *st) {
  if (!st)
    return 1;
  uint64_t k = st->seen++;
  if (k < STARV_EXACT)
    return 1;
  return (k & (STARV_EVERY - 1)) == 0 ? STARV_EVERY : 0;
}
void tg__starv_check_at_exit(void);

#endif /* TANGLE_RACE */
#endif
