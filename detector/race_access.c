/* The slow path of an access: compare it with the shadow cells of its
 * 8-byte word, report a conflict, remember it (race build only).
 *
 * A word keeps up to four accesses. Rules, for the current access A by
 * slot S at epoch E over bytes B:
 *  - a cell of S itself never races with A (program order); if it is of
 *    the same epoch and kind it absorbs A (bytes merged), and a write of
 *    the same epoch covering B makes a read A redundant;
 *  - a cell of another slot races with A if their bytes overlap, one of
 *    them writes, not both are atomic, and A's goroutine does not know the
 *    cell's epoch (FastTrack's test: cell.epoch <= clock[cell.slot]);
 *  - A goes into an empty cell (the primary pair first), or over a cell of
 *    S it supersedes (a read by anything of S, a write by a write); else
 *    a pseudo-random cell of the primary pair moves to the secondary pair
 *    (over a pseudo-random one there, which may hide a later race, never
 *    invent one) and A takes its place: the latest accesses stay where
 *    the fast path looks (shadow.h). */
#ifdef TANGLE_RACE
#include "history.h"
#include "race_fast.h"
#include "race_state.h"

/* Whether cell c (of another slot) conflicts with the current access. */
static inline bool conflicts(const struct tg_race_g *r, uint64_t c, uint32_t bytes, bool write,
                             bool atomic) {
  uint32_t cs = tg__cell_slot(c);
  if (!c || cs == r->slot || !(tg__cell_bytes(c) & bytes))
    return false;
  if ((c & TG_CELL_READ) && !write)
    return false;
  if ((c & TG_CELL_ATOMIC) && atomic)
    return false;
  return tg__race_knows(r, cs) < tg__cell_epoch(c);
}

static void check_word(struct tg_race_g *r, uintptr_t addr, uint32_t bytes, bool write, bool atomic,
                       uintptr_t pc, unsigned size) {
  uint64_t *sh = tg__shadow_of(addr);
  tg__shadow_touch(sh);
  uint64_t kind = (write ? 0 : TG_CELL_READ) | (atomic ? TG_CELL_ATOMIC : 0);
  int store = -1, empty = -1, nracy = 0;
  /* Conflicts are reported only once this access is in the shadow: a
   * report takes long, and others must see the access meanwhile. */
  uint64_t mine = 0, seen[TG_SHADOW_CELLS], racy[2 * TG_SHADOW_CELLS];
  tg__shadow_load(sh, seen);
  for (int i = 0; i < TG_SHADOW_CELLS; i++) {
    uint64_t c = seen[i];
    if (!c) {
      if (empty < 0)
        empty = i;
      continue;
    }
    uint32_t cb = tg__cell_bytes(c);
    if (tg__cell_slot(c) == r->slot) {
      bool c_read = c & TG_CELL_READ;
      if (tg__cell_epoch(c) == r->epoch) {
        if ((c & (TG_CELL_READ | TG_CELL_ATOMIC)) == kind) {
          if ((cb | bytes) == cb)
            return;            /* the same access, already checked this epoch */
          store = i, mine = c; /* merge the bytes into it */
          continue;
        }
        if (!c_read && !write && (cb | bytes) == cb && (!(c & TG_CELL_ATOMIC) || atomic))
          return; /* a write of this epoch covers this read */
      }
      if (store < 0 && (c_read || write) && (cb & ~bytes) == 0)
        store = i;
      continue;
    }
    if (conflicts(r, c, bytes, write, atomic))
      racy[nracy++] = c;
  }
  if (!r->slot)
    goto report; /* no slot to record it under: checked only */
  uint64_t cur = (uint64_t)r->slot << TG_CELL_SLOT_SHIFT | r->epoch | kind |
                 (uint64_t)(bytes | tg__cell_bytes(mine)) << TG_CELL_MASK_SHIFT;
  if (store < 0)
    store = empty;
  if (store >= TG_SHADOW_PRIMARY)
    tg__shadow_touch(tg__cell_ptr(sh, store));
  if (store < 0) {
    /* Full: a primary cell makes room, moving over a secondary one. Copied
     * before it is replaced, so that it is always in one place or both. */
    unsigned h = (unsigned)((addr >> 3) ^ r->epoch ^ (pc >> 4));
    store = (int)(h & 1);
    int to = TG_SHADOW_PRIMARY + (int)((h >> 1) & 1);
    tg__shadow_touch(tg__cell_ptr(sh, to));
    __atomic_store_n(tg__cell_ptr(sh, to), seen[store], __ATOMIC_RELAXED);
    seen[to] = seen[store];
  }
  uint64_t *cell = tg__cell_ptr(sh, store);
  /* Replacing one of this goroutine's own earlier cells (a loop over its
   * data, shared or not: every new epoch reads it again) is a plain store:
   * another goroutine coming now sees one of ours and checks itself. So is
   * any store when no other goroutine can run now. The barrier below is
   * kept for a goroutine's first access to a word, where a one-shot race
   * with a simultaneous first access would otherwise be lost. */
  if (tg__cell_slot(seen[store]) == r->slot) {
    __atomic_store_n(cell, cur, __ATOMIC_RELEASE);
    goto report;
  }
  if (tg__race_alone()) {
    __atomic_store_n(cell, cur, __ATOMIC_RELEASE);
    if (tg__race_alone())
      goto report;
    /* Another P started since the decision (this thread may have been
     * descheduled between it and the store, long enough for a goroutine
     * there to check the word and find it empty): look again, as after
     * the barrier. */
    atomic_thread_fence(memory_order_seq_cst);
    goto look_again;
  }
  /* Otherwise two goroutines checking the same word at the same moment
   * each store and then look again (the exchange is a full barrier,
   * Dekker-style), so at least one of them sees the other: a truly
   * simultaneous race is not lost. The exchange also returns a cell
   * another goroutine had just put where ours goes. */
  uint64_t old = __atomic_exchange_n(cell, cur, __ATOMIC_SEQ_CST);
  if (old != seen[store] && old) {
    /* Another goroutine's access we were not meant to replace: give it a
     * free cell of its own, or it would hide its later races. */
    if (tg__cell_slot(old) != r->slot)
      for (int i = 0; i < TG_SHADOW_CELLS; i++) {
        uint64_t zero = 0, *ci = tg__cell_ptr(sh, i);
        if (i == store)
          continue;
        if (i >= TG_SHADOW_PRIMARY)
          tg__shadow_touch(ci);
        if (__atomic_compare_exchange_n(ci, &zero, old, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_RELAXED)) {
          seen[i] = old;
          break;
        }
      }
    if (conflicts(r, old, bytes, write, atomic))
      racy[nracy++] = old;
  }
look_again:;
  uint64_t now[TG_SHADOW_CELLS];
  tg__shadow_load(sh, now);
  for (int i = 0; i < TG_SHADOW_CELLS; i++)
    if (i != store && now[i] != seen[i] && conflicts(r, now[i], bytes, write, atomic))
      racy[nracy++] = now[i];
report:
  for (int i = 0; i < nracy; i++)
    tg__race_found(r, addr, size, write, atomic, pc, racy[i]);
}

void tg__race_recheck(struct tg_race_g *r, uintptr_t addr, unsigned size, bool write,
                      uintptr_t pc) {
  atomic_thread_fence(memory_order_seq_cst);
  uint32_t bytes = ((1u << size) - 1) << (addr & 7);
  uint64_t now[TG_SHADOW_CELLS];
  tg__shadow_load(tg__shadow_of(addr), now);
  for (int i = 0; i < TG_SHADOW_CELLS; i++)
    if (conflicts(r, now[i], bytes, write, false))
      tg__race_found(r, addr, size, write, false, pc, now[i]);
}

static inline void note_stack(struct tg_race_g *r, uintptr_t addr) {
  if (addr < r->stack_touched && addr >= r->stack_lo)
    r->stack_touched = addr & ~(uintptr_t)7;
}

bool tg__race_renew_rest(struct tg_race_g *r, uintptr_t a, unsigned size, bool write,
                         uintptr_t pc) {
  uint64_t rd = write ? 0 : TG_CELL_READ;
  if (size == 16) {
    if ((a & 7) != 0)
      return false;
    uint64_t want = r->fast | (uint64_t)0xff << TG_CELL_MASK_SHIFT | rd;
    uint64_t *sh = tg__shadow_of(a), *s2 = tg__cell_ptr(sh, TG_SHADOW_PRIMARY), v0, v1;
    /* The second word's pairs are on the same pages unless it starts one
     * (the caller touched the first word's). */
    bool sec0 = tg__shadow_touched(s2), sec1 = sec0;
    if (__builtin_expect(((uintptr_t)sh & 4095) == 4096 - 8 * TG_SHADOW_PRIMARY, 0)) {
      tg__shadow_touch(sh + TG_SHADOW_PRIMARY);
      sec1 = tg__shadow_touched(s2 + TG_SHADOW_PRIMARY);
    }
    int i = tg__fast_renew(r, sh, want, write, &v0, sec0), j;
    if (i < 0 || (j = tg__fast_renew(r, sh + TG_SHADOW_PRIMARY, want, write, &v1, sec1)) < 0)
      return false;
    tg__hist_access(r, a, size, write, false, pc); /* before the cells (race_fast.h) */
    __atomic_store_n(tg__cell_ptr(sh, i), v0, __ATOMIC_RELEASE);
    __atomic_store_n(tg__cell_ptr(sh + TG_SHADOW_PRIMARY, j), v1, __ATOMIC_RELEASE);
  } else {
    if ((a & 7) + size > 8)
      return false;
    uint64_t want = r->fast | (uint64_t)(((1u << size) - 1) << (a & 7)) << TG_CELL_MASK_SHIFT | rd;
    if (!tg__fast_renew_word(r, a, size, write, pc, want))
      return false;
  }
  note_stack(r, a);
  return true;
}

static bool prepare(struct tg_race_g *r) {
  if (r->ignore)
    return false;
  if (!r->slot && (!r->no_slot || atomic_load_explicit(&tg__race_free_slots, memory_order_relaxed)))
    tg__race_attach_slot(r);
  return true;
}

void tg__race_access_slow(struct tg_race_g *r, uintptr_t addr, unsigned size, bool write,
                          bool atomic, uintptr_t pc, bool traced) {
  if (!prepare(r) || !tg__app_addr(addr))
    return;
  if (traced && r->slot) {
    if (atomic)
      tg__hist_access_atomic(r, addr, size, write, pc);
    else
      tg__hist_access(r, addr, size, write, false, pc);
  }
  note_stack(r, addr);
  if ((addr & 7) + size <= 8) {
    check_word(r, addr, ((1u << size) - 1) << (addr & 7), write, atomic, pc, size);
    return;
  }
  /* Straddles words (unaligned, or 16 bytes): one check per word. */
  for (uintptr_t a = addr, end = addr + size; a < end;) {
    uintptr_t next = (a & ~(uintptr_t)7) + 8;
    unsigned n = (unsigned)((next < end ? next : end) - a);
    check_word(r, a, ((1u << n) - 1) << (a & 7), write, atomic, pc, size);
    a += n;
  }
}

/* A word of a range that is neither seen nor renewed as it nearly always
 * is: the general renewed case (race_fast.h), else the slow path. Out of
 * line, so that the range's loop keeps its registers. */
static __attribute__((noinline)) void range_word(struct tg_race_g *r, uintptr_t a, uint64_t *sh,
                                                 uint32_t bytes, bool write, bool secondary,
                                                 uintptr_t pc, unsigned n) {
  uint64_t want = r->fast | (uint64_t)bytes << TG_CELL_MASK_SHIFT | (write ? 0 : TG_CELL_READ);
  uint64_t v, cells[TG_SHADOW_CELLS] = {sh[0], sh[1], 0, 0};
  if (secondary) {
    uint64_t *s2 = tg__cell_ptr(sh, TG_SHADOW_PRIMARY);
    cells[2] = __atomic_load_n(&s2[0], __ATOMIC_RELAXED);
    cells[3] = __atomic_load_n(&s2[1], __ATOMIC_RELAXED);
  }
  int split = -1,
      i = tg__fast_renew_cells(r, cells, secondary ? TG_SHADOW_CELLS : TG_SHADOW_PRIMARY, want,
                               write, &v, &split);
  if (i == TG_RENEW_COVERED)
    return;
  if (i >= 0) {
    if (split < 0) {
      __atomic_store_n(tg__cell_ptr(sh, i), v, __ATOMIC_RELAXED);
      if (!(cells[0] | cells[1] | cells[2] | cells[3]) && !tg__race_alone())
        tg__race_recheck(r, a, n, write, pc); /* stored as alone (race_fast.h) */
      return;
    }
    if (tg__fast_split(sh, i, v, split, cells[split]))
      return;
  }
  check_word(r, a, bytes, write, false, pc, n);
}

/* The range's common case, in a loop of a few instructions per word: whole
 * words on one shadow page whose secondary half was never written, each
 * already holding this access of this epoch (seen) or, as its only cell,
 * the same access of an older epoch (renewed: what tg__fast_renew_same
 * would decide, with nothing else in the word to check). A range written
 * again after every synchronization is this: the zeroing of a select's
 * case array, a struct copied each round. Returns where the general loop
 * must take over (end if it need not). `cur` is the write cell of this
 * epoch over the whole word, `want` the cell this access leaves. */
static uintptr_t renew_whole_words(uintptr_t a, uintptr_t end, uint64_t cur, uint64_t want) {
  uint64_t *sh = tg__shadow_of(a), *last = tg__shadow_of(end - 8);
  if (((uintptr_t)sh ^ (uintptr_t)last) >> 12 || !tg__shadow_touched(sh) ||
      tg__shadow_touched(tg__cell_ptr(sh, TG_SHADOW_PRIMARY)))
    return a;
  uint64_t key = want >> TG_CELL_SLOT_SHIFT;
  for (; a < end; a += 8, sh += TG_SHADOW_PRIMARY) {
    uint64_t c0 = sh[0], c1 = sh[1];
    if (!c1 && c0 >> TG_CELL_SLOT_SHIFT == key) {
      if (c0 != want)
        __atomic_store_n(sh, want, __ATOMIC_RELAXED);
      continue;
    }
    if (c0 != want && c0 != cur && c1 != want && c1 != cur)
      break; /* else seen: for a read, a write of this epoch */
  }
  return a;
}

void tg__race_access_range(struct tg_race_g *r, uintptr_t addr, size_t size, bool write,
                           uintptr_t pc) {
  if (!size || !prepare(r) || !tg__app_addr(addr) || !tg__app_addr(addr + size - 1))
    return;
  if (r->slot) {
    uint64_t ev[3] = {TG_EV(TG_EV_RANGE) | (uint64_t)write << 59 | (addr & 0xffffffffffffull), pc,
                      size};
    if (r->tpos + 3 <= r->tend) {
      r->tpos[0] = ev[0], r->tpos[1] = ev[1], r->tpos[2] = ev[2];
      r->tpos += 3;
    } else {
      tg__hist_put_slow(r, ev, 3);
    }
  }
  note_stack(r, addr);
  uintptr_t end = addr + size;
  uint64_t fast = r->fast;
  if (!fast) {
    for (uintptr_t a = addr; a < end;) {
      uintptr_t next = (a & ~(uintptr_t)7) + 8;
      unsigned n = (unsigned)((next < end ? next : end) - a);
      check_word(r, a, ((1u << n) - 1) << (a & 7), write, false, pc, n);
      a += n;
    }
    return;
  }
  /* Per word, the single accesses' fast cases (race_fast.h): already seen
   * this epoch, or this access's own cell of an older epoch renewed (a
   * select's case array, a struct copied again after every
   * synchronization). Whole words share one cell value; the page checks
   * are made once per shadow page. */
  uint64_t kind = write ? 0 : TG_CELL_READ;
  uint64_t whole = fast | (uint64_t)0xff << TG_CELL_MASK_SHIFT;
  uintptr_t a = addr, whole_end = end & ~(uintptr_t)7;
  uintptr_t page = 0; /* the shadow page whose touch and secondary half were checked */
  bool secondary = false, tried = false;
  while (a < end) {
    if (!tried && !(a & 7) && a < whole_end) { /* once, past a partial first word */
      tried = true;
      a = renew_whole_words(a, whole_end, whole, whole | kind);
      if (a == end)
        break;
    }
    uint64_t cur = whole;
    unsigned n = 8;
    uint32_t bytes = 0xff;
    if (__builtin_expect((a & 7) || end - a < 8, 0)) {
      uintptr_t next = (a & ~(uintptr_t)7) + 8;
      n = (unsigned)((next < end ? next : end) - a);
      bytes = ((1u << n) - 1) << (a & 7);
      cur = fast | (uint64_t)bytes << TG_CELL_MASK_SHIFT;
    }
    uint64_t *sh = tg__shadow_of(a);
    if (__builtin_expect(((uintptr_t)sh & ~(uintptr_t)4095) != page, 0)) {
      page = (uintptr_t)sh & ~(uintptr_t)4095;
      tg__shadow_touch(sh);
      secondary = tg__shadow_touched(tg__cell_ptr(sh, TG_SHADOW_PRIMARY));
    }
    uint64_t c0 = sh[0], c1 = sh[1], want = cur | kind;
    if (c0 == cur || c1 == cur || c0 == want || c1 == want) {
      a += n; /* seen: this access, or for a read a write over the same bytes */
      continue;
    }
    int i = tg__fast_renew_same(r, sh, want, write, secondary);
    if (i >= 0)
      __atomic_store_n(tg__cell_ptr(sh, i), want, __ATOMIC_RELAXED);
    else
      range_word(r, a, sh, bytes, write, secondary, pc, n);
    a += n;
  }
}
#endif
