/* Access history of the race build: what lets a report show the stack of
 * the *previous* conflicting access, which the shadow cell only knows as
 * (slot, epoch).
 *
 * Each slot has a trace: a ring of parts of TG_PART_WORDS 64-bit events
 * written by the slot's holder: function entry/exit (from the shadow call
 * stack hooks), memory accesses that took the slow path (address, size,
 * kind, pc), epoch changes, and a header when a goroutine attaches or a new
 * part begins (goroutine id, creation stack, current call stack), so every
 * part can be replayed on its own. A report replays the slot's parts up to
 * the access with the cell's epoch and address. The ring keeps
 * 2^history_size parts per slot (TANGLE_OPTIONS history_size, default 4:
 * 16 x 64 KiB, about 30,000 accesses); older accesses cannot be restored,
 * and the report says so. */
#ifndef TANGLE_HISTORY_H
#define TANGLE_HISTORY_H

#include "race_state.h"

#define TG_PART_WORDS  8192
#define TG_HIST_FRAMES 64

enum {
  TG_EV_ENTRY = 1, /* pc */
  TG_EV_EXIT = 2,
  TG_EV_ACCESS = 3,    /* write<<59 | atomic<<58 | size<<48 | addr; then pc */
  TG_EV_RANGE = 4,     /* write<<59 | addr; then pc; then size */
  TG_EV_EPOCH = 5,     /* epoch */
  TG_EV_GOROUTINE = 6, /* goroutine id: a new holder or a part header */
  TG_EV_CREATE = 7,    /* one pc of the holder's creation stack */
};
#define TG_EV(tag) ((uint64_t)(tag) << 60)

void tg__hist_put_slow(struct tg_race_g *r, const uint64_t *ev, int n);

static inline void tg__hist_put1(struct tg_race_g *r, uint64_t ev) {
  if (__builtin_expect(r->tpos < r->tend, 1))
    *r->tpos++ = ev;
  else
    tg__hist_put_slow(r, &ev, 1);
}

/* An access's first event word: tag, kind, size and address (the second
 * is its pc). */
static inline uint64_t tg__hist_access_ev(uintptr_t addr, unsigned size, bool write, bool atomic) {
  return TG_EV(TG_EV_ACCESS) | (uint64_t)write << 59 | (uint64_t)atomic << 58 |
         (uint64_t)(size & 0x3ff) << 48 | (addr & 0xffffffffffffull);
}
/* What tg__hist_access_ev put in an event word. */
#define TG_HIST_EV_ADDR(ev)  ((uintptr_t)((ev)&0xffffffffffffull))
#define TG_HIST_EV_SIZE(ev)  ((unsigned)((ev) >> 48) & 0x3ff)
#define TG_HIST_EV_WRITE(ev) ((bool)((ev) >> 59 & 1))

static inline void tg__hist_put_access(struct tg_race_g *r, uint64_t ev0, uintptr_t pc) {
  if (__builtin_expect(r->tpos + 2 <= r->tend, 1)) {
    r->tpos[0] = ev0;
    r->tpos[1] = pc;
    r->tpos += 2;
  } else {
    uint64_t ev[2] = {ev0, pc};
    tg__hist_put_slow(r, ev, 2);
  }
}

static inline void tg__hist_access(struct tg_race_g *r, uintptr_t addr, unsigned size, bool write,
                                   bool atomic, uintptr_t pc) {
  tg__hist_put_access(r, tg__hist_access_ev(addr, size, write, atomic), pc);
}

/* An atomic access: traced every time (the fast path's same-epoch check
 * does not cover atomics), so one repeating the last event with nothing
 * between (a loop spinning on an atomic) is not appended again. The replay
 * stops at the first anyway, and a spin would otherwise push older accesses
 * out of the history within milliseconds. */
static inline void tg__hist_access_atomic(struct tg_race_g *r, uintptr_t addr, unsigned size,
                                          bool write, uintptr_t pc) {
  uint64_t ev0 = TG_EV(TG_EV_ACCESS) | (uint64_t)write << 59 | (uint64_t)1 << 58 |
                 (uint64_t)(size & 0x3ff) << 48 | (addr & 0xffffffffffffull);
  uint64_t *p = r->tpos;
  if (p && p >= r->tend - TG_PART_WORDS + 2 && p[-2] == ev0 && p[-1] == pc)
    return;
  tg__hist_access(r, addr, size, write, true, pc);
}

/* A goroutine took the slot: its header starts its history. */
void tg__hist_attach(struct tg_race_g *r);
/* It gives the slot back: the trace remembers where it stopped. */
void tg__hist_detach(struct tg_race_g *r);

struct tg_hist_hit {
  uint64_t gid;
  bool write, atomic;
  uintptr_t addr;
  size_t size;
  int n; /* frames in pcs: the access pc, then its callers */
  uintptr_t pcs[TG_HIST_FRAMES];
  int ncreate;
  uintptr_t create[16];
};
/* Finds an access of slot at epoch overlapping [lo, hi) of the given kind. */
bool tg__hist_find(uint32_t slot, uint32_t epoch, uintptr_t lo, uintptr_t hi, bool write,
                   struct tg_hist_hit *out);
/* Parts kept per slot (from history_size). */
uint32_t tg__hist_parts(void);

#endif
