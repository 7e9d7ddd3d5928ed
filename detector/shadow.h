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
 * word there are 4 shadow cells of 8 bytes (32 bytes: 4x) at
 * SHADOW_BASE + 4*C, and one meta word (the sync objects living in that
 * word) at META_BASE + C. The holes between are reserved PROT_NONE so the
 * kernel never places application mappings where the formula would alias.
 *
 *   shadow [0x080000000000, 0x480000000000)   64 TiB
 *   pages  [0x5c0000000000, 0x5c0080000000)    2 GiB  one bit per shadow page
 *   meta   [0x600000000000, 0x700000000000)   16 TiB */
#ifndef TANGLE_SHADOW_H
#define TANGLE_SHADOW_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TG_APP_MASK     0x0ffffffffff8ull
#define TG_SHADOW_BASE  0x080000000000ull
#define TG_SHADOW_END   0x480000000000ull
#define TG_META_BASE    0x600000000000ull
#define TG_META_END     0x700000000000ull
#define TG_PAGEMAP_BASE 0x5c0000000000ull
#define TG_PAGEMAP_END  (TG_PAGEMAP_BASE + ((TG_SHADOW_END - TG_SHADOW_BASE) >> 15))
#define TG_SHADOW_CELLS 4

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

static inline uint64_t *tg__shadow_of(uintptr_t a) {
  return (uint64_t *)(TG_SHADOW_BASE + ((a & TG_APP_MASK) << 2));
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
 * page map remembers which shadow pages were touched that way. */
static inline void tg__shadow_touch(uint64_t *sh) {
  uintptr_t page = ((uintptr_t)sh - TG_SHADOW_BASE) >> 12;
  uint64_t *w = (uint64_t *)TG_PAGEMAP_BASE + (page >> 6), bit = 1ull << (page & 63);
  if (__builtin_expect(!(__atomic_load_n(w, __ATOMIC_RELAXED) & bit), 0)) {
    __atomic_fetch_or((uint64_t *)((uintptr_t)sh & ~(uintptr_t)4095), 0, __ATOMIC_RELAXED);
    __atomic_fetch_or(w, bit, __ATOMIC_RELAXED);
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
