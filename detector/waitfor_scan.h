/* The monitor's reachability scan (race build only): partial deadlocks on
 * resources nobody owns: channels,
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
 *    memory, the static data of the C library and of the detectors'
 *    libraries (malloc's bins there lead to free chunks), and free heap
 *    chunks (they keep the stale bytes of what was freed). Goroutine stacks
 *    are scanned from their saved stack pointer up only.
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
 *    reported as deadlocks; the others, blocked on a channel, WaitGroup,
 *    Cond or semaphore nothing able to run can reach, are deadlocked
 *    all the same (GOLF's verdict) and reported as such, one report per
 *    resource, while the program runs; lock waiters behind them are left
 *    to the leak check at exit.
 *
 * Conservative scanning finds too many references (fewer reports), never
 * too few; the exceptions are a pointer held only in a running goroutine's
 * registers, or hidden (XOR-ed, compressed): hence the second pass. If the
 * heap cannot be walked consistently (it changed under the walk), the pass
 * gives up and reports nothing. */
/* Its files, one job each:
 *   waitfor_scan_mem.c    the program's memory as the scan sees it (mappings,
 *                         static data, heap blocks, reading without faulting)
 *   waitfor_scan_mark.c   the mark: from the roots to a fixed point
 *   waitfor_scan.c        one pass: candidates, roots, verdict, confirmation
 *   waitfor_scan_stuck.c  what the stuck goroutines are: cycles, unreachable
 *                         waits, exited lock holders; their reports
 *   waitfor_scan_witness.c passes skipped: candidates live as last time
 *   waitfor_monitor.c     the monitor thread that runs the passes
 * This header is their shared interface. */
#ifndef TANGLE_WAITFOR_SCAN_H
#define TANGLE_WAITFOR_SCAN_H
#ifdef TANGLE_RACE
#include "waitfor.h"

#include "race_state.h"

#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIN_WAIT_NS (50 * TG_MILLISECOND) /* a wait younger than this is live */
#define PERIOD_NS   (60 * TG_MILLISECOND)
#define WINDOW      4096 /* how far below an embedded resource a pointer may be */
#define MAX_CANDS   4096
#define MAX_RES_PER 8
#define MAX_RANGES  16384
#define MAX_OBJS    (1 << 21)
#define BUF_SIZE    (256 << 10)

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

/* Why a pass found a candidate live, when the reason can be checked again
 * without a pass: a word of static data (a root in every pass) that held
 * what it waits on. Valid while the candidate is in the same wait. */
struct witness {
  uint64_t id, seq;
  uintptr_t at, val;
};

/* The monitor's working state, owned by whoever holds pass_lock (the
 * monitor thread); memory from the detector's arena. */
struct wf_scan {
  struct cand *c;
  int n, nownerless;
  struct rref *refs;
  int nrefs;
  struct range *stacks; /* candidates' stacks, sorted by lo */
  int *stack_cand;
  int nstacks;
  struct range *work;
  int nwork;
  int nleft;      /* candidates not yet found live (the mark stops at 0) */
  bool overflow;  /* the worklist filled up: the pass is not trustworthy */
  bool truncated; /* more goroutines than MAX_CANDS: some were not gathered */
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
  /* A superset of the values tg__wfs_scan_word acts on (blocks, resource
   * windows, candidates' stacks): one bit per hashed 2 MiB granule. Most
   * words scanned are not pointers into any of them; this answers for them
   * in a few instructions instead of two binary searches. */
  uint64_t filter[64];
  char *buf;
  uintptr_t self_lo, self_hi; /* the monitor thread's stack */
  /* confirmed-stuck (id, seq) of the previous pass */
  uint64_t prev[MAX_CANDS][2];
  int nprev;
  /* the last trustworthy pass's witnesses, sorted by id (waitfor_scan_witness.c) */
  struct witness *wit;
  int nwit;
  /* probe mode (edges between stuck goroutines) */
  bool probing;
  int probe_hits[MAX_CANDS];
  int nprobe_hits;
};
/* The one scan state, defined in waitfor_scan.c; only the pass in progress
 * (under the monitor's pass lock) uses it. */
extern struct wf_scan tg__wfs;
/* TANGLE_WF_DEBUG: 1 prints the monitor's decisions, 2 every block marked
 * (set once when the monitor starts). */
extern int tg__wfs_dbg;

/* ---- waitfor_scan_mem.c ---- */
size_t tg__wfs_read_mem(uintptr_t addr, void *dst, size_t n);
bool tg__wfs_read_words(uintptr_t addr, uintptr_t *out, int n);
int tg__wfs_range_cmp(const void *a, const void *b);
int tg__wfs_static_cb(struct dl_phdr_info *info, size_t size, void *ctx);
bool tg__wfs_in_ranges(const struct range *r, int n, uintptr_t a);
int tg__wfs_read_maps(struct region *out, int max, struct range *main_stack);
void tg__wfs_add_obj(uintptr_t lo, uintptr_t hi);
void tg__wfs_learn_tcache_key(void);
bool tg__wfs_walk_heap(uintptr_t lo, uintptr_t hi);
int tg__wfs_obj_of(uintptr_t v);
void tg__wfs_add_excl(uintptr_t lo, uintptr_t hi);
void tg__wfs_sort_merge(struct range *r, int *n);

/* ---- waitfor_scan_mark.c ---- */
void tg__wfs_push_work(uintptr_t lo, uintptr_t hi);
void tg__wfs_push_minus_excluded(uintptr_t lo, uintptr_t hi);
void tg__wfs_make_live(int i);
void tg__wfs_hit_cand(int i);
void tg__wfs_scan_word(uintptr_t v);
/* Builds tg__wfs.filter from the blocks, resources and stacks of the pass. */
void tg__wfs_build_filter(void);
void tg__wfs_drain(void);

/* ---- waitfor_scan.c ---- */
bool tg__wfs_ownerless(int kind);
int tg__wfs_gather(int64_t now);
bool tg__wfs_analyse(void);
void tg__wfs_analyse_locks(void);
void tg__wfs_confirm(void);

/* ---- waitfor_scan_witness.c ---- */
/* Candidate i was made live by the static word at `at` holding `val`. */
void tg__wfs_witness(int i, uintptr_t at, uintptr_t val);
/* Sorts the witnesses of a pass that just ended (kept only if it was
 * trustworthy). */
void tg__wfs_witness_end(bool trusted);
/* Whether every candidate just gathered is live for the reason a pass
 * already found (its witness still holds, or it waits for a lock whose
 * holders are): no pass is needed. Leaves the candidates' live flags
 * changed either way. */
bool tg__wfs_witnessed(void);

/* ---- waitfor_scan_stuck.c ---- */
void tg__wfs_report_cycles(void);

#endif /* TANGLE_RACE */
#endif
