/* Idle stacks: the pages of a goroutine parked a long time on a channel go
 * back to the kernel.
 *
 * A parked goroutine keeps at least the top page of its stack resident
 * (4 KiB) though it uses a few hundred bytes of it. Go starts goroutines on
 * 2 KiB stacks and its garbage collector shrinks idle ones by moving them.
 * C stacks cannot move (the program holds pointers into them), but they can
 * be emptied while nothing runs on them: the used part [sp, stack top) is
 * copied into a buffer of its size, the pages are dropped (MADV_DONTNEED),
 * and the copy goes back to the same addresses before anything uses them.
 *
 * Who touches a parked goroutine's stack, and what makes each safe:
 *  - the goroutine itself: it runs only after a waker dequeued its sudog,
 *    and the waker restores the stack first (tg__stack_idle_wake);
 *  - wakers, which write its sudog and its element (a direct send or
 *    receive): the queue holds a stand-in sudog in the buffer, and the
 *    element is written after the restore, by the same waker;
 *  - threads that unwind it for a report or a dump: tg__stack_pin makes it
 *    resident and keeps it so until tg__stack_unpin;
 *  - the race build's reachability scan reads it as zeros, and finds its
 *    words in the buffer instead: a heap block, linked from the channel's
 *    queue, so the scan reaches it exactly when the channel is reachable,
 *    which is when the goroutine is live (docs/design.md).
 *
 * Only plain channel waits are copied out. Their sudog sits in one queue
 * under one lock, and the pass runs with that lock held (by a goroutine
 * parking in the same queue), so no waker can dequeue the goroutine while
 * its stack is being copied. A select waits in several queues under several
 * locks and is left alone, as are locks, WaitGroups and timers for now.
 *
 * When: once the oldest waiter not yet looked at has been parked for twice
 * IDLE_AFTER_NS, a goroutine that parks in the same queue copies out up to
 * IDLE_BATCH waiters parked for at least IDLE_AFTER_NS, and drops their
 * pages in one call. The waiters of a busy channel, woken within
 * milliseconds, never pay for it; the cost (a copy and a share of the
 * madvise now, a page fault and a copy at wake-up) is paid at most once per
 * IDLE_AFTER_NS of parking. */
#include "rt.h"

#include "futex.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define IDLE_AFTER_NS (20 * 1000 * 1000LL)
#define IDLE_BATCH    64
#define IDLE_LOOK     128 /* waiters looked at per park, copied out or not */

#ifndef PIDFD_SELF
#define PIDFD_SELF -10000 /* Linux 6.13 */
#endif

/* Written once, the same value by every thread. */
static size_t page_size;

/* g->stack_state: the low two bits, and pins above them (readers of a
 * resident stack). */
enum { RESIDENT = 0, BUSY = 1, OUT = 2, STATE_MASK = 3, PIN = 4 };

struct tg_idle_stack {
  struct tg_sudog sg;    /* stands for the goroutine's own sudog */
  struct tg_sudog *orig; /* which lives on the copied-out stack */
  char *lo;              /* the copy is of [lo, lo + len) */
  size_t len;
  uint64_t words[];
};

/* Counters for tests and the benchmark notes; updated atomically by
 * whichever thread copies or restores. */
struct tg_stack_idle_stats tg__stack_idle_stats;

/* Word copies outside AddressSanitizer's view: a parked stack holds
 * poisoned redzones that the copy must carry over, not check. */
#ifdef TANGLE_ASAN
__attribute__((no_sanitize("address")))
#endif
static void
copy_words(uint64_t *dst, const uint64_t *src, size_t n) {
  for (size_t i = 0; i < n; i++)
    ((volatile uint64_t *)dst)[i] = ((const volatile uint64_t *)src)[i];
}

static void restore(struct tg_g *g) {
  struct tg_idle_stack *b = g->idle;
  copy_words((uint64_t *)b->lo, b->words, b->len / 8);
  atomic_fetch_add_explicit(&tg__stack_idle_stats.restored, 1, memory_order_relaxed);
}

/* Resident again, and with `pins` more pins held. */
static void make_resident(struct tg_g *g, uint32_t pins) {
  for (;;) {
    uint32_t st = atomic_load_explicit(&g->stack_state, memory_order_acquire);
    if ((st & STATE_MASK) == RESIDENT) {
      if (!pins || atomic_compare_exchange_weak_explicit(
                       &g->stack_state, &st, st + pins, memory_order_acquire, memory_order_relaxed))
        return;
      continue;
    }
    if (st == OUT && atomic_compare_exchange_weak_explicit(
                         &g->stack_state, &st, BUSY, memory_order_acquire, memory_order_relaxed)) {
      restore(g);
      atomic_store_explicit(&g->stack_state, RESIDENT + pins, memory_order_release);
      return;
    }
    tg__cpu_relax(); /* a copy or a restore in progress: both short */
  }
}

/* Copies a waiter's stack out and puts its stand-in in the queue. Its pages
 * are dropped by the caller, which then marks it OUT. */
static bool copy_out(struct tg_waitq *q, struct tg_sudog *s, struct iovec *drop) {
  struct tg_g *g = s->g;
  uint32_t st = RESIDENT;
  if (!atomic_compare_exchange_strong_explicit(&g->stack_state, &st, BUSY, memory_order_acquire,
                                               memory_order_relaxed))
    return false; /* pinned by a reader */
  char *sp = g->sp, *hi = g->stack_hi;
  char *page = (char *)((uintptr_t)sp & ~(uintptr_t)(page_size - 1));
  struct tg_idle_stack *b = NULL;
  if (sp >= g->stack_lo && sp < hi && ((uintptr_t)sp & 7) == 0)
    b = malloc(sizeof *b + (size_t)(hi - sp));
  if (!b) {
    atomic_store_explicit(&g->stack_state, RESIDENT, memory_order_release);
    return false;
  }
  b->lo = sp;
  b->len = (size_t)(hi - sp);
  copy_words(b->words, (const uint64_t *)sp, b->len / 8);
  b->sg = *s;
  b->sg.idle_copy = true;
  b->orig = s;
  struct tg_sudog *h = &b->sg;
  if (h->prev)
    h->prev->next = h;
  else
    q->first = h;
  if (h->next)
    h->next->prev = h;
  else
    q->last = h;
  if (g->waiting == s)
    g->waiting = h; /* the detectors read what a goroutine waits on there */
  g->idle = b;
  drop->iov_base = page;
  drop->iov_len = (size_t)(hi - page);
  atomic_fetch_add_explicit(&tg__stack_idle_stats.copied_out, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&tg__stack_idle_stats.bytes_out, b->len, memory_order_relaxed);
  return true;
}

/* One process_madvise for the whole batch: on some hosts a single madvise
 * costs tens of microseconds (a TLB shootdown each), the batch a few per
 * page. Kernels without process_madvise on the process itself (before 6.13)
 * get one madvise per stack. */
static void drop_pages(struct iovec *v, int n) {
  static _Atomic int vectored = 1; /* cleared once the kernel refuses */
  if (atomic_load_explicit(&vectored, memory_order_relaxed)) {
    size_t want = 0;
    for (int i = 0; i < n; i++)
      want += v[i].iov_len;
    long done = syscall(SYS_process_madvise, PIDFD_SELF, v, (size_t)n, MADV_DONTNEED, 0u);
    if (done == (long)want)
      return;
    if (done < 0)
      atomic_store_explicit(&vectored, 0, memory_order_relaxed);
  }
  for (int i = 0; i < n; i++)
    madvise(v[i].iov_base, v[i].iov_len, MADV_DONTNEED);
}

void tg__stack_idle_pass(struct tg_waitq *q, struct tg_sudog *me) {
  struct tg_sudog *s = q->idle_next ? q->idle_next : q->first;
  /* Wait until the oldest has been idle twice the threshold: by then the
   * waiters behind it make a batch. */
  if (!s || s == me || s->acquire_time > me->acquire_time - 2 * IDLE_AFTER_NS)
    return;
  if (!page_size)
    page_size = (size_t)sysconf(_SC_PAGESIZE);
  int64_t before = me->acquire_time - IDLE_AFTER_NS;
  struct iovec drop[IDLE_BATCH];
  struct tg_g *gs[IDLE_BATCH];
  int n = 0;
  for (int looked = 0; s && s != me && n < IDLE_BATCH && looked < IDLE_LOOK; looked++) {
    if (s->acquire_time > before)
      break; /* it and everyone behind it parked too recently */
    struct tg_sudog *next = s->next;
    if (!s->is_select && !s->idle_copy && s->g->stack_lo && copy_out(q, s, &drop[n]))
      gs[n++] = s->g;
    s = next;
  }
  q->idle_next = s;
  if (n == 0)
    return;
  drop_pages(drop, n);
  for (int i = 0; i < n; i++)
    atomic_store_explicit(&gs[i]->stack_state, OUT, memory_order_release);
}

struct tg_sudog *tg__stack_idle_wake(struct tg_sudog *s) {
  struct tg_idle_stack *b = (struct tg_idle_stack *)s;
  struct tg_g *g = s->g;
  make_resident(g, 0);
  struct tg_sudog *orig = b->orig;
  *orig = *s;
  orig->idle_copy = false;
  if (g->waiting == s)
    g->waiting = orig;
  g->idle = NULL;
  free(b);
  return orig;
}

void tg__stack_pin(struct tg_g *g) {
  make_resident(g, PIN);
}

void tg__stack_unpin(struct tg_g *g) {
  atomic_fetch_sub_explicit(&g->stack_state, PIN, memory_order_release);
}
