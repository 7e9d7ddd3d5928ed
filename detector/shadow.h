/* Shadow memory of the race build: a fixed linear mapping of the
 * application's address space (like TSan's), reserved with MAP_NORESERVE so
 * only the pages behind memory the program touches cost anything.
 *
 * Application memory must lie in three ranges (x86-64, 47-bit user space):
 *   low   [0x000000000000, 0x050000000000)  non-PIE binaries, brk heap
 *   mid   [0x550000000000, 0x5c0000000000)  PIE binaries and their heap
 *   high  [0x7c0000000000, 0x800000000000)  mmap: libraries, heap arenas,
 *                                           thread and goroutine stacks
 * Their low 44 bits are disjoint, so `addr & 0x0fffffffffff` compresses
 * them into one 16 TiB space C without a branch. Per 8-byte application
 * word there are 4 shadow cells of 8 bytes in two halves: the primary
 * pair at SHADOW_BASE + 2*C, the secondary pair 32 TiB above it. A loop
 * over data that one goroutine owns finds its access in the primary pair
 * and never reads the secondary one, so its shadow traffic is 16 bytes
 * per word (2x, as ThreadSanitizer v3's four 4-byte cells) instead of 32;
 * the secondary pair keeps older accesses of other goroutines and is read
 * only when the page map says its page was ever written. One meta word
 * (the sync objects living in that word) sits at META_BASE + C. The holes
 * between are reserved PROT_NONE so the kernel never places application
 * mappings where the formula would alias.
 *
 *   shadow [0x080000000000, 0x280000000000)   32 TiB  primary pairs
 *          [0x280000000000, 0x480000000000)   32 TiB  secondary pairs
 *   pages  [0x5c0000000000, 0x5c0080000000)    2 GiB  one bit per shadow page
 *   meta   [0x600000000000, 0x700000000000)   16 TiB */
#ifndef TANGLE_SHADOW_H
#define TANGLE_SHADOW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_APP_MASK       0x0ffffffffff8ull
#define TG_SHADOW_BASE    0x080000000000ull
#define TG_SHADOW_END     0x480000000000ull
#define TG_META_BASE      0x600000000000ull
#define TG_META_END       0x700000000000ull
#define TG_PAGEMAP_BASE   0x5c0000000000ull
#define TG_PAGEMAP_END    (TG_PAGEMAP_BASE + ((TG_SHADOW_END - TG_SHADOW_BASE) >> 15))
#define TG_SHADOW_CELLS   4 /* per word: 2 primary, then 2 secondary */
#define TG_SHADOW_PRIMARY 2
#define TG_SHADOW2_OFF    0x200000000000ull

/* A shadow cell: one access remembered, 0 when empty.
 *   bits  0..31 epoch of the accessing slot (never 0 in a cell)
 *   bits 32..43 slot (1..4095)
 *   bits 44..51 which bytes of the 8-byte word were accessed
 *   bit  52     read (else write)
 *   bit  53     atomic */
#define TG_CELL_SLOT_SHIFT 32
#define TG_CELL_MASK_SHIFT 44
#define TG_CELL_READ       (1ull << 52)
#define TG_CELL_ATOMIC     (1ull << 53)
#define TG_CELL_AT         ((1ull << TG_CELL_MASK_SHIFT) - 1) /* slot and epoch */

/* The primary pair of a word's cells. */
static inline uint64_t *tg__shadow_of(uintptr_t a) {
  return (uint64_t *)(TG_SHADOW_BASE + ((a & TG_APP_MASK) << 1));
}
/* Cell i (0..3) of the word whose primary pair is sh. */
static inline uint64_t *tg__cell_ptr(uint64_t *sh, int i) {
  return i < TG_SHADOW_PRIMARY
             ? sh + i
             : (uint64_t *)((uintptr_t)sh + TG_SHADOW2_OFF) + (i - TG_SHADOW_PRIMARY);
}
static inline void **tg__meta_of(uintptr_t a) {
  return (void **)(TG_META_BASE + (a & TG_APP_MASK));
}
static inline uint32_t tg__cell_epoch(uint64_t c) {
  return (uint32_t)c;
}
static inline uint32_t tg__cell_slot(uint64_t c) {
  return (uint32_t)(c >> 32) & 0xfff;
}
static inline uint32_t tg__cell_bytes(uint64_t c) {
  return (uint32_t)(c >> 44) & 0xff;
}

/* The first access to a shadow page writes it before anything reads it:
 * a read would map the shared zero page, and the write after it fault
 * again (copy-on-write, with a TLB shootdown on every other CPU). The
 * page map remembers which shadow pages were touched that way. A sweep
 * over fresh memory (the page below already touched) faults the next
 * pages in with one call (shadow.c, tg__shadow_first_touch). */
static inline uint64_t *tg__pagemap_word(const void *sh, uint64_t *bit) {
  uintptr_t page = ((uintptr_t)sh - TG_SHADOW_BASE) >> 12;
  *bit = 1ull << (page & 63);
  return (uint64_t *)TG_PAGEMAP_BASE + (page >> 6);
}
void tg__shadow_first_touch(uint64_t *sh);
static inline void tg__shadow_touch(uint64_t *sh) {
  uint64_t bit, *w = tg__pagemap_word(sh, &bit);
  if (__builtin_expect(!(__atomic_load_n(w, __ATOMIC_RELAXED) & bit), 0))
    tg__shadow_first_touch(sh);
}
/* Whether a shadow page was ever written (else it holds only empty cells,
 * and reading it would map the zero page). */
static inline bool tg__shadow_touched(const uint64_t *sh) {
  uint64_t bit, *w = tg__pagemap_word(sh, &bit);
  return __atomic_load_n(w, __ATOMIC_RELAXED) & bit;
}

/* Loads the four cells of a word (primary pair touched by the caller): the
 * secondary pair reads as empty when its page was never written. */
static inline void tg__shadow_load(uint64_t *sh, uint64_t c[TG_SHADOW_CELLS]) {
  c[0] = __atomic_load_n(&sh[0], __ATOMIC_RELAXED);
  c[1] = __atomic_load_n(&sh[1], __ATOMIC_RELAXED);
  uint64_t *s2 = tg__cell_ptr(sh, 2);
  if (__builtin_expect(tg__shadow_touched(s2), 0)) {
    c[2] = __atomic_load_n(&s2[0], __ATOMIC_RELAXED);
    c[3] = __atomic_load_n(&s2[1], __ATOMIC_RELAXED);
  } else {
    c[2] = c[3] = 0;
  }
}

/* Whether an address is one the mapping covers. */
static inline bool tg__app_addr(uintptr_t a) {
  return a < 0x050000000000ull || (a >= 0x550000000000ull && a < 0x5c0000000000ull) ||
         (a >= 0x7c0000000000ull && a < 0x800000000000ull);
}

/* Maps the shadow and meta regions; idempotent, false if it could not. */
bool tg__shadow_init(void);
/* 2 once the shadow is mapped (shadow.c owns it). */
extern _Atomic int tg__shadow_state;
static inline bool tg__shadow_ready(void) {
  return __atomic_load_n((int *)&tg__shadow_state, __ATOMIC_RELAXED) == 2;
}
/* Forgets every access remembered for [addr, addr+n) (reuse of memory). */
void tg__shadow_reset(uintptr_t addr, size_t n);

#endif
