/* The inline fast paths of a plain (non-atomic) access, shared by the
 * instrumentation entry points (tsan_entry.c, which also takes the
 * runtime's own small accesses) and range accesses (race_access.c): race
 * build only.
 *
 * Two cases never leave this file:
 *  - seen: a cell already holds this access (or, for a read, a write over
 *    the same bytes) of the current epoch: nothing to do (the loop that
 *    touches its data again within an epoch);
 *  - renewed: a cell holds an access by the same slot that this one
 *    supersedes, typically the same access in an older epoch (every
 *    access after a synchronization: a channel hand-off or a mutex makes
 *    a new epoch, and the loop's next round reads the same variables
 *    again), and no other cell can conflict with it. The cell is
 *    rewritten (a plain store, as race_access.c does when it replaces a
 *    cell of its own slot) and the access goes to the history, as the
 *    slow path would have done. Also the first access to an empty word
 *    when no other goroutine runs.
 * Anything else (a possible conflict, a merge of bytes, a first access to
 * the word, a different kind) takes race_access.c's slow path, which
 * decides and reports. */
#ifndef TANGLE_RACE_FAST_H
#define TANGLE_RACE_FAST_H

#include "history.h"
#include "race_state.h"

#define TG_FAST_INLINE static inline __attribute__((always_inline))

/* Whether the primary pair holds this access already (for a read: the
 * same read, or a write, of this epoch). cur has no read bit. A cell in
 * the secondary pair is found by the renewed case instead. */
TG_FAST_INLINE bool tg__fast_seen(const uint64_t *sh, uint64_t cur, bool write) {
  uint64_t c0 = sh[0], c1 = sh[1];
  if (c0 == cur || c1 == cur)
    return true;
  if (write)
    return false;
  uint64_t rd = cur | TG_CELL_READ;
  return c0 == rd || c1 == rd;
}

#define TG_CELL_SLOTS ((uint64_t)0xfff << TG_CELL_SLOT_SHIFT)
#define TG_CELL_BYTES ((uint64_t)0xff << TG_CELL_MASK_SHIFT)

/* Whether a primary cell of this epoch covers the access without being it
 * exactly: ours, plain, over more bytes, and a write if this is a write (a
 * field written right after the range write that zeroed its struct: every
 * field of a select's case array, in every round). The slow path and the
 * general rule return at once for it too; the seen test compares whole
 * cells only, to stay a few instructions in a memory-bound loop. `want`
 * as in tg__fast_renew_same (the read bit set for a read). */
TG_FAST_INLINE bool tg__fast_covered(const uint64_t *sh, uint64_t want) {
  const uint64_t id_mask = ~(TG_CELL_BYTES | TG_CELL_READ); /* slot, epoch, atomic */
  uint64_t id = want & id_mask, bytes = want & TG_CELL_BYTES, rd = want & TG_CELL_READ;
  uint64_t c0 = sh[0], c1 = sh[1];
  return ((c0 & id_mask) == id && !(bytes & ~c0) && (c0 & TG_CELL_READ) <= rd) ||
         ((c1 & id_mask) == id && !(bytes & ~c1) && (c1 & TG_CELL_READ) <= rd);
}

/* Whether cell c, of another slot or empty, may conflict with a plain
 * access over `bytes` (shifted in place) that writes or not. Exactly the
 * slow path's test (race_access.c), spelled for this access. */
TG_FAST_INLINE bool tg__fast_conflicts(const struct tg_race_g *r, uint64_t c, uint64_t bytes,
                                       bool write) {
  if (!(c & bytes))
    return false; /* empty or disjoint (the caller skips our own slot) */
  if (!write && (c & TG_CELL_READ))
    return false;
  return tg__race_knows(r, tg__cell_slot(c)) < tg__cell_epoch(c);
}

#define TG_RENEW_SLOW    (-1) /* the slow path must decide */
#define TG_RENEW_COVERED (-2) /* nothing to do */

/* The renewed case for one word: the cell to overwrite, or TG_RENEW_*. Its
 * first `ncells` cells are looked at: 2 when the secondary pair's page was
 * never written (its cells are empty). `want` is
 * the cell this access leaves (slot, epoch, bytes, read bit); *val is what
 * to store (want, or want merged with a cell of the same epoch). A word with
 * no cell at all (the first touch of fresh memory) gives cell 0 when no
 * other goroutine can be running, so that its store needs no barrier
 * (race_access.c explains the barrier).
 *
 * With `split` (may be NULL), one more case: no cell of ours to replace,
 * but one of ours over more bytes that this access supersedes on its own
 * (a whole-word write, then a range that covers half of it: the case
 * array of a select is written as a range next to a separate field), and
 * an empty primary cell. *split is then that cell, which keeps only its
 * other bytes, and the cell returned is the empty one, which the caller
 * fills only if it is still empty. Nothing is forgotten, and the next
 * epoch's accesses find their own cells again (tg__fast_renew_same),
 * where merging would have left one cell matching neither. */
TG_FAST_INLINE int tg__fast_renew_cells(const struct tg_race_g *r,
                                        const uint64_t cells[TG_SHADOW_CELLS], int ncells,
                                        uint64_t want, bool write, uint64_t *val, int *split) {
  uint64_t bytes = want & TG_CELL_BYTES;
  uint64_t over = write ? 0 : TG_CELL_READ; /* a write replaces a read too */
  int mine = -1, wider = -1, empty = -1;
  uint64_t any = 0;
  *val = want;
#pragma GCC unroll 4
  for (int i = 0; i < TG_SHADOW_CELLS; i++) {
    if (i == ncells)
      break;
    uint64_t c = cells[i];
    if (!c) { /* can neither conflict nor be ours */
      if (split && empty < 0 && i < TG_SHADOW_PRIMARY)
        empty = i;
      continue;
    }
    any |= c;
    /* One of our own plain cells this access supersedes (its bytes
     * within ours; a read by a read, anything by a write): race_access.c's
     * rule for the cell to store into. */
    if (!((c ^ want) & TG_CELL_SLOTS)) {
      /* Ours, of this epoch, plain, over all our bytes, and a write if
       * we write: this access adds nothing (race_access.c returns too). */
      if ((uint32_t)c == (uint32_t)want && !(c & TG_CELL_ATOMIC) && !(bytes & ~c) &&
          !(write && (c & TG_CELL_READ)))
        return TG_RENEW_COVERED;
      /* Ours, of this epoch and kind (a partial write next to a range,
       * say): the bytes merge into it (race_access.c's rule too). */
      if ((uint32_t)c == (uint32_t)want && !((c ^ want) & (TG_CELL_READ | TG_CELL_ATOMIC))) {
        *val = want | (c & TG_CELL_BYTES);
        mine = i;
      } else if (mine < 0 && !(c & (TG_CELL_ATOMIC | (~bytes & TG_CELL_BYTES))) &&
                 (c & over) == over) {
        mine = i;
      } else if (split && wider < 0 && !(c & TG_CELL_ATOMIC) && (c & over) == over &&
                 !(bytes & ~c)) {
        wider = i; /* ours over more bytes (fewer would be `mine`) */
      }
    } else if (tg__fast_conflicts(r, c, bytes, write)) {
      return TG_RENEW_SLOW;
    }
  }
  if (!any && tg__race_alone())
    return 0;
  if (split && mine < 0 && wider >= 0 && empty >= 0) {
    *split = wider;
    return empty;
  }
  return mine;
}

/* Whether cell c, of any slot or empty, leaves an access of `want` free
 * to renew a cell of its own: it is ours (program order) or cannot
 * conflict. */
TG_FAST_INLINE bool tg__fast_quiet(struct tg_race_g *r, uint64_t c, uint64_t want, bool write) {
  (void)write; /* want's read bit says it */
  /* tg__fast_conflicts on the cells' bits: empty or disjoint, two reads,
   * or ours. Another slot is never r->slot, so its knowledge is the vc's
   * (with the extra entry). */
  if (!(c & want & TG_CELL_BYTES) || (c & want & TG_CELL_READ) || !((c ^ want) & TG_CELL_SLOTS))
    return true;
  uint64_t at = c & TG_CELL_AT;
  if (at == r->known_at)
    return true;
  uint32_t s = tg__cell_slot(c), v = tg__vc_get(r->vc, s);
  if (s == r->ov_slot && r->ov_epoch > v)
    v = r->ov_epoch;
  if (v < tg__cell_epoch(c))
    return false;
  r->known_at = at;
  return true;
}

/* tg__fast_renew_same's case for a cell that lives in the secondary pair:
 * a third goroutine's access to a shared word (two readers of a global
 * written once by main: main's write and one reader keep the primary
 * pair, the other reader's cell went to the secondary one when the word
 * filled). Without it that reader takes the general rule on every
 * renewal, for the life of the program. The cell index (2 or 3), or -1. */
TG_FAST_INLINE int tg__fast_renew_secondary(struct tg_race_g *r, uint64_t *sh, uint64_t want,
                                            bool write, uint64_t key) {
  uint64_t *s2 = tg__cell_ptr(sh, TG_SHADOW_PRIMARY);
  uint64_t d0 = __atomic_load_n(&s2[0], __ATOMIC_RELAXED);
  uint64_t d1 = __atomic_load_n(&s2[1], __ATOMIC_RELAXED), other;
  int i;
  if (d0 >> TG_CELL_SLOT_SHIFT == key)
    i = 2, other = d1;
  else if (d1 >> TG_CELL_SLOT_SHIFT == key)
    i = 3, other = d0;
  else
    return -1;
  if (!(tg__fast_quiet(r, sh[0], want, write) && tg__fast_quiet(r, sh[1], want, write) &&
        tg__fast_quiet(r, other, want, write)))
    return -1;
  return i;
}

/* The renewed case as it nearly always comes (every variable a loop
 * touches again after a synchronization): a primary cell holds this very
 * access (slot, bytes, kind) from an older epoch, and no other cell can
 * conflict. Or, for a write, a primary cell holds our read of the same
 * bytes (a read-modify-write: x = x * 31 + i; in the epoch it first runs)
 * and the other primary cell is not ours. Or a secondary cell holds this
 * very access (tg__fast_renew_secondary). That cell's index (callers store
 * through tg__cell_ptr), or -1 when the general rule (tg__fast_renew_cells)
 * must look. The cell it gives is the
 * one the general rule would pick, in a few compares instead of its
 * per-cell case analysis. `secondary`: whether the secondary pair's page
 * was ever written (tg__shadow_touched). */
TG_FAST_INLINE int tg__fast_renew_same(struct tg_race_g *r, uint64_t *sh, uint64_t want, bool write,
                                       bool secondary) {
  uint64_t c0 = sh[0], c1 = sh[1], key = want >> TG_CELL_SLOT_SHIFT, other;
  uint64_t k0 = c0 >> TG_CELL_SLOT_SHIFT, k1 = c1 >> TG_CELL_SLOT_SHIFT;
  uint64_t rkey = key | (write ? TG_CELL_READ >> TG_CELL_SLOT_SHIFT : 0);
  int i;
  if (k0 == key)
    i = 0, other = c1;
  else if (k1 == key)
    i = 1, other = c0;
  else if (write && k0 == rkey && ((c1 ^ want) & TG_CELL_SLOTS))
    i = 0, other = c1;
  else if (write && k1 == rkey && ((c0 ^ want) & TG_CELL_SLOTS))
    i = 1, other = c0;
  else if (secondary)
    return tg__fast_renew_secondary(r, sh, want, write, key);
  else
    return -1;
  if (!tg__fast_quiet(r, other, want, write))
    return -1;
  uint64_t *s2 = tg__cell_ptr(sh, TG_SHADOW_PRIMARY);
  if (secondary && !(tg__fast_quiet(r, __atomic_load_n(&s2[0], __ATOMIC_RELAXED), want, write) &&
                     tg__fast_quiet(r, __atomic_load_n(&s2[1], __ATOMIC_RELAXED), want, write)))
    return -1;
  return i;
}

/* Carries out a split (tg__fast_renew_cells): v into the empty primary
 * cell `empty`, then the wider cell, if it still holds `was`, loses v's
 * bytes. False if the empty cell was taken meanwhile: the slow path must
 * decide. */
TG_FAST_INLINE bool tg__fast_split(uint64_t *sh, int empty, uint64_t v, int wider, uint64_t was) {
  uint64_t zero = 0;
  if (!__atomic_compare_exchange_n(sh + empty, &zero, v, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
    return false;
  __atomic_compare_exchange_n(tg__cell_ptr(sh, wider), &was, was & ~(v & TG_CELL_BYTES), false,
                              __ATOMIC_RELEASE, __ATOMIC_RELAXED);
  return true;
}

/* The same, loading the word's cells; `secondary` as in
 * tg__fast_renew_same. */
TG_FAST_INLINE int tg__fast_renew(const struct tg_race_g *r, uint64_t *sh, uint64_t want,
                                  bool write, uint64_t *val, bool secondary) {
  uint64_t cells[TG_SHADOW_CELLS] = {sh[0], sh[1], 0, 0};
  if (secondary) {
    uint64_t *s2 = tg__cell_ptr(sh, TG_SHADOW_PRIMARY);
    cells[2] = __atomic_load_n(&s2[0], __ATOMIC_RELAXED);
    cells[3] = __atomic_load_n(&s2[1], __ATOMIC_RELAXED);
  }
  return tg__fast_renew_cells(r, cells, secondary ? TG_SHADOW_CELLS : TG_SHADOW_PRIMARY, want,
                              write, val, NULL);
}

/* A plain access stored into an empty word without the barrier, because
 * no other goroutine could run (tg__race_alone), when another P has started
 * since: this thread may have been descheduled between the decision and
 * the store, long enough for a goroutine there to check the word, find it
 * empty and go on. Looks at the word again after a full fence, as the
 * barrier's second look does (race_access.c), and reports what conflicts.
 * addr and size within one word. */
void tg__race_recheck(struct tg_race_g *r, uintptr_t addr, unsigned size, bool write, uintptr_t pc);

/* The renewed case's rarer forms, out of line (race_access.c): the
 * general rule for one word, and 16-byte accesses. Same contract as
 * tg__fast_renew_access. */
bool tg__race_renew_rest(struct tg_race_g *r, uintptr_t a, unsigned size, bool write, uintptr_t pc);

/* The general renewed case for one word within its bounds: the cells
 * loaded, the rule applied, the history and the cell written. */
TG_FAST_INLINE bool tg__fast_renew_word(struct tg_race_g *r, uintptr_t a, unsigned size, bool write,
                                        uintptr_t pc, uint64_t want) {
  uint64_t *sh = tg__shadow_of(a), *s2 = tg__cell_ptr(sh, TG_SHADOW_PRIMARY), v;
  uint64_t cells[TG_SHADOW_CELLS] = {sh[0], sh[1], 0, 0};
  bool secondary = tg__shadow_touched(s2);
  if (secondary) {
    cells[2] = __atomic_load_n(&s2[0], __ATOMIC_RELAXED);
    cells[3] = __atomic_load_n(&s2[1], __ATOMIC_RELAXED);
  }
  int split = -1,
      i = tg__fast_renew_cells(r, cells, secondary ? TG_SHADOW_CELLS : TG_SHADOW_PRIMARY, want,
                               write, &v, &split);
  if (i == TG_RENEW_COVERED)
    return true;
  if (i < 0)
    return false;
  /* The history first, as the slow path does: a goroutine that finds
   * this cell racing with its own access restores our stack from it at
   * once, and must not find the epoch missing there. */
  tg__hist_access(r, a, size, write, false, pc);
  if (split < 0)
    __atomic_store_n(tg__cell_ptr(sh, i), v, __ATOMIC_RELEASE);
  else if (!tg__fast_split(sh, i, v, split, cells[split]))
    return false;
  if (!(cells[0] | cells[1] | cells[2] | cells[3]) && !tg__race_alone())
    tg__race_recheck(r, a, size, write, pc); /* stored as alone: see there */
  return true;
}

/* The renewed case (its callers have found the access not seen): true if
 * done, false if the slow path must see it. Inline is only the common
 * form (tg__fast_renew_same), with few registers. */
TG_FAST_INLINE bool tg__fast_renew_access(struct tg_race_g *r, uintptr_t a, unsigned size,
                                          bool write, uintptr_t pc) {
  uint64_t fast = r->fast;
  if (!fast)
    return false;
  if (size == 16 || (a & 7) + size > 8) {
    tg__shadow_touch(tg__shadow_of(a));
    return tg__race_renew_rest(r, a, size, write, pc);
  }
  uint64_t *sh = tg__shadow_of(a);
  tg__shadow_touch(sh); /* the seen test leaves a fresh page to us */
  uint64_t want = fast | (uint64_t)(((1u << size) - 1) << (a & 7)) << TG_CELL_MASK_SHIFT |
                  (write ? 0 : TG_CELL_READ);
  int i = tg__fast_renew_same(r, sh, want, write,
                              tg__shadow_touched(tg__cell_ptr(sh, TG_SHADOW_PRIMARY)));
  if (__builtin_expect(i < 0, 0))
    return tg__fast_covered(sh, want) || tg__race_renew_rest(r, a, size, write, pc);
  tg__hist_access(r, a, size, write, false, pc); /* before the cell: see above */
  __atomic_store_n(tg__cell_ptr(sh, i), want, __ATOMIC_RELEASE);
  if (a < r->stack_touched && a >= r->stack_lo)
    r->stack_touched = a & ~(uintptr_t)7;
  return true;
}

/* The seen case: true if this access is already in the shadow this epoch.
 * Few registers and no calls: the hot loop of a memory-bound program. A
 * shadow page never written holds nothing to find, and is left unread (a
 * read would map the zero page, faulted again by the first write): the
 * renewed case and the slow path touch it (tg__shadow_touch). */
TG_FAST_INLINE bool tg__fast_seen_access(const struct tg_race_g *r, uintptr_t a, unsigned size,
                                         bool write) {
  uint64_t fast = r->fast;
  if (__builtin_expect(fast == 0, 0))
    return false;
  uint64_t *sh = tg__shadow_of(a);
  if (__builtin_expect(!tg__shadow_touched(sh), 0))
    return false;
  if (size == 16) { /* vectorized code: two whole words */
    uint64_t cur = fast | (uint64_t)0xff << TG_CELL_MASK_SHIFT;
    return (a & 7) == 0 && tg__fast_seen(sh, cur, write) &&
           tg__fast_seen(sh + TG_SHADOW_PRIMARY, cur, write);
  }
  uint64_t cur = fast | (uint64_t)(((1u << size) - 1) << (a & 7)) << TG_CELL_MASK_SHIFT;
  return (a & 7) + size <= 8 && tg__fast_seen(sh, cur, write);
}

#endif
