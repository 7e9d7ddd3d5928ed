/* Vector clocks of the race build.
 *
 * The detector's "threads" are slots, not goroutines: a goroutine takes a
 * slot (1..TG_MAX_SLOTS-1) the first time it must leave a trace in shadow
 * memory, and gives it back when it finishes. A slot's epochs continue from
 * one holder to the next, so a vector clock is indexed by slot and its size
 * is bounded by the number of goroutines that hold slots at once, never by
 * how many ever existed. Freed slots are reused oldest-first, and only once
 * TG_SLOT_QUARANTINE others have been freed since: a recently finished
 * goroutine's accesses keep their own identity for a while (reusing a slot
 * can only hide a race, never invent one).
 *
 * A tg_vc is an array of epochs cut into chunks of TG_VC_CHUNK entries,
 * each chunk reference-counted on its own (a missing chunk is all zeros).
 * A vc may be shared (ref > 1) between a parent and the goroutines it
 * created, or a goroutine and the sync objects it released, in which case
 * it is immutable and copied on the first write; so is a chunk shared by
 * several vcs. A copy duplicates the chunk table and the one chunk it
 * changes, not the epochs: a goroutine that knows 4095 slots and
 * releases into a thousand fresh sync objects (the slots of a buffered
 * channel), learning one new entry between each, keeps a thousand
 * versions of its clock for about 800 bytes each instead of 16 KiB. A
 * million goroutines spawned by one parent share one clock. Each content
 * of a vc has a version stamp, and a copy remembers the versions it
 * started from: joining a clock into one that already contains it (a
 * goroutine acquiring what it released itself, or its parent's old clock)
 * costs nothing however many slots it has.
 *
 * A tg_clock is what a sync object holds: a vc joined with up to two
 * single entries, so that releasing into a fresh sync object shares the
 * goroutine's vc instead of copying it. */
#ifndef TANGLE_CLOCK_H
#define TANGLE_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define TG_MAX_SLOTS       4096 /* 12 bits in a shadow cell; slot 0 means none */
#define TG_SLOT_QUARANTINE 64

#define TG_VC_SHIFT 6
#define TG_VC_CHUNK (1u << TG_VC_SHIFT) /* entries per chunk */

struct tg_vc_chunk {
  _Atomic uint32_t ref;
  uint32_t e[TG_VC_CHUNK];
};

/* Invariant: entries at index n and beyond are 0, and chunks past the one
 * holding entry n-1 are NULL. */
struct tg_vc {
  _Atomic uint32_t ref;
  uint32_t n;      /* entries in use: [0..n) */
  uint32_t cap;    /* chunk pointers in c[] */
  uint64_t ver;    /* stamp of the current contents */
  uint64_t anc[2]; /* stamps of contents this one contains */
  struct tg_vc_chunk *c[];
};

struct tg_clock {
  struct tg_vc *base;
  uint32_t s[2], e[2]; /* extra entries (slot 0: unused) */
};

/* An empty vc with room for `cap` entries. */
struct tg_vc *tg__vc_new(uint32_t cap);
void tg__vc_unref(struct tg_vc *vc);
/* A private copy with room for at least `cap` entries. */
struct tg_vc *tg__vc_clone(const struct tg_vc *src, uint32_t cap);
/* Makes *vc private (copying it if shared) with room for `n` entries. */
void tg__vc_own(struct tg_vc **vc, uint32_t n);
static inline uint32_t tg__vc_get(const struct tg_vc *vc, uint32_t s) {
  if (!vc || s >= vc->n)
    return 0;
  const struct tg_vc_chunk *k = vc->c[s >> TG_VC_SHIFT];
  return k ? k->e[s & (TG_VC_CHUNK - 1)] : 0;
}
/* dst (private) = dst joined with src. */
void tg__vc_join(struct tg_vc **dst, const struct tg_vc *src);
/* dst = max(dst[s], e) for one entry. */
void tg__vc_set_max(struct tg_vc **dst, uint32_t s, uint32_t e);
/* A private copy of src (or an empty vc) with entry s[i] raised to e[i]
 * for each i < 2 whose s[i] is not 0, stamped as containing src: what a
 * goroutine's clock is, materialized. Replaces *dst. */
void tg__vc_snapshot(struct tg_vc **dst, const struct tg_vc *src, const uint32_t s[2],
                     const uint32_t e[2]);
/* Whether every entry of a is at most b's, where b is raised by up to three
 * single entries (xs[i], xe[i]; xs[i] == 0: none). */
bool tg__vc_leq(const struct tg_vc *a, const struct tg_vc *b, const uint32_t xs[3],
                const uint32_t xe[3]);
/* An unbuffered hand-off's two clocks, when both are private and fit one
 * private chunk each: a and b both become the join of the two and of the
 * extra entries (s[i], e[i]; s[i] == 0: none), in one pass. False, and
 * nothing changed, otherwise. */
bool tg__vc_pair_join(struct tg_vc *a, struct tg_vc *b, const uint32_t s[4], const uint32_t e[4]);
/* A private vc that contains src and lacks only entry s's raise to e:
 * raised, and stamped as a copy of src. */
void tg__vc_raise_own(struct tg_vc **vc, uint32_t s, uint32_t e, const struct tg_vc *src);
/* A private vc was overwritten with a copy of src: new stamp, src's
 * contents as its ancestry. */
void tg__vc_clear_stamp(struct tg_vc *vc, const struct tg_vc *src);
/* Whether dst already contains src (same or ancestral contents). */
static inline bool tg__vc_contains(const struct tg_vc *dst, const struct tg_vc *src) {
  return !src || !src->n ||
         (dst && (dst->ver == src->ver || dst->anc[0] == src->ver || dst->anc[1] == src->ver));
}
static inline uint32_t tg__clock_get(const struct tg_clock *c, uint32_t slot) {
  uint32_t v = tg__vc_get(c->base, slot);
  for (int i = 0; i < 2; i++)
    if (c->s[i] == slot && c->e[i] > v)
      v = c->e[i];
  return v;
}
void tg__clock_free(struct tg_clock *c);

#endif
