/* The one narrow interface between the runtime and the detectors.
 *
 * Every synchronization primitive reports its happens-before edges and its
 * blocking to the detector through these calls. In the normal build
 * (TANGLE_RACE undefined) they are empty inline functions and cost nothing;
 * in the race build they are defined in detector/.
 *
 * Happens-before is expressed the way Go's runtime feeds its race detector:
 * a synchronization object is an address; release stores the releasing
 * goroutine's clock into the address's clock, release_merge joins it in,
 * acquire joins the address's clock into the acquiring goroutine. */
#ifndef TANGLE_DETECTOR_HOOKS_H
#define TANGLE_DETECTOR_HOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_g;

/* Kinds of resources a goroutine can wait on (wait-for graph nodes). */
enum tg_res_kind {
  TG_RES_NONE = 0,
  TG_RES_CHAN,
  TG_RES_SELECT, /* several channels; see tg__wf_wait_begin's res */
  TG_RES_MUTEX,
  TG_RES_RWMUTEX_R,
  TG_RES_RWMUTEX_W,
  TG_RES_WAITGROUP,
  TG_RES_COND,
  TG_RES_ONCE,
  TG_RES_SEM,
  TG_RES_IO,
  TG_RES_SLEEP,
};

#ifdef TANGLE_RACE
/* Goroutine lifecycle. go_create runs on the parent before the child can run;
 * go_start on the child as its first action; go_end when it finishes. */
void tg__race_go_create(struct tg_g *parent, struct tg_g *child);
void tg__race_go_start(struct tg_g *g);
void tg__race_go_end(struct tg_g *g);
/* The detector state of the goroutine this thread runs (its `race`
 * field), or NULL: set by the scheduler at every switch, so that an
 * instrumented access finds it with one thread-local load instead of
 * thread -> M -> goroutine -> state. Only read where nothing can park. */
extern __thread void *tg__race_tls_cur __attribute__((tls_model("initial-exec")));
#define TG__RACE_SWITCHED_TO(g) (tg__race_tls_cur = (g)->race)

/* Happens-before through a synchronization address, by the running goroutine. */
void tg__race_acquire(const void *addr);
void tg__race_release(const void *addr);       /* store */
void tg__race_release_merge(const void *addr); /* join */
/* Same, on behalf of another goroutine (used when a channel operation is
 * completed by the peer while the goroutine is parked). */
void tg__race_acquire_g(struct tg_g *g, const void *addr);
void tg__race_release_g(struct tg_g *g, const void *addr);
/* An unbuffered hand-off between the running goroutine and the parked peer
 * it completes: each happens before the other's continuation (Go's
 * racesync: release, peer acquires and releases, acquire), done directly
 * between the two clocks, with no sync object. */
void tg__race_sync_pair(struct tg_g *peer);
/* Memory the runtime reads or writes on behalf of a goroutine (the channel
 * buffer copy, for instance) */
void tg__race_read_range_g(struct tg_g *g, const void *addr, size_t n, void *pc);
void tg__race_write_range_g(struct tg_g *g, const void *addr, size_t n, void *pc);
/* A one-byte access by the running goroutine (a channel's closed flag, on
 * every send): the instrumentation's own path, with no range to cut. */
void tg__race_access_byte(const void *addr, bool write, void *pc);
/* Synchronization object freed: its clock goes. */
void tg__race_free_sync(const void *addr);

/* Wait-for graph (issue 5). A goroutine starts or stops waiting on a
 * resource; a lock is acquired or released by the running goroutine. */
void tg__wf_wait_begin(const void *res, enum tg_res_kind kind);
void tg__wf_wait_end(const void *res, enum tg_res_kind kind);
/* A goroutine is about to park in a channel's send or receive (the
 * channel's lock held). Such a wait is not registered: the graph reads it
 * from the park (waitfor.c, chan_wait_of). This only makes sure the
 * goroutine has its node and the monitor looks. */
void tg__wf_chan_wait(void);
/* `pc` is the acquisition's call site in the program (the public API
 * function's return address): the start of the lock's "acquired at" stack,
 * whose callers come from the race detector's shadow call stack. */
void tg__wf_lock_acquired(const void *lock, enum tg_res_kind kind, const void *pc);
void tg__wf_lock_released(const void *lock, enum tg_res_kind kind);
/* A lock acquired by a trylock (TryLock, TryRLock, TryAcquire): held like
 * any other, but it adds no lock-order edge, since a trylock cannot wait. */
void tg__wf_lock_tried(const void *lock, enum tg_res_kind kind, const void *pc);
/* A mutex acquired (tg__race_acquire + tg__wf_lock_acquired) and about to
 * be released (tg__wf_lock_released + tg__race_release), each in one call:
 * the running goroutine's race state and wait-for node are found once. */
/* `busy`: the mutex's state shows waiters. */
void tg__race_lock_acquired(const void *lock, const void *pc, bool busy);
/* `locked`: the mutex's state says it is locked (else the runtime dies
 * right after with "unlock of unlocked mutex"). True if the wait-for
 * graph's part is left for tg__race_lock_release_done, to be called once
 * the mutex is unlocked: a release others wait for is not made longer by
 * the graph's bookkeeping. */
bool tg__race_lock_releasing(const void *lock, bool locked, bool busy);
void tg__race_lock_release_done(const void *lock, bool busy);
#define TG_RACE_ENABLED 1
#else
#define TG__NOOP                __attribute__((always_inline, unused)) static inline
#define TG__RACE_SWITCHED_TO(g) ((void)(g))
TG__NOOP void tg__race_go_create(struct tg_g *p, struct tg_g *c) {
  (void)p;
  (void)c;
}
TG__NOOP void tg__race_go_start(struct tg_g *g) {
  (void)g;
}
TG__NOOP void tg__race_go_end(struct tg_g *g) {
  (void)g;
}
TG__NOOP void tg__race_acquire(const void *a) {
  (void)a;
}
TG__NOOP void tg__race_release(const void *a) {
  (void)a;
}
TG__NOOP void tg__race_release_merge(const void *a) {
  (void)a;
}
TG__NOOP void tg__race_acquire_g(struct tg_g *g, const void *a) {
  (void)g;
  (void)a;
}
TG__NOOP void tg__race_release_g(struct tg_g *g, const void *a) {
  (void)g;
  (void)a;
}
TG__NOOP void tg__race_sync_pair(struct tg_g *g) {
  (void)g;
}
TG__NOOP void tg__race_read_range_g(struct tg_g *g, const void *a, size_t n, void *pc) {
  (void)g;
  (void)a;
  (void)n;
  (void)pc;
}
TG__NOOP void tg__race_write_range_g(struct tg_g *g, const void *a, size_t n, void *pc) {
  (void)g;
  (void)a;
  (void)n;
  (void)pc;
}
TG__NOOP void tg__race_access_byte(const void *a, bool write, void *pc) {
  (void)a;
  (void)write;
  (void)pc;
}
TG__NOOP void tg__race_free_sync(const void *a) {
  (void)a;
}
TG__NOOP void tg__wf_wait_begin(const void *r, enum tg_res_kind k) {
  (void)r;
  (void)k;
}
TG__NOOP void tg__wf_chan_wait(void) {}
TG__NOOP void tg__wf_wait_end(const void *r, enum tg_res_kind k) {
  (void)r;
  (void)k;
}
TG__NOOP void tg__wf_lock_acquired(const void *l, enum tg_res_kind k, const void *pc) {
  (void)l;
  (void)k;
  (void)pc;
}
TG__NOOP void tg__wf_lock_released(const void *l, enum tg_res_kind k) {
  (void)l;
  (void)k;
}
TG__NOOP void tg__wf_lock_tried(const void *l, enum tg_res_kind k, const void *pc) {
  (void)l;
  (void)k;
  (void)pc;
}
TG__NOOP void tg__race_lock_acquired(const void *l, const void *pc, bool busy) {
  (void)l;
  (void)pc;
  (void)busy;
}
TG__NOOP bool tg__race_lock_releasing(const void *l, bool locked, bool busy) {
  (void)l;
  (void)locked;
  (void)busy;
  return false;
}
TG__NOOP void tg__race_lock_release_done(const void *l, bool busy) {
  (void)l;
  (void)busy;
}
#define TG_RACE_ENABLED         0
#endif

#endif
