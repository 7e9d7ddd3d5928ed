/* Sync objects: the clocks attached to synchronization addresses (a
 * channel slot, a mutex, an atomic variable). Each lives in a list hung
 * from the meta word of its 8-byte application word (shadow.h), so lookup
 * is address arithmetic, and freeing memory finds the clocks inside it.
 * Lists and clocks are protected by striped locks keyed by the word. */
#ifdef TANGLE_RACE
#include "race_state.h"
#include "rt.h"

#include <sys/mman.h>

struct tg_sync {
  uintptr_t addr;
  struct tg_sync *next;
  struct tg_clock clk;
  uint32_t nrel;    /* releases so far: the first ones share, later ones copy */
  uint64_t rel_gid; /* who heads the current release sequence (atomics) */
  /* A goroutine whose own clock the sync clock is (its last store, and
   * its merges since), or 0: acquiring it back teaches that goroutine
   * nothing, since a goroutine's clock only grows (a mutex locked again
   * by its last holder). */
  uint64_t solo;
  /* The stamp of solo's vc that the last store copied (0: none), and the
   * override that came with it: while solo's vc and override stay the
   * same, its next store only raises its own entry (rewritten). */
  uint64_t snap_ver; /* (0: its vc was empty) */
  uint32_t snap_ov_slot, snap_ov_epoch;
  bool snap;
};

/* Whether acquiring s can teach r anything. */
static inline bool news_for(const struct tg_sync *s, const struct tg_race_g *r) {
  return !s->solo || s->solo != r->gid;
}

/* A sync object released into once or twice (a buffered channel's slot, a
 * one-shot flag) shares the releaser's vc; one that keeps being used gets
 * a private copy, so that its releases stop making the releaser copy its
 * own clock on its next acquire. */
#define SHARED_RELEASES 4

#define STRIPES 1024
/* Owned by this file: stripe i guards the lists of meta words hashing to i
 * and the clocks in them. One cache line each: two busy sync objects must
 * not bounce each other's lock. */
static struct {
  tg__lock l;
  char pad[64 - sizeof(tg__lock)];
} stripes[STRIPES] __attribute__((aligned(64)));

static tg__lock *stripe_of(uintptr_t addr) {
  uintptr_t w = addr >> 3;
  return &stripes[(w ^ (w >> 10) ^ (w >> 20)) % STRIPES].l;
}

static struct tg_sync *find(uintptr_t addr, bool create) {
  struct tg_sync **head = (struct tg_sync **)tg__meta_of(addr);
  for (struct tg_sync *s = *head; s; s = s->next)
    if (s->addr == addr)
      return s;
  if (!create)
    return NULL;
  struct tg_sync *s = __libc_calloc(1, sizeof *s);
  if (!s)
    tg__fatal("race detector: out of memory for a sync object");
  s->addr = addr;
  s->next = *head;
  *head = s;
  return s;
}

static bool usable(uintptr_t addr) {
  return tg__shadow_ready() && tg__app_addr(addr);
}

void tg__race_sync_acquire(struct tg_race_g *r, uintptr_t addr) {
  if (!usable(addr))
    return;
  tg__lock *l = stripe_of(addr);
  tg__lock_acquire(l);
  struct tg_sync *s = find(addr, false);
  if (s && news_for(s, r))
    tg__race_clock_acquire(r, &s->clk);
  tg__lock_release(l);
}

/* A store by the goroutine whose own copy the clock is (solo: nobody
 * else released into it since), made while its vc (same stamp) and
 * override are still those that copy was taken from: the clock already
 * holds all the goroutine knows except its own newer epoch. Its merges
 * since only added what it knew, so raising its own entry makes the clock
 * exactly a fresh copy (a mutex unlocked again by the goroutine that
 * locked and unlocked it last: O(1) instead of a copy of its clock). */
static bool rewritten(const struct tg_race_g *r, struct tg_sync *s) {
  struct tg_vc *b = s->clk.base;
  if (s->solo != r->gid || !s->snap || (r->vc ? r->vc->ver : 0) != s->snap_ver ||
      r->ov_slot != s->snap_ov_slot || r->ov_epoch != s->snap_ov_epoch || !r->slot || !b ||
      b == r->vc || s->clk.s[0] || s->clk.s[1] ||
      atomic_load_explicit(&b->ref, memory_order_acquire) != 1)
    return false;
  tg__vc_raise_own(&s->clk.base, r->slot, r->epoch, r->vc);
  return true;
}

static void release(struct tg_race_g *r, struct tg_sync *s, bool merge) {
  if (merge) {
    tg__race_clock_merge(r, &s->clk);
    if (s->solo != r->gid)
      s->solo = 0;
    s->snap = false;
  } else if (!rewritten(r, s)) {
    /* A clock that is the goroutine's vc already (it took the clock by
     * reference when it acquired) is shared again: nothing to copy. */
    bool share = s->nrel < SHARED_RELEASES || (s->clk.base && s->clk.base == r->vc);
    tg__race_clock_store(r, &s->clk, share);
    s->solo = r->gid;
    s->snap = !share;
    s->snap_ver = r->vc ? r->vc->ver : 0;
    s->snap_ov_slot = r->ov_slot;
    s->snap_ov_epoch = r->ov_epoch;
  }
  s->nrel++;
  s->rel_gid = r->gid;
}

void tg__race_sync_release(struct tg_race_g *r, uintptr_t addr, bool merge) {
  if (!usable(addr))
    return;
  tg__lock *l = stripe_of(addr);
  tg__lock_acquire(l);
  release(r, find(addr, true), merge);
  tg__lock_release(l);
  tg__race_tick(r);
}

tg__lock *tg__race_atomic_lock(uintptr_t addr) {
  return stripe_of(addr);
}

static bool mo_acquires(int mo) {
  return mo == 1 || mo == 2 || mo == 4 || mo == 5; /* consume counts as acquire */
}
static bool mo_releases(int mo) {
  return mo == 3 || mo == 4 || mo == 5;
}

bool tg__race_atomic_sync(struct tg_race_g *r, uintptr_t addr, int kind, int mo) {
  if (!usable(addr))
    return false;
  bool released = false;
  if (kind != TG_ATOMIC_LOAD) {
    bool merge = kind == TG_ATOMIC_RMW;
    if (mo_releases(mo)) {
      struct tg_sync *s = find(addr, true);
      release(r, s, merge);
      released = true;
    } else if (r->fence_rel) {
      /* A release fence earlier in this goroutine: this relaxed write
       * carries the clock of that fence (C11 7.17.4). */
      struct tg_sync *s = find(addr, true);
      if (!merge)
        tg__clock_free(&s->clk);
      tg__race_clock_fold(&s->clk);
      tg__vc_join(&s->clk.base, r->fence_rel);
      s->rel_gid = r->gid;
      s->solo = 0;
      s->snap = false;
    } else if (!merge) {
      /* C11 7.17.3: a release sequence continues through its head's own
       * stores and anyone's read-modify-writes; another goroutine's plain
       * store ends it. */
      struct tg_sync *s = find(addr, false);
      if (s && s->rel_gid != r->gid) {
        tg__clock_free(&s->clk);
        s->rel_gid = 0;
        s->solo = 0;
        s->snap = false;
      }
    }
  }
  if (kind != TG_ATOMIC_STORE) {
    struct tg_sync *s = find(addr, false);
    if (s) {
      if (mo_acquires(mo)) {
        if (news_for(s, r))
          tg__race_clock_acquire(r, &s->clk);
      } else { /* kept for a later acquire fence */
        tg__vc_join(&r->acq_pending, s->clk.base);
        for (int i = 0; i < 2; i++)
          if (s->clk.s[i])
            tg__vc_set_max(&r->acq_pending, s->clk.s[i], s->clk.e[i]);
      }
    }
  }
  return released;
}

static void free_word(uintptr_t w) {
  void **meta = tg__meta_of(w);
  if (!__atomic_load_n(meta, __ATOMIC_RELAXED))
    return;
  tg__lock *l = stripe_of(w);
  tg__lock_acquire(l);
  struct tg_sync *s = *meta;
  *meta = NULL;
  tg__lock_release(l);
  while (s) {
    struct tg_sync *next = s->next;
    tg__clock_free(&s->clk);
    __libc_free(s);
    s = next;
  }
}

/* Large ranges give their meta pages back without looking for clocks in
 * them: the few sync objects a big buffer might hold are leaked, which is
 * harmless (a stale clock can only hide a race). */
#define SCAN_MAX ((size_t)1 << 20)

void tg__race_sync_free_range(uintptr_t addr, size_t n) {
  if (!n || !usable(addr))
    return;
  uintptr_t lo = addr & ~(uintptr_t)7, hi = (addr + n + 7) & ~(uintptr_t)7;
  if (n == 1) { /* one object: only the syncs at exactly that address */
    tg__lock *l = stripe_of(addr);
    tg__lock_acquire(l);
    struct tg_sync **pp = (struct tg_sync **)tg__meta_of(addr), *dead = NULL;
    while (*pp) {
      if ((*pp)->addr == addr) {
        dead = *pp;
        *pp = dead->next;
        break;
      }
      pp = &(*pp)->next;
    }
    tg__lock_release(l);
    if (dead) {
      tg__clock_free(&dead->clk);
      __libc_free(dead);
    }
    return;
  }
  if (hi - lo > SCAN_MAX) {
    char *mlo = (char *)tg__meta_of(lo), *mhi = (char *)tg__meta_of(hi - 8) + 8;
    char *plo = (char *)(((uintptr_t)mlo + 4095) & ~(uintptr_t)4095);
    char *phi = (char *)((uintptr_t)mhi & ~(uintptr_t)4095);
    for (uintptr_t w = lo; (char *)tg__meta_of(w) < plo && w < hi; w += 8)
      free_word(w);
    if (phi > plo)
      madvise(plo, (size_t)(phi - plo), MADV_DONTNEED);
    for (uintptr_t w = lo + (uintptr_t)(phi - mlo); w < hi; w += 8)
      free_word(w);
    return;
  }
  for (uintptr_t w = lo; w < hi; w += 8)
    free_word(w);
}
#endif
