/* Vector clock storage and arithmetic (see clock.h). Chunks and the
 * tables of small clocks come from the detector's pools (slab.h), larger
 * tables straight from libc's allocator, bypassing the race build's free()
 * interposer. */
#ifdef TANGLE_RACE
#include "clock.h"

#include "rt.h"
#include "slab.h"

#include <string.h>

void *__libc_malloc(size_t n);
void __libc_free(void *p);

/* Version stamps, unique process-wide and never 0: each thread takes a
 * block of 2^32 from ver_blocks and numbers within it, so stamping is not
 * a contended atomic. ver_blocks is owned by this file; ver_next/ver_end
 * by each thread. */
static _Atomic uint64_t ver_blocks;
static __thread uint64_t ver_next, ver_end;

static uint64_t next_ver(void) {
  if (__builtin_expect(ver_next == ver_end, 0)) {
    ver_next = (atomic_fetch_add_explicit(&ver_blocks, 1, memory_order_relaxed) + 1) << 32;
    ver_end = ver_next + ((uint64_t)1 << 32);
  }
  return ver_next++;
}

static uint32_t chunks_for(uint32_t n) {
  return (n + TG_VC_CHUNK - 1) >> TG_VC_SHIFT;
}

/* A table for at least `nchunks` chunk pointers (its cap says how many it
 * has: a pool's tables have 1, 2, 4 or 8, libc's more). */
static struct tg_vc *alloc_table(uint32_t *nchunks) {
  uint32_t n = *nchunks;
  int c = n <= 1 ? TG_SLAB_VC1 : n <= 2 ? TG_SLAB_VC2 : n <= 4 ? TG_SLAB_VC4 : TG_SLAB_VC8;
  if (n <= 8) {
    n = 1u << (c - TG_SLAB_VC1);
    *nchunks = n;
    return tg__slab_alloc(c, sizeof(struct tg_vc) + n * sizeof(struct tg_vc_chunk *));
  }
  struct tg_vc *vc = __libc_malloc(sizeof *vc + (size_t)n * sizeof vc->c[0]);
  if (!vc)
    tg__fatal("race detector: out of memory for a vector clock");
  return vc;
}

static void free_table(struct tg_vc *vc) {
  if (vc->cap > 8)
    __libc_free(vc);
  else
    tg__slab_free(vc->cap <= 1   ? TG_SLAB_VC1
                  : vc->cap <= 2 ? TG_SLAB_VC2
                  : vc->cap <= 4 ? TG_SLAB_VC4
                                 : TG_SLAB_VC8,
                  vc);
}

static struct tg_vc *alloc_vc(uint32_t nchunks) {
  if (nchunks < 1)
    nchunks = 1;
  struct tg_vc *vc = alloc_table(&nchunks);
  atomic_init(&vc->ref, 1);
  vc->n = 0;
  vc->cap = nchunks;
  vc->ver = next_ver();
  vc->anc[0] = vc->anc[1] = 0;
  memset(vc->c, 0, (size_t)nchunks * sizeof vc->c[0]);
  return vc;
}

struct tg_vc *tg__vc_new(uint32_t cap) {
  return alloc_vc(chunks_for(cap));
}

static struct tg_vc_chunk *chunk_ref(struct tg_vc_chunk *k) {
  if (k)
    atomic_fetch_add_explicit(&k->ref, 1, memory_order_relaxed);
  return k;
}

static void chunk_unref(struct tg_vc_chunk *k) {
  if (k && atomic_fetch_sub_explicit(&k->ref, 1, memory_order_acq_rel) == 1)
    tg__slab_free(TG_SLAB_CHUNK, k);
}

/* Chunk k of a private vc, copied (or created zeroed) because it is shared
 * or missing. */
static __attribute__((noinline)) struct tg_vc_chunk *chunk_copy(struct tg_vc *vc, uint32_t k) {
  struct tg_vc_chunk *c = vc->c[k];
  struct tg_vc_chunk *nc = tg__slab_alloc(TG_SLAB_CHUNK, sizeof *nc);
  atomic_init(&nc->ref, 1);
  if (c)
    memcpy(nc->e, c->e, sizeof nc->e);
  else
    memset(nc->e, 0, sizeof nc->e);
  chunk_unref(c);
  vc->c[k] = nc;
  return nc;
}

/* Chunk k of a private vc, made private too. */
static inline struct tg_vc_chunk *chunk_own(struct tg_vc *vc, uint32_t k) {
  struct tg_vc_chunk *c = vc->c[k];
  if (c && atomic_load_explicit(&c->ref, memory_order_acquire) == 1)
    return c;
  return chunk_copy(vc, k);
}

/* Entries of chunk k below n: the rest are 0 in every vc of n entries. */
static uint32_t used_in(uint32_t n, uint32_t k) {
  uint32_t lo = k << TG_VC_SHIFT;
  return n <= lo ? 0 : n - lo < TG_VC_CHUNK ? n - lo : TG_VC_CHUNK;
}

/* Whether a's first u entries are all at most b's. */
static bool chunk_le(const struct tg_vc_chunk *a, const struct tg_vc_chunk *b, uint32_t u) {
  for (uint32_t i = 0; i < u; i++)
    if (a->e[i] > b->e[i])
      return false;
  return true;
}

/* Chunk k of vc, or NULL past its entries. */
static struct tg_vc_chunk *chunk_at(const struct tg_vc *vc, uint32_t k) {
  return vc && k < chunks_for(vc->n) ? vc->c[k] : NULL;
}

static void drop_chunks(struct tg_vc *vc) {
  for (uint32_t k = 0, m = chunks_for(vc->n); k < m; k++) {
    chunk_unref(vc->c[k]);
    vc->c[k] = NULL;
  }
}

void tg__vc_unref(struct tg_vc *vc) {
  if (vc && atomic_fetch_sub_explicit(&vc->ref, 1, memory_order_acq_rel) == 1) {
    drop_chunks(vc);
    free_table(vc);
  }
}

struct tg_vc *tg__vc_clone(const struct tg_vc *src, uint32_t cap) {
  uint32_t n = src ? src->n : 0;
  if (cap < n)
    cap = n;
  struct tg_vc *vc = alloc_vc(chunks_for(cap + cap / 4));
  for (uint32_t k = 0, m = chunks_for(n); k < m; k++)
    vc->c[k] = chunk_ref(src->c[k]);
  vc->n = n;
  if (src) {
    vc->anc[0] = src->ver;
    vc->anc[1] = src->anc[0];
  }
  return vc;
}

void tg__vc_own(struct tg_vc **vcp, uint32_t n) {
  struct tg_vc *vc = *vcp;
  if (vc && atomic_load_explicit(&vc->ref, memory_order_acquire) == 1) {
    if (chunks_for(n) <= vc->cap)
      return;
    /* Private but its table is too short: only the table grows. */
    uint32_t nc = chunks_for(n + n / 4);
    struct tg_vc *nv = alloc_table(&nc);
    memcpy(nv, vc, sizeof *vc + (size_t)vc->cap * sizeof vc->c[0]);
    memset(nv->c + vc->cap, 0, (size_t)(nc - vc->cap) * sizeof vc->c[0]);
    nv->cap = nc;
    free_table(vc);
    *vcp = nv;
    return;
  }
  struct tg_vc *nv = tg__vc_clone(vc, n);
  tg__vc_unref(vc);
  *vcp = nv;
}

/* Entries past n are 0 (clock.h's invariant): growing is a new bound. */
static void extend(struct tg_vc *vc, uint32_t n) {
  if (n > vc->n)
    vc->n = n;
}

bool tg__vc_leq(const struct tg_vc *a, const struct tg_vc *b, const uint32_t xs[3],
                const uint32_t xe[3]) {
  for (uint32_t k = 0, m = a ? chunks_for(a->n) : 0; k < m; k++) {
    const struct tg_vc_chunk *ac = a->c[k], *bc = chunk_at(b, k);
    if (!ac || ac == bc)
      continue;
    for (uint32_t i = 0, u = used_in(a->n, k); i < u; i++) {
      uint32_t v = ac->e[i];
      if (!v || (bc && v <= bc->e[i]))
        continue;
      uint32_t s = k << TG_VC_SHIFT | i;
      int j = 0;
      while (j < 3 && !(xs[j] && xs[j] == s && xe[j] >= v))
        j++;
      if (j == 3)
        return false;
    }
  }
  return true;
}

/* Whether a <= b entrywise (tg__vc_leq without extra entries). */
static bool le(const struct tg_vc *a, const struct tg_vc *b) {
  for (uint32_t k = 0, m = chunks_for(a->n); k < m; k++) {
    const struct tg_vc_chunk *ac = a->c[k], *bc = chunk_at(b, k);
    if (!ac || ac == bc)
      continue;
    uint32_t u = used_in(a->n, k);
    if (!bc) {
      for (uint32_t i = 0; i < u; i++)
        if (ac->e[i])
          return false;
    } else if (!chunk_le(ac, bc, u)) {
      return false;
    }
  }
  return true;
}

void tg__vc_join(struct tg_vc **dst, const struct tg_vc *src) {
  if (tg__vc_contains(*dst, src))
    return;
  /* Nothing to learn: common for a goroutine that already knows it all. */
  if (le(src, *dst))
    return;
  tg__vc_own(dst, src->n);
  struct tg_vc *d = *dst;
  extend(d, src->n);
  for (uint32_t k = 0, m = chunks_for(src->n); k < m; k++) {
    struct tg_vc_chunk *sc = src->c[k], *dc = d->c[k];
    if (!sc || sc == dc)
      continue;
    uint32_t u = used_in(d->n, k);
    bool mine = dc && atomic_load_explicit(&dc->ref, memory_order_acquire) == 1;
    /* A chunk of d's own is updated in place (small clocks joined back and
     * forth stay private); a shared or missing one becomes src's when
     * src's says it all, instead of a copy. */
    if (!mine && (!dc || chunk_le(dc, sc, u))) {
      chunk_unref(dc);
      d->c[k] = chunk_ref(sc);
      continue;
    }
    if (chunk_le(sc, dc, u))
      continue;
    dc = chunk_own(d, k);
    for (uint32_t i = 0; i < u; i++)
      if (sc->e[i] > dc->e[i])
        dc->e[i] = sc->e[i];
  }
  /* It now contains src as it is: remember that (src's own ancestry is
   * dropped for the slot: two stamps are kept). */
  d->ver = next_ver();
  d->anc[1] = d->anc[0];
  d->anc[0] = src->ver;
}

/* Entry s of a private vc with room for it. */
static void put(struct tg_vc *vc, uint32_t s, uint32_t e) {
  extend(vc, s + 1);
  chunk_own(vc, s >> TG_VC_SHIFT)->e[s & (TG_VC_CHUNK - 1)] = e;
}

void tg__vc_set_max(struct tg_vc **dst, uint32_t s, uint32_t e) {
  if (tg__vc_get(*dst, s) >= e)
    return;
  tg__vc_own(dst, s + 1);
  put(*dst, s, e);
  (*dst)->ver = next_ver();
}

/* (The copy loops must stay loops, not become memcpy calls: a clock is a
 * few entries long in the common case.) */
__attribute__((optimize("no-tree-loop-distribute-patterns"))) void
tg__vc_snapshot(struct tg_vc **dst, const struct tg_vc *src, const uint32_t s[2],
                const uint32_t e[2]) {
  uint32_t sn = src ? src->n : 0, n = sn;
  for (int i = 0; i < 2; i++)
    if (s[i] && s[i] >= n)
      n = s[i] + 1;
  struct tg_vc *d = *dst;
  if (!d || d == src || atomic_load_explicit(&d->ref, memory_order_acquire) != 1 ||
      chunks_for(n) > d->cap) {
    tg__vc_unref(d);
    d = *dst = alloc_vc(chunks_for(n + n / 4));
  }
  /* The common case, one chunk of its own: the old loop of plain copies. */
  struct tg_vc_chunk *d0 = d->c[0], *s0 = sn ? src->c[0] : NULL;
  if (n <= TG_VC_CHUNK && d->n <= TG_VC_CHUNK && s0 && d0 && d0 != s0 &&
      atomic_load_explicit(&d0->ref, memory_order_acquire) == 1) {
    uint32_t i = 0;
    for (; i < sn; i++)
      d0->e[i] = s0->e[i];
    for (; i < d->n; i++)
      d0->e[i] = 0;
    for (int j = 0; j < 2; j++)
      if (s[j] && e[j] > d0->e[s[j]])
        d0->e[s[j]] = e[j];
    d->n = n;
    tg__vc_clear_stamp(d, src);
    return;
  }
  /* A private one is reused (a mutex's clock, released into again and
   * again): its own chunks take src's epochs in place, the others share
   * src's chunks, so a release allocates nothing. */
  uint32_t m = chunks_for(n), old = chunks_for(d->n), ms = chunks_for(sn);
  for (uint32_t k = 0; k < m || k < old; k++) {
    struct tg_vc_chunk *sc = k < ms ? src->c[k] : NULL, *dc = d->c[k];
    if (k < m && sc && dc && dc != sc &&
        atomic_load_explicit(&dc->ref, memory_order_acquire) == 1) {
      /* Only the entries in use: src's, then zeros over d's old ones. */
      uint32_t lo = k << TG_VC_SHIFT, i = 0;
      uint32_t ns = sn - lo < TG_VC_CHUNK ? sn - lo : TG_VC_CHUNK;
      uint32_t nd = d->n > lo ? (d->n - lo < TG_VC_CHUNK ? d->n - lo : TG_VC_CHUNK) : 0;
      for (; i < ns; i++)
        dc->e[i] = sc->e[i];
      for (; i < nd; i++)
        dc->e[i] = 0;
      continue;
    }
    if (dc != sc) {
      chunk_unref(dc);
      d->c[k] = chunk_ref(sc);
    }
  }
  d->n = sn;
  for (int i = 0; i < 2; i++)
    if (s[i] && e[i] > tg__vc_get(d, s[i]))
      put(d, s[i], e[i]);
  d->n = n;
  tg__vc_clear_stamp(d, src);
}

bool tg__vc_pair_join(struct tg_vc *a, struct tg_vc *b, const uint32_t s[4], const uint32_t e[4]) {
  if (!a || !b || a == b || atomic_load_explicit(&a->ref, memory_order_acquire) != 1 ||
      atomic_load_explicit(&b->ref, memory_order_acquire) != 1)
    return false;
  uint32_t n = a->n > b->n ? a->n : b->n;
  for (int i = 0; i < 4; i++)
    if (s[i] && s[i] >= n)
      n = s[i] + 1;
  struct tg_vc_chunk *ac = a->c[0], *bc = b->c[0];
  if (n > TG_VC_CHUNK || !ac || !bc || ac == bc ||
      atomic_load_explicit(&ac->ref, memory_order_acquire) != 1 ||
      atomic_load_explicit(&bc->ref, memory_order_acquire) != 1)
    return false;
  /* Entries past a vc's n are 0 in its chunk (clock.h), so the loop may
   * read them. Equal stamps are equal contents (every change restamps):
   * the same two goroutines handing off again with nothing learnt from
   * anyone else in between (a ping-pong, a pipeline's stages) differ in
   * the extra entries only. */
  if (a->ver != b->ver)
    for (uint32_t i = 0; i < n; i++) {
      uint32_t m = ac->e[i] > bc->e[i] ? ac->e[i] : bc->e[i];
      ac->e[i] = bc->e[i] = m;
    }
  for (int i = 0; i < 4; i++)
    if (s[i] && e[i] > ac->e[s[i]])
      ac->e[s[i]] = bc->e[s[i]] = e[i];
  a->n = b->n = n;
  /* Equal contents, containing both old ones: one stamp for both. */
  uint64_t v = next_ver();
  a->anc[1] = b->anc[1] = b->ver;
  a->anc[0] = b->anc[0] = a->ver;
  a->ver = b->ver = v;
  return true;
}

void tg__vc_raise_own(struct tg_vc **vcp, uint32_t s, uint32_t e, const struct tg_vc *src) {
  struct tg_vc *vc = *vcp;
  struct tg_vc_chunk *k = s < vc->n ? vc->c[s >> TG_VC_SHIFT] : NULL;
  if (k && atomic_load_explicit(&k->ref, memory_order_acquire) == 1) {
    uint32_t *p = &k->e[s & (TG_VC_CHUNK - 1)];
    if (*p >= e)
      return; /* (no change: the stamp stands) */
    *p = e;
  } else {
    tg__vc_set_max(vcp, s, e);
  }
  tg__vc_clear_stamp(*vcp, src);
}

void tg__vc_clear_stamp(struct tg_vc *vc, const struct tg_vc *src) {
  vc->ver = next_ver();
  vc->anc[0] = src ? src->ver : 0;
  vc->anc[1] = src ? src->anc[0] : 0;
}

void tg__clock_free(struct tg_clock *c) {
  tg__vc_unref(c->base);
  c->base = NULL;
  c->s[0] = c->s[1] = 0;
}
#endif
