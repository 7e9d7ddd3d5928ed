/* Vector clock storage and arithmetic (see clock.h). Detector-internal
 * memory comes straight from libc's allocator, bypassing the race build's
 * free() interposer. */
#ifdef TANGLE_RACE
#include "clock.h"

#include "rt.h"

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

struct tg_vc *tg__vc_new(uint32_t cap) {
  if (cap < 4)
    cap = 4;
  struct tg_vc *vc = __libc_malloc(sizeof *vc + (size_t)cap * sizeof(uint32_t));
  if (!vc)
    tg__fatal("race detector: out of memory for a vector clock");
  atomic_init(&vc->ref, 1);
  vc->n = 0;
  vc->cap = cap;
  vc->ver = next_ver();
  vc->anc[0] = vc->anc[1] = 0;
  return vc;
}

void tg__vc_unref(struct tg_vc *vc) {
  if (vc && atomic_fetch_sub_explicit(&vc->ref, 1, memory_order_acq_rel) == 1)
    __libc_free(vc);
}

struct tg_vc *tg__vc_clone(const struct tg_vc *src, uint32_t cap) {
  uint32_t n = src ? src->n : 0;
  if (cap < n)
    cap = n;
  struct tg_vc *vc = tg__vc_new(cap + cap / 4);
  if (n)
    memcpy(vc->e, src->e, (size_t)n * sizeof(uint32_t));
  vc->n = n;
  if (src) {
    vc->anc[0] = src->ver;
    vc->anc[1] = src->anc[0];
  }
  return vc;
}

void tg__vc_own(struct tg_vc **vcp, uint32_t n) {
  struct tg_vc *vc = *vcp;
  if (vc && atomic_load_explicit(&vc->ref, memory_order_acquire) == 1 && n <= vc->cap)
    return;
  struct tg_vc *nv = tg__vc_clone(vc, n);
  tg__vc_unref(vc);
  *vcp = nv;
}

static void extend(struct tg_vc *vc, uint32_t n) {
  if (n > vc->n) {
    memset(vc->e + vc->n, 0, (size_t)(n - vc->n) * sizeof(uint32_t));
    vc->n = n;
  }
}

void tg__vc_join(struct tg_vc **dst, const struct tg_vc *src) {
  if (tg__vc_contains(*dst, src))
    return;
  struct tg_vc *d = *dst;
  /* Nothing to learn: common for a goroutine that already knows it all. */
  if (d && d->n >= src->n) {
    uint32_t i = 0;
    while (i < src->n && d->e[i] >= src->e[i])
      i++;
    if (i == src->n)
      return;
  }
  tg__vc_own(dst, src->n);
  d = *dst;
  extend(d, src->n);
  for (uint32_t i = 0; i < src->n; i++)
    if (src->e[i] > d->e[i])
      d->e[i] = src->e[i];
  /* It now contains src as it is: remember that (src's own ancestry is
   * dropped for the slot: two stamps are kept). */
  d->ver = next_ver();
  d->anc[1] = d->anc[0];
  d->anc[0] = src->ver;
}

void tg__vc_set_max(struct tg_vc **dst, uint32_t s, uint32_t e) {
  if (tg__vc_get(*dst, s) >= e)
    return;
  tg__vc_own(dst, s + 1);
  extend(*dst, s + 1);
  (*dst)->e[s] = e;
  (*dst)->ver = next_ver();
}

void tg__vc_clear(struct tg_vc *vc) {
  vc->n = 0;
  vc->ver = next_ver();
  vc->anc[0] = vc->anc[1] = 0;
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
