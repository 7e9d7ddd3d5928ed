/* Small-object pools of the race detector (see slab.h). */
#ifdef TANGLE_RACE
#include "slab.h"

#include "rt.h"
#include "waitfor.h"

#include <stdlib.h>
#include <sys/mman.h>

/* Reserved, never returned, committed as it is touched. If that much
 * cannot be reserved at once (strict overcommit), smaller regions follow
 * one another. */
#define REGION_BYTES ((size_t)64 << 30)
#define REGION_MIN   ((size_t)256 << 20)
/* The first MiB of a region stay in small pages: a small program keeps a
 * small resident set. */
#define SMALL_BYTES  ((size_t)4 << 20)
#define HUGE_BYTES   ((size_t)2 << 20)
/* What a thread carves objects of one class from at a time. */
#define RUN_BYTES    ((size_t)64 << 10)
/* Freed objects move between threads a batch at a time. */
#define BATCH        64

/* Owned by this file, under region_lock. */
static tg__lock region_lock;
static char *region_next, *region_end;
static size_t region_size = REGION_BYTES;

static void new_region(void) {
  for (;;) {
    void *p = mmap(NULL, region_size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p != MAP_FAILED) {
      region_next = p;
      region_end = region_next + region_size;
      break;
    }
    if (region_size <= REGION_MIN)
      tg__fatal("race detector: out of memory for its own structures");
    region_size /= 4;
  }
  uintptr_t h = ((uintptr_t)region_next + SMALL_BYTES + HUGE_BYTES - 1) & ~(HUGE_BYTES - 1);
  if (h < (uintptr_t)region_end)
    madvise((void *)h, (uintptr_t)region_end - h, MADV_HUGEPAGE); /* (advice only) */
  /* Detector structures, not program memory: the scan skips them. */
  tg__wf_scan_exclude(region_next, region_size);
}

void *tg__slab_raw(size_t n) {
  tg__lock_acquire(&region_lock);
  if ((size_t)(region_end - region_next) < n)
    new_region();
  char *p = region_next;
  region_next += n;
  tg__lock_release(&region_lock);
  return p;
}

#if defined(__SANITIZE_ADDRESS__)
/* Under AddressSanitizer (clock.c's unit test): libc's allocator, so that
 * a use after free is still caught. */
void *tg__slab_alloc(int c, size_t size) {
  (void)c;
  void *p = malloc(size);
  if (!p)
    tg__fatal("race detector: out of memory for its own structures");
  return p;
}

void tg__slab_free(int c, void *p) {
  (void)c;
  free(p);
}
#else
/* A free object's first word links the list; a batch's first object's
 * second word links the batches. */
struct cache {
  void *free;
  uint32_t n;
  char *bump, *end;
};
/* Each thread's own: the detector's entry points never park, so a
 * goroutine cannot change threads in the middle of one. */
static __thread struct cache caches[TG_SLAB_CLASSES] __attribute__((tls_model("initial-exec")));

/* Batches of freed objects, per class, under their lock. */
static struct {
  tg__lock lock;
  void **batches;
} spilled[TG_SLAB_CLASSES];

static __attribute__((noinline)) void *refill(int c, size_t size) {
  struct cache *k = &caches[c];
  if (__atomic_load_n(&spilled[c].batches, __ATOMIC_RELAXED)) {
    tg__lock_acquire(&spilled[c].lock);
    void **b = spilled[c].batches;
    if (b)
      spilled[c].batches = b[1];
    tg__lock_release(&spilled[c].lock);
    if (b) {
      k->free = b[0];
      k->n = BATCH - 1;
      return b;
    }
  }
  size = (size + 7) & ~(size_t)7;
  if ((size_t)(k->end - k->bump) < size) {
    k->bump = tg__slab_raw(RUN_BYTES);
    k->end = k->bump + RUN_BYTES;
  }
  void *p = k->bump;
  k->bump += size;
  return p;
}

void *tg__slab_alloc(int c, size_t size) {
  struct cache *k = &caches[c];
  void **p = k->free;
  if (__builtin_expect(p != NULL, 1)) {
    k->free = p[0];
    k->n--;
    return p;
  }
  /* Nothing freed here: the run in hand, unless others spilled some. */
  size = (size + 7) & ~(size_t)7;
  if (__builtin_expect(!__atomic_load_n(&spilled[c].batches, __ATOMIC_RELAXED) &&
                           (size_t)(k->end - k->bump) >= size,
                       1)) {
    p = (void **)k->bump;
    k->bump += size;
    return p;
  }
  return refill(c, size);
}

static __attribute__((noinline)) void spill(int c) {
  struct cache *k = &caches[c];
  void **head = k->free, **q = head;
  for (int i = 1; i < BATCH; i++)
    q = q[0];
  k->free = q[0];
  q[0] = NULL;
  k->n -= BATCH;
  tg__lock_acquire(&spilled[c].lock);
  head[1] = spilled[c].batches;
  spilled[c].batches = head;
  tg__lock_release(&spilled[c].lock);
}

void tg__slab_free(int c, void *p) {
  struct cache *k = &caches[c];
  ((void **)p)[0] = k->free;
  k->free = p;
  if (__builtin_expect(++k->n >= 2 * BATCH, 0))
    spill(c);
}
#endif
#endif
