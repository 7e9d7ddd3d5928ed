/* Sync objects: the clocks attached to synchronization addresses (a
 * channel slot, a mutex, an atomic variable). Each lives in a list hung
 * from the meta word of its 8-byte application word (shadow.h), so lookup
 * is address arithmetic, and freeing memory finds the clocks inside it.
 *
 * Locking: a striped lock keyed by the word guards the shape of its list
 * (insertions, removals); each object's clock is guarded by the object's
 * own lock, in the object's first cache line. An acquire or release finds
 * its object without the striped lock (lists only grow at the head, and
 * objects are never given back to libc: a stale pointer still points at
 * a sync object), then locks the object and checks that it still belongs
 * to the address. So a mutex handed between threads moves the lines of
 * its object and clock, not also a stripe's (a stripe lock taken and
 * dropped around each hook cost mutex4 a third of its time: two full
 * barriers and one more line bouncing between cores per hook). Order:
 * stripe, then object. */
#ifdef TANGLE_RACE
#include "race_state.h"
#include "futex.h"
#include "rt.h"
#include "slab.h"
#include "waitfor.h"

#include <sched.h>
#include <sys/mman.h>

/* An object's lock: held for a few hundred instructions at most, never
 * across a park, so a spin (yielding the thread now and then, in case the
 * holder's thread was preempted) with a plain store to release: one full
 * barrier per hook instead of two. */
typedef struct {
  _Atomic uint32_t v;
} obj_lock;

static __attribute__((noinline)) void obj_lock_slow(obj_lock *l) {
  for (unsigned i = 1;; i++) {
    uint32_t z = 0;
    if (atomic_load_explicit(&l->v, memory_order_relaxed) == 0 &&
        atomic_compare_exchange_weak_explicit(&l->v, &z, 1, memory_order_acquire,
                                              memory_order_relaxed))
      return;
    if (i % 64 == 0)
      sched_yield();
    else
      tg__cpu_relax();
  }
}

static inline void obj_lock_acquire(obj_lock *l) {
  uint32_t z = 0;
  if (__builtin_expect(atomic_compare_exchange_strong_explicit(&l->v, &z, 1, memory_order_acquire,
                                                               memory_order_relaxed),
                       1))
    return;
  obj_lock_slow(l);
}

static inline void obj_lock_release(obj_lock *l) {
  atomic_store_explicit(&l->v, 0, memory_order_release);
}

/* One cache line: a buffered channel of a million slots holds a million
 * of them. */
struct tg_sync {
  obj_lock lk;
  uint8_t nrel; /* releases so far, up to SHARED_RELEASES: the first share */
  bool snap;
  /* Whether the sync clock is rel_gid's own clock (its last store, and its
   * merges since): acquiring it back teaches that goroutine nothing, since
   * a goroutine's clock only grows (a mutex locked again by its last
   * holder). (Whoever made the last store also made the last release.) */
  bool solo;
  uintptr_t addr; /* 0: dead (freed or not yet born); under lk */
  struct tg_sync *next;
  struct tg_clock clk;
  union {
    /* The stamp of solo's vc that the last store copied (0: its vc was
     * empty): while that vc stays the same, and the clock holds its
     * override, its next store only raises its own entry (rewritten);
     * snap says whether that holds at all. */
    uint64_t snap_ver;
    struct tg_sync *free_next; /* dead, in the pool */
  };
  uint64_t rel_gid; /* who heads the current release sequence (atomics) */
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct tg_sync) == 64, "a sync object is one cache line");

/* Whether acquiring s can teach r anything. */
static inline bool news_for(const struct tg_sync *s, const struct tg_race_g *r) {
  return !s->solo || s->rel_gid != r->gid;
}

/* A sync object released into once or twice (a buffered channel's slot, a
 * one-shot flag) shares the releaser's vc; one that keeps being used gets
 * a private copy, so that its releases stop making the releaser copy its
 * own clock on its next acquire. */
#define SHARED_RELEASES 4

#define STRIPES 1024
/* Owned by this file: stripe i guards the lists of meta words hashing to i.
 * One cache line each: two busy lists must not bounce each other's lock. */
static struct {
  tg__lock l;
  char pad[64 - sizeof(tg__lock)];
} stripes[STRIPES] __attribute__((aligned(64)));

static tg__lock *stripe_of(uintptr_t addr) {
  uintptr_t w = addr >> 3;
  return &stripes[(w ^ (w >> 10) ^ (w >> 20)) % STRIPES].l;
}

/* Objects come from slabs that are never unmapped, and dead ones are
 * reused: owned by this file, under pool_lock. */
#define SLAB_BYTES ((size_t)1 << 16)
static tg__lock pool_lock;
static struct tg_sync *pool_free;
static char *slab_next, *slab_end;

static struct tg_sync *obj_new(void) {
  tg__lock_acquire(&pool_lock);
  struct tg_sync *s = pool_free;
  if (s) {
    pool_free = s->free_next;
  } else {
    if (slab_next == slab_end) {
      /* (Clocks, not program pointers: the wait-for graph's scan skips the
       * detector's region.) */
      slab_next = tg__slab_raw(SLAB_BYTES);
      slab_end = slab_next + SLAB_BYTES;
    }
    s = (struct tg_sync *)slab_next;
    slab_next += sizeof *s;
  }
  tg__lock_release(&pool_lock);
  return s;
}

/* A dead object (addr 0, out of its list, its clock freed) for reuse. Its
 * lock and next pointer stay as they are: a lookup that reached it late
 * may still read them. */
static void obj_free(struct tg_sync *s) {
  tg__lock_acquire(&pool_lock);
  s->free_next = pool_free;
  pool_free = s;
  tg__lock_release(&pool_lock);
}

/* Under the stripe lock. */
static struct tg_sync *find(uintptr_t addr, bool create) {
  struct tg_sync **head = (struct tg_sync **)tg__meta_of(addr);
  for (struct tg_sync *s = *head; s; s = s->next)
    if (s->addr == addr)
      return s;
  if (!create)
    return NULL;
  struct tg_sync *s = obj_new();
  obj_lock_acquire(&s->lk);
  __atomic_store_n(&s->addr, addr, __ATOMIC_RELAXED);
  s->nrel = 0;
  s->snap = false;
  s->clk = (struct tg_clock){0};
  s->solo = false;
  s->snap_ver = s->rel_gid = 0;
  __atomic_store_n(&s->next, *head, __ATOMIC_RELAXED);
  obj_lock_release(&s->lk);
  __atomic_store_n(head, s, __ATOMIC_RELEASE); /* published whole */
  return s;
}

/* Marks a listed object dead, under the stripe lock: a lookup holding
 * it finds it no longer addr's. */
static void kill(struct tg_sync *s) {
  obj_lock_acquire(&s->lk);
  __atomic_store_n(&s->addr, 0, __ATOMIC_RELAXED);
  obj_lock_release(&s->lk);
}

static void obj_drop(struct tg_sync *s) {
  tg__clock_free(&s->clk);
  obj_free(s);
}

/* Walks longer than this (a list changing under the walk as its objects
 * die and are reused) take the stripe lock instead. */
#define WALK_MAX 16

/* addr's object, locked, or NULL if it has none (and !create). */
static struct tg_sync *lookup(uintptr_t addr, bool create) {
  struct tg_sync *s = __atomic_load_n((struct tg_sync **)tg__meta_of(addr), __ATOMIC_ACQUIRE);
  for (int i = 0; s && i < WALK_MAX; i++) {
    if (__atomic_load_n(&s->addr, __ATOMIC_RELAXED) == addr) {
      obj_lock_acquire(&s->lk);
      if (s->addr == addr)
        return s;
      obj_lock_release(&s->lk);
      break;
    }
    s = __atomic_load_n(&s->next, __ATOMIC_ACQUIRE);
  }
  tg__lock *l = stripe_of(addr);
  tg__lock_acquire(l);
  s = find(addr, create);
  if (s)
    obj_lock_acquire(&s->lk);
  tg__lock_release(l);
  return s;
}

static bool usable(uintptr_t addr) {
  return tg__shadow_ready() && tg__app_addr(addr);
}

void tg__race_sync_acquire(struct tg_race_g *r, uintptr_t addr) {
  if (!usable(addr))
    return;
  struct tg_sync *s = lookup(addr, false);
  if (!s)
    return;
  if (news_for(s, r))
    tg__race_clock_acquire(r, &s->clk);
  obj_lock_release(&s->lk);
}

/* A store by the goroutine whose own copy the clock is (solo: nobody
 * else released into it since), made while its vc is still the one that
 * copy was taken from (same stamp) and its override is in the clock: the
 * clock already holds all the goroutine knows except its own newer epoch.
 * The copy and its merges since hold only what it knew, so raising its
 * own entry makes the clock exactly a fresh copy (a mutex unlocked again by the goroutine that
 * locked and unlocked it last: O(1) instead of a copy of its clock). */
static bool rewritten(const struct tg_race_g *r, struct tg_sync *s) {
  struct tg_vc *b = s->clk.base;
  if (!s->solo || s->rel_gid != r->gid || !s->snap || (r->vc ? r->vc->ver : 0) != s->snap_ver ||
      !r->slot || !b || b == r->vc || s->clk.s[0] || s->clk.s[1] ||
      atomic_load_explicit(&b->ref, memory_order_acquire) != 1)
    return false;
  /* The override it has now: the copy's (it only grows, or is folded into
   * the vc, which restamps it), or learnt since. */
  if (r->ov_slot && tg__vc_get(b, r->ov_slot) < r->ov_epoch)
    return false;
  tg__vc_raise_own(&s->clk.base, r->slot, r->epoch, r->vc);
  return true;
}

static void release(struct tg_race_g *r, struct tg_sync *s, bool merge) {
  if (merge) {
    tg__race_clock_merge(r, &s->clk);
    s->solo = s->solo && s->rel_gid == r->gid;
    s->snap = false;
  } else if (!rewritten(r, s)) {
    /* A clock that is the goroutine's vc already (it took the clock by
     * reference when it acquired) is shared again: nothing to copy. */
    bool share = s->nrel < SHARED_RELEASES || (s->clk.base && s->clk.base == r->vc);
    tg__race_clock_store(r, &s->clk, share);
    s->solo = true;
    s->snap = !share;
    s->snap_ver = r->vc ? r->vc->ver : 0;
  }
  if (s->nrel < SHARED_RELEASES)
    s->nrel++;
  s->rel_gid = r->gid;
}

void tg__race_sync_release(struct tg_race_g *r, uintptr_t addr, bool merge) {
  if (!usable(addr))
    return;
  struct tg_sync *s = lookup(addr, true);
  release(r, s, merge);
  obj_lock_release(&s->lk);
  tg__race_tick(r);
}

/* A mutex's own hooks (waitfor.c): the locker's acquire runs once it holds
 * the mutex and the unlocker's release before it lets go, so the mutex
 * already orders every use of its object (its state word's atomics carry
 * the clock from one holder to the next), and the object lock would only
 * add two full barriers per lock and unlock. Objects are never unmapped
 * (a stale one is still a sync object), and the walk re-reads the address.
 * What the mutex cannot order, a program racing on the mutex itself
 * (unlocking one that another goroutine is locking at that moment), may
 * teach the wrong clock; tg_mutex_unlock refuses an unlocked mutex before
 * any hook runs. */
static struct tg_sync *lookup_held(uintptr_t addr, bool create) {
  struct tg_sync *s = __atomic_load_n((struct tg_sync **)tg__meta_of(addr), __ATOMIC_ACQUIRE);
  for (int i = 0; s && i < WALK_MAX; i++) {
    if (__atomic_load_n(&s->addr, __ATOMIC_RELAXED) == addr)
      return s;
    s = __atomic_load_n(&s->next, __ATOMIC_ACQUIRE);
  }
  tg__lock *l = stripe_of(addr);
  tg__lock_acquire(l);
  s = find(addr, create);
  tg__lock_release(l);
  return s;
}

void tg__race_mutex_acquire(struct tg_race_g *r, uintptr_t addr) {
  if (!usable(addr))
    return;
  struct tg_sync *s = lookup_held(addr, false);
  if (s && news_for(s, r))
    tg__race_clock_acquire(r, &s->clk);
}

void tg__race_mutex_release(struct tg_race_g *r, uintptr_t addr) {
  if (!usable(addr))
    return;
  release(r, lookup_held(addr, true), false);
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

/* Under the stripe lock (tg__race_atomic_lock), which orders the
 * atomic operations on addr with their clock work. */
bool tg__race_atomic_sync(struct tg_race_g *r, uintptr_t addr, int kind, int mo) {
  if (!usable(addr))
    return false;
  bool released = false;
  if (kind != TG_ATOMIC_LOAD) {
    bool merge = kind == TG_ATOMIC_RMW;
    if (mo_releases(mo)) {
      struct tg_sync *s = find(addr, true);
      obj_lock_acquire(&s->lk);
      release(r, s, merge);
      obj_lock_release(&s->lk);
      released = true;
    } else if (r->fence_rel) {
      /* A release fence earlier in this goroutine: this relaxed write
       * carries the clock of that fence (C11 7.17.4). */
      struct tg_sync *s = find(addr, true);
      obj_lock_acquire(&s->lk);
      if (!merge)
        tg__clock_free(&s->clk);
      tg__race_clock_fold(&s->clk);
      tg__vc_join(&s->clk.base, r->fence_rel);
      s->rel_gid = r->gid;
      s->solo = false;
      s->snap = false;
      obj_lock_release(&s->lk);
    } else if (!merge) {
      /* C11 7.17.3: a release sequence continues through its head's own
       * stores and anyone's read-modify-writes; another goroutine's plain
       * store ends it. */
      struct tg_sync *s = find(addr, false);
      if (s) {
        obj_lock_acquire(&s->lk);
        if (s->rel_gid != r->gid) {
          tg__clock_free(&s->clk);
          s->rel_gid = 0;
          s->solo = false;
          s->snap = false;
        }
        obj_lock_release(&s->lk);
      }
    }
  }
  if (kind != TG_ATOMIC_STORE) {
    struct tg_sync *s = find(addr, false);
    if (s) {
      obj_lock_acquire(&s->lk);
      if (mo_acquires(mo)) {
        if (news_for(s, r))
          tg__race_clock_acquire(r, &s->clk);
      } else { /* kept for a later acquire fence */
        tg__vc_join(&r->acq_pending, s->clk.base);
        for (int i = 0; i < 2; i++)
          if (s->clk.s[i])
            tg__vc_set_max(&r->acq_pending, s->clk.s[i], s->clk.e[i]);
      }
      obj_lock_release(&s->lk);
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
  for (struct tg_sync *k = s; k; k = k->next)
    kill(k);
  __atomic_store_n(meta, NULL, __ATOMIC_RELAXED);
  tg__lock_release(l);
  while (s) {
    struct tg_sync *next = s->next;
    obj_drop(s);
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
        kill(dead);
        __atomic_store_n(pp, dead->next, __ATOMIC_RELAXED);
        break;
      }
      pp = &(*pp)->next;
    }
    tg__lock_release(l);
    if (dead)
      obj_drop(dead);
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
