/* Shadow memory: reservation of the fixed mapping described in shadow.h,
 * and resetting ranges of it when application memory is reused. */
#ifdef TANGLE_RACE
#include "shadow.h"

#include "waitfor.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* 0 not yet, 1 mapping in progress, 2 ready, 3 failed; written once by the
 * first caller of tg__shadow_init (others wait for it). */
_Atomic int tg__shadow_state;
#define shadow_state tg__shadow_state

static bool reserve(uintptr_t lo, uintptr_t hi, int prot) {
  void *p = mmap((void *)lo, hi - lo, prot,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
  if (p == MAP_FAILED)
    return false;
  if ((uintptr_t)p != lo) { /* a kernel that ignores the flag */
    munmap(p, hi - lo);
    return false;
  }
  return true;
}

/* Holes between the application ranges and the shadow: reserved so the
 * kernel never puts an application mapping where its shadow would alias.
 * A hole that is partly in use already is left alone. */
static void protect_holes(void) {
  static const uintptr_t holes[][2] = {
      {0x050000000000ull, TG_SHADOW_BASE},
      {TG_SHADOW_END, 0x550000000000ull},
      {TG_PAGEMAP_END, TG_META_BASE},
      {TG_META_END, 0x7c0000000000ull},
  };
  for (size_t i = 0; i < sizeof holes / sizeof holes[0]; i++)
    reserve(holes[i][0], holes[i][1], PROT_NONE);
}

bool tg__shadow_init(void) {
  int s = atomic_load_explicit(&shadow_state, memory_order_acquire);
  if (s >= 2)
    return s == 2;
  int zero = 0;
  if (!atomic_compare_exchange_strong(&shadow_state, &zero, 1)) {
    while ((s = atomic_load_explicit(&shadow_state, memory_order_acquire)) < 2)
      ;
    return s == 2;
  }
  bool ok = reserve(TG_SHADOW_BASE, TG_SHADOW_END, PROT_READ | PROT_WRITE) &&
            reserve(TG_PAGEMAP_BASE, TG_PAGEMAP_END, PROT_READ | PROT_WRITE) &&
            reserve(TG_META_BASE, TG_META_END, PROT_READ | PROT_WRITE);
  if (ok) {
    /* Nothing of the shadow should ever be dumped or inherited. */
    madvise((void *)TG_SHADOW_BASE, TG_SHADOW_END - TG_SHADOW_BASE, MADV_DONTDUMP);
    madvise((void *)TG_META_BASE, TG_META_END - TG_META_BASE, MADV_DONTDUMP);
    /* The page map holds bits, not pointers, and at 2 GiB it is not one of
     * the giants the wait-for scan skips by size: reading it all (a pointer
     * into it makes it look like a reachable block) took seconds a pass. */
    tg__wf_scan_exclude((void *)TG_PAGEMAP_BASE, TG_PAGEMAP_END - TG_PAGEMAP_BASE);
    protect_holes();
  } else {
    static const char msg[] = "tangle: cannot map the race detector's shadow memory; "
                              "data races will not be detected\n";
    ssize_t r = write(2, msg, sizeof msg - 1);
    (void)r;
  }
  atomic_store_explicit(&shadow_state, ok ? 2 : 3, memory_order_release);
  return ok;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* Shadow pages faulted in at once when a sweep reaches a fresh one: 64 KiB
 * of shadow, 32 KiB of application memory. */
#define AHEAD_PAGES 16

/* Cleared when the kernel has no MADV_POPULATE_WRITE (before 5.14). */
static _Atomic bool populate_ok = true;

/* Marks shadow pages [page, page + n) touched, n <= 64. */
static void mark_touched(uintptr_t page, unsigned n) {
  uintptr_t first = (page - TG_SHADOW_BASE) >> 12;
  while (n) {
    unsigned off = (unsigned)(first & 63), k = 64 - off < n ? 64 - off : n;
    uint64_t bits = (k == 64 ? ~0ull : ((1ull << k) - 1)) << off;
    uint64_t *w = (uint64_t *)TG_PAGEMAP_BASE + (first >> 6);
    if ((__atomic_load_n(w, __ATOMIC_RELAXED) & bits) != bits)
      __atomic_fetch_or(w, bits, __ATOMIC_RELAXED);
    first += k, n -= k;
  }
}

/* A page fault costs far more than the page (on a virtual machine, tens
 * of microseconds of waiting against a few for a page faulted in by the
 * kernel in a batch), and a loop over fresh memory faults in a shadow page
 * every 256 words. So when the page below is touched already, the next
 * AHEAD_PAGES are faulted in by one madvise: a sweep upwards uses them
 * next, and at its end at most AHEAD_PAGES - 1 are resident for nothing.
 * Anything else (a stack growing down, scattered objects) touches only
 * its page. The pages are written before their bits are set, so that a
 * page marked touched is never one whose first read maps the zero page. */
void tg__shadow_first_touch(uint64_t *sh) {
  uintptr_t page = (uintptr_t)sh & ~(uintptr_t)4095;
  unsigned n = 1;
  if (atomic_load_explicit(&populate_ok, memory_order_relaxed) && page > TG_SHADOW_BASE &&
      page + AHEAD_PAGES * 4096 <= TG_SHADOW_END && tg__shadow_touched((uint64_t *)(page - 4096))) {
    int saved = errno; /* the program's, between any two of its accesses */
    if (madvise((void *)page, AHEAD_PAGES * 4096, MADV_POPULATE_WRITE) == 0)
      n = AHEAD_PAGES;
    else if (errno == EINVAL)
      atomic_store_explicit(&populate_ok, false, memory_order_relaxed);
    errno = saved;
  }
  if (n == 1)
    __atomic_fetch_or((uint64_t *)page, 0, __ATOMIC_RELAXED);
  mark_touched(page, n);
}

/* Zeroes the set words of [lo, hi). A shadow page never written holds
 * nothing, and is skipped: reading it would map the zero page, to be
 * faulted again at its first write. */
static void zero_words(char *lo, char *hi) {
  bool shadow = (uintptr_t)lo >= TG_SHADOW_BASE && (uintptr_t)hi <= TG_SHADOW_END;
  for (uint64_t *p = (uint64_t *)lo; (char *)p < hi;) {
    char *page_end = (char *)(((uintptr_t)p | 4095) + 1);
    char *end = page_end < hi ? page_end : hi;
    if (shadow && !tg__shadow_touched(p)) {
      p = (uint64_t *)end;
      continue;
    }
    for (; (char *)p < end; p++)
      if (*p)
        *p = 0;
  }
}

/* Clears [lo, hi) of the shadow or meta: whole pages are given back to the
 * kernel (cheap when they were never touched), the ragged ends are zeroed
 * only where something is set, so that resetting memory the program never
 * accessed does not make the shadow resident. */
static void clear_region(char *lo, char *hi) {
  const uintptr_t page = 4096;
  char *plo = (char *)(((uintptr_t)lo + page - 1) & ~(page - 1));
  char *phi = (char *)((uintptr_t)hi & ~(page - 1));
  if (phi >= plo + 2 * page) {
    madvise(plo, (size_t)(phi - plo), MADV_DONTNEED);
    /* Given back: the next access must touch them first again. */
    if ((uintptr_t)plo >= TG_SHADOW_BASE && (uintptr_t)phi <= TG_SHADOW_END)
      for (uintptr_t p = ((uintptr_t)plo - TG_SHADOW_BASE) >> 12,
                     end = ((uintptr_t)phi - TG_SHADOW_BASE) >> 12;
           p < end; p++) {
        uint64_t *w = (uint64_t *)TG_PAGEMAP_BASE + (p >> 6);
        if (__atomic_load_n(w, __ATOMIC_RELAXED) & (1ull << (p & 63)))
          __atomic_fetch_and(w, ~(1ull << (p & 63)), __ATOMIC_RELAXED);
      }
  } else {
    plo = phi = hi;
  }
  zero_words(lo, plo);
  zero_words(phi, hi);
}
void tg__shadow_reset(uintptr_t addr, size_t n) {
  if (!n || !tg__shadow_ready() || !tg__app_addr(addr))
    return;
  uintptr_t lo = addr & ~(uintptr_t)7, hi = (addr + n + 7) & ~(uintptr_t)7;
  char *plo = (char *)tg__shadow_of(lo),
       *phi = (char *)tg__shadow_of(hi - 8) + 8 * TG_SHADOW_PRIMARY;
  clear_region(plo, phi);
  clear_region(plo + TG_SHADOW2_OFF, phi + TG_SHADOW2_OFF);
}
#endif
