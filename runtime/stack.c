/* Goroutine stacks.
 *
 * Stacks are carved out of large anonymous mappings (slabs) so that a
 * million goroutines do not need a million mappings: vm.max_map_count is
 * 65530 by default. Each stack's lowest page is a guard installed with
 * MADV_GUARD_INSTALL (Linux >= 6.13), which does not split the mapping. On
 * older kernels, mprotect guards are used while they fit comfortably under
 * the map-count limit, then a canary word at the bottom of the stack, checked
 * when the goroutine switches out, stands in for the guard.
 *
 * Stacks are never unmapped: a finished goroutine keeps its stack for the
 * next one (runtime/sched.c caches goroutines with their stacks). */
#include "rt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef TANGLE_ASAN
#include <sanitizer/asan_interface.h>
#endif

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

#define TG_STACK_CANARY      0x7467737461636bULL /* "tgstack" */
#define SLAB_BYTES           ((size_t)4 << 20)
#define MPROTECT_GUARD_LIMIT 20000

/* Slab allocator state; owned by this file, protected by slab_lock. */
static tg__lock slab_lock;
static char *slab_next, *slab_end;
static int guard_mode = -1; /* -1 unknown, 0 madvise, 1 mprotect, 2 canary */
static int mprotect_guards;

static size_t page_size(void) {
  static size_t ps; /* written once, same value by every thread */
  if (!ps)
    ps = (size_t)sysconf(_SC_PAGESIZE);
  return ps;
}

size_t tg__stack_default_size(void) {
  /* Computed once (options are parsed before the first goroutine): the
   * division was a measurable part of every goroutine's start. Same value
   * from every thread. */
  static size_t size;
  if (__builtin_expect(!size, 0)) {
    size_t ps = page_size();
    size_t s = tg__opts.stack_size ? tg__opts.stack_size : (size_t)64 << 10;
    size = (s + ps - 1) / ps * ps;
  }
  return size;
}

static bool install_guard(char *lo, size_t ps) {
  if (guard_mode <= 0) {
    if (madvise(lo, ps, MADV_GUARD_INSTALL) == 0) {
      guard_mode = 0;
      return true;
    }
    guard_mode = 1;
  }
  if (guard_mode == 1 && mprotect_guards < MPROTECT_GUARD_LIMIT) {
    if (mprotect(lo, ps, PROT_NONE) == 0) {
      mprotect_guards++;
      return true;
    }
  }
  guard_mode = 2;
  return false;
}

static bool stack_alloc(struct tg_g *g, size_t size) {
  size_t ps = page_size();
  size_t total = size + ps; /* usable stack plus its guard page */
  tg__lock_acquire(&slab_lock);
  if (slab_next == NULL || (size_t)(slab_end - slab_next) < total) {
    size_t bytes = total > SLAB_BYTES ? total : SLAB_BYTES / total * total;
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (p == MAP_FAILED) {
      tg__lock_release(&slab_lock);
      return false;
    }
    slab_next = p;
    slab_end = slab_next + bytes;
  }
  char *base = slab_next;
  slab_next += total;
  bool guarded = install_guard(base, ps);
  tg__lock_release(&slab_lock);
  g->stack_lo = base + ps;
  g->stack_hi = base + total;
  g->stack_size = size;
  g->stack_guarded = guarded;
  if (!guarded)
    *(uint64_t *)g->stack_lo = TG_STACK_CANARY;
  return true;
}

/* True when the goroutine wrote below its stack (only detectable this way
 * for unguarded stacks). */
bool tg__stack_canary_dead(const struct tg_g *g) {
  return !g->stack_guarded && g->stack_lo && *(const uint64_t *)g->stack_lo != TG_STACK_CANARY;
}

/* The guard page that belongs to a stack, for the SIGSEGV handler. */
bool tg__stack_guard_hit(const struct tg_g *g, const void *addr) {
  if (!g->stack_lo)
    return false;
  const char *a = addr;
  return a < g->stack_lo && a >= g->stack_lo - page_size();
}

/* A free stack keeps its own description at its top. */
struct free_stack {
  struct free_stack *next;
  char *lo;
  size_t size;
  bool guarded;
};

#define CACHE_LOCAL_MAX       32
#define CACHE_GLOBAL_RESIDENT 1024

/* Stacks beyond the P-local caches, under slab_lock. Past
 * CACHE_GLOBAL_RESIDENT of them, their pages are given back to the kernel
 * (still reusable, zero-filled on next touch): a burst of goroutines must
 * not pin its RSS forever. */
static struct free_stack *global_cache;
static int nglobal_cache;

static struct free_stack *fs_of(char *lo, size_t size) {
  return (struct free_stack *)(lo + size - sizeof(struct free_stack));
}

bool tg__stack_get(struct tg_p *p, struct tg_g *g) {
  size_t want = tg__stack_default_size();
  struct free_stack *fs = p ? p->stack_cache : NULL;
  if (fs) {
    p->stack_cache = fs->next;
    p->nstack_cache--;
  } else if (global_cache) {
    tg__lock_acquire(&slab_lock);
    fs = global_cache;
    if (fs) {
      global_cache = fs->next;
      nglobal_cache--;
    }
    tg__lock_release(&slab_lock);
  }
  if (fs && fs->size == want) {
    g->stack_lo = fs->lo;
    g->stack_size = fs->size;
    g->stack_hi = fs->lo + fs->size;
    g->stack_guarded = fs->guarded;
#ifdef TANGLE_ASAN
    __asan_unpoison_memory_region(g->stack_lo, g->stack_size);
#endif
    return true;
  }
  return stack_alloc(g, want);
}

void tg__stack_put(struct tg_p *p, struct tg_g *g) {
  if (!g->stack_lo)
    return;
#ifdef TANGLE_ASAN
  __asan_unpoison_memory_region(g->stack_lo, g->stack_size);
#endif
  struct free_stack *fs = fs_of(g->stack_lo, g->stack_size);
  fs->lo = g->stack_lo;
  fs->size = g->stack_size;
  fs->guarded = g->stack_guarded;
  if (!fs->guarded)
    *(uint64_t *)fs->lo = TG_STACK_CANARY;
  g->stack_lo = g->stack_hi = NULL;
  g->stack_size = 0;
  if (p && p->nstack_cache < CACHE_LOCAL_MAX) {
    fs->next = p->stack_cache;
    p->stack_cache = fs;
    p->nstack_cache++;
    return;
  }
  if (nglobal_cache >= CACHE_GLOBAL_RESIDENT) {
    /* Keep the top page (it holds the free_stack), drop the rest. */
    size_t ps = page_size();
    if (fs->size > ps)
      madvise(fs->lo, fs->size - ps, MADV_DONTNEED);
    if (!fs->guarded)
      *(uint64_t *)fs->lo = TG_STACK_CANARY;
  }
  tg__lock_acquire(&slab_lock);
  fs->next = global_cache;
  global_cache = fs;
  nglobal_cache++;
  tg__lock_release(&slab_lock);
}
