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
 * A tg_vc is a dense array of epochs; it may be shared (ref > 1) between a
 * parent and the goroutines it created, in which case it is immutable and
 * copied on the first write (a million goroutines spawned by one parent
 * share one clock). */
#ifndef TANGLE_CLOCK_H
#define TANGLE_CLOCK_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define TG_MAX_SLOTS       4096 /* 12 bits in a shadow cell; slot 0 means none */
#define TG_SLOT_QUARANTINE 256

struct tg_vc {
  _Atomic uint32_t ref;
  uint32_t n; /* entries in use: e[0..n) */
  uint32_t cap;
  uint32_t e[];
};

struct tg_vc *tg__vc_new(uint32_t cap);
void tg__vc_unref(struct tg_vc *vc);
/* A private copy with room for at least `cap` entries. */
struct tg_vc *tg__vc_clone(const struct tg_vc *src, uint32_t cap);
/* Makes *vc private (copying it if shared) with room for `n` entries. */
void tg__vc_own(struct tg_vc **vc, uint32_t n);
static inline uint32_t tg__vc_get(const struct tg_vc *vc, uint32_t s) {
  return vc && s < vc->n ? vc->e[s] : 0;
}
/* dst (private) = dst joined with src. */
void tg__vc_join(struct tg_vc **dst, const struct tg_vc *src);
/* dst = max(dst[s], e) for one entry. */
void tg__vc_set_max(struct tg_vc **dst, uint32_t s, uint32_t e);

#endif
