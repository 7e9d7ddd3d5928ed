/* The race detector's own small objects (vector clock chunks and tables,
 * goroutine states, sync objects), carved from one reserved region instead
 * of libc's heap (race build only).
 *
 * A run like spawn (a million goroutines, each leaving a sync object and a
 * version of its receiver's clock behind) is bound by page faults, not by
 * instructions: on a paravirtualized host a 4 KiB fault costs over 10 us,
 * while one 2 MiB transparent huge page fault costs about as much as a
 * single small one. The region past its first few MiB is advised for huge
 * pages; it is filled densely (each thread carves runs of it in turn), so
 * the resident set grows by at most a huge page per run being filled. It is
 * excluded from the wait-for graph's scan once, as a whole.
 *
 * Each size class keeps freed objects in per-thread lists, spilling and
 * refilling whole batches through a global list: allocating or freeing is a
 * few instructions and no lock in the common case, and an object has no
 * header (a 260-byte chunk costs 264 bytes, not glibc's 272). */
#ifndef TANGLE_SLAB_H
#define TANGLE_SLAB_H

#include <stddef.h>
#include <stdint.h>

enum {
  TG_SLAB_CHUNK, /* struct tg_vc_chunk */
  TG_SLAB_VC1,   /* struct tg_vc with room for 1, 2, 4, 8 chunk pointers */
  TG_SLAB_VC2,
  TG_SLAB_VC4,
  TG_SLAB_VC8,
  TG_SLAB_RACE_G, /* struct tg_race_g */
  TG_SLAB_CLASSES
};

/* An object of class c (its size fixed at the first call: `size`). Never
 * NULL: running out is fatal. */
void *tg__slab_alloc(int c, size_t size);
void tg__slab_free(int c, void *p);
/* `n` bytes (a multiple of 4096), page aligned, for a caller that manages
 * them itself and never gives them back. */
void *tg__slab_raw(size_t n);

#endif
