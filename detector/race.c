/* The race detector's side of detector/hooks.h: goroutine lifecycle, slots,
 * and the happens-before edges the runtime reports (race build only). */
#ifdef TANGLE_RACE
#include "history.h"
#include "waitfor.h"
#include "race_state.h"
#include "rt.h"
#include "slab.h"

#include <string.h>

struct tg_slot tg__slots[TG_MAX_SLOTS];

/* Each thread's own M, filled in on first use (race_state.h). */
__thread struct tg_m *tg__race_m __attribute__((tls_model("initial-exec")));
/* Each thread's running goroutine's state (hooks.h). */
__thread void *tg__race_tls_cur __attribute__((tls_model("initial-exec")));

struct tg_m *tg__race_m_slow(void) {
  return tg__race_m = tg__getm();
}

/* Slot allocation, under slot_lock (owned by this file): never-used slots
 * are handed out from next_fresh up; freed ones wait in a FIFO ring and are
 * reused oldest first once TG_SLOT_QUARANTINE others are behind them. */
static tg__lock slot_lock;
static uint32_t next_fresh = 1;
static uint32_t free_ring[TG_MAX_SLOTS];
static uint32_t free_head, free_count;
_Atomic uint32_t tg__race_free_slots;

/* Recycled tg_race_g structures, under state_lock (owned by this file). */
static tg__lock state_lock;
static struct tg_race_g *state_free;

static _Atomic int race_state; /* 0 off, 1 starting, 2 ready, 3 unavailable */

void tg__race_report_init(void);
void tg__race_mem_init(void);

void tg__race_init(void) {
  int s = atomic_load_explicit(&race_state, memory_order_acquire);
  if (s >= 2)
    return;
  int zero = 0;
  if (!atomic_compare_exchange_strong(&race_state, &zero, 1)) {
    while (atomic_load_explicit(&race_state, memory_order_acquire) < 2)
      ;
    return;
  }
  bool ok = tg__shadow_init();
  if (ok) {
    tg__race_mem_init();
    tg__race_report_init();
  }
  atomic_store_explicit(&race_state, ok ? 2 : 3, memory_order_release);
}

bool tg__race_ready(void) {
  return atomic_load_explicit(&race_state, memory_order_relaxed) == 2;
}

void tg__race_refresh_fast(struct tg_race_g *r) {
  r->fast = r->slot && !r->ignore ? (uint64_t)r->slot << 32 | r->epoch : 0;
}

static struct tg_race_g *state_new(struct tg_g *g) {
  tg__lock_acquire(&state_lock);
  struct tg_race_g *r = state_free;
  if (r)
    state_free = r->free_next;
  tg__lock_release(&state_lock);
  uintptr_t *stk = NULL;
  uint32_t cap = 0;
  if (r) {
    stk = r->stk, cap = r->stk_cap; /* keep the call-stack buffer */
  } else {
    r = tg__slab_alloc(TG_SLAB_RACE_G, sizeof *r);
  }
  memset(r, 0, sizeof *r);
  r->stk = stk;
  r->stk_cap = cap;
  r->g = g;
  r->gid = g->id;
  return r;
}

static void state_free_one(struct tg_race_g *r) {
  tg__vc_unref(r->vc);
  tg__vc_unref(r->fence_rel);
  tg__vc_unref(r->acq_pending);
  if (r->stk_cap > 256) { /* a deep recursion's buffer is not worth keeping */
    __libc_free(r->stk);
    r->stk = NULL;
    r->stk_cap = 0;
  }
  tg__lock_acquire(&state_lock);
  r->free_next = state_free;
  state_free = r;
  tg__lock_release(&state_lock);
}

/* ---- slots ----------------------------------------------------------- */

bool tg__race_attach_slot(struct tg_race_g *r) {
  uint32_t s = 0;
  tg__lock_acquire(&slot_lock);
  if (free_count && (free_count >= TG_SLOT_QUARANTINE || next_fresh == TG_MAX_SLOTS)) {
    s = free_ring[free_head];
    free_head = (free_head + 1) % TG_MAX_SLOTS;
    free_count--;
    atomic_store_explicit(&tg__race_free_slots, free_count, memory_order_relaxed);
  } else if (next_fresh < TG_MAX_SLOTS) {
    s = next_fresh++;
  }
  if (s) {
    tg__slots[s].holder = r;
    tg__slots[s].gid = r->gid;
    r->slot = s;
    r->epoch = tg__slots[s].epoch + 1;
    tg__slots[s].first_epoch = r->epoch;
    struct tg_slot *sl = &tg__slots[s];
    sl->past[sl->npast % 8].first_epoch = r->epoch;
    sl->past[sl->npast % 8].gid = r->gid;
    sl->npast++;
  }
  tg__lock_release(&slot_lock);
  if (!s) {
    r->no_slot = true;
    return false;
  }
  r->no_slot = false;
  tg__race_refresh_fast(r);
  tg__hist_attach(r);
  return true;
}

static void detach_slot(struct tg_race_g *r) {
  uint32_t s = r->slot;
  if (!s)
    return;
  tg__hist_detach(r);
  tg__lock_acquire(&slot_lock);
  tg__slots[s].epoch = r->epoch;
  tg__slots[s].holder = NULL;
  tg__slots[s].gid = 0;
  free_ring[(free_head + free_count) % TG_MAX_SLOTS] = s;
  free_count++;
  atomic_store_explicit(&tg__race_free_slots, free_count, memory_order_relaxed);
  tg__lock_release(&slot_lock);
  r->slot = 0;
  r->fast = 0;
}

bool tg__race_goroutine_alive(uint32_t slot, uint64_t gid) {
  return slot < TG_MAX_SLOTS && __atomic_load_n(&tg__slots[slot].gid, __ATOMIC_RELAXED) == gid;
}

uint64_t tg__race_slot_owner(uint32_t slot, uint32_t epoch) {
  uint64_t gid = 0;
  uint32_t best = 0;
  tg__lock_acquire(&slot_lock);
  struct tg_slot *sl = &tg__slots[slot];
  uint32_t n = sl->npast < 8 ? sl->npast : 8;
  for (uint32_t i = 0; i < n; i++)
    if (sl->past[i].first_epoch <= epoch && sl->past[i].first_epoch >= best)
      best = sl->past[i].first_epoch, gid = sl->past[i].gid;
  /* (None qualifies: older than every holder remembered, unknown.) */
  tg__lock_release(&slot_lock);
  return gid;
}

/* ---- clocks ---------------------------------------------------------- */

void tg__race_tick(struct tg_race_g *r) {
  if (!r->slot)
    return;
  if (r->epoch == UINT32_MAX) /* four billion releases by one slot: saturate */
    return;
  r->epoch++;
  tg__race_refresh_fast(r);
  tg__hist_put1(r, TG_EV(TG_EV_EPOCH) | r->epoch);
}

/* Folds the creator's epoch into the clock proper. */
static void fold_override(struct tg_race_g *r) {
  if (r->ov_slot) {
    tg__vc_set_max(&r->vc, r->ov_slot, r->ov_epoch);
    r->ov_slot = 0;
  }
}

/* Acquiring a clock that knows everything the goroutine knows (what it
 * learns replaces what it had: a goroutine released by a close or a
 * broadcast, a receiver of a value sent by someone who knew more) takes
 * the clock's vc by reference instead of joining it into a private copy,
 * so a million goroutines woken by one close share one clock. The clock's
 * extra entries must fit in the goroutine's one override (its own slot's
 * epoch is kept outside the vc anyway). */
static bool adopt(struct tg_race_g *r, const struct tg_clock *c) {
  struct tg_vc *b = c->base;
  if (!b || b == r->vc)
    return false;
  uint32_t os = 0, oe = 0;
  for (int i = 0; i < 2; i++) {
    uint32_t s = c->s[i], e = c->e[i];
    if (!s || s == r->slot || e <= tg__vc_get(b, s))
      continue;
    if (os && os != s)
      return false; /* two entries beyond b: they do not fit */
    os = s;
    if (e > oe)
      oe = e;
  }
  if (r->ov_slot && r->ov_slot != r->slot && r->ov_epoch > tg__clock_get(c, r->ov_slot))
    return false;
  if (!tg__vc_contains(b, r->vc)) {
    const uint32_t xs[3] = {c->s[0], c->s[1], r->slot};
    const uint32_t xe[3] = {c->e[0], c->e[1], UINT32_MAX}; /* its own slot: r->epoch */
    if (!tg__vc_leq(r->vc, b, xs, xe))
      return false;
  }
  atomic_fetch_add_explicit(&b->ref, 1, memory_order_relaxed);
  tg__vc_unref(r->vc);
  r->vc = b;
  r->ov_slot = os;
  r->ov_epoch = oe;
  return true;
}

/* An extra entry learnt goes into the override while that is free (or
 * holds the same slot), and only otherwise into the vc, together with the
 * override's. A goroutine whose vc is shared by the sync objects it
 * released into (a receiver draining a buffered channel: each slot keeps
 * its clock) copies its vc on a change; learning one sender's epoch per
 * receive, it now copies on every second receive, and the slot between
 * shares the copy with its sender's epoch among the clock's extra
 * entries. */
void tg__race_clock_acquire(struct tg_race_g *r, const struct tg_clock *c) {
  if (!tg__vc_contains(r->vc, c->base) && adopt(r, c))
    return;
  tg__vc_join(&r->vc, c->base);
  for (int i = 0; i < 2; i++) {
    uint32_t s = c->s[i], e = c->e[i];
    if (!s || s == r->slot || e <= tg__race_knows(r, s))
      continue;
    if (!r->ov_slot || r->ov_slot == s) {
      r->ov_slot = s;
      r->ov_epoch = e;
    } else {
      fold_override(r);
      tg__vc_set_max(&r->vc, s, e);
    }
  }
}

void tg__race_clock_into(const struct tg_race_g *r, struct tg_vc **dst, bool merge) {
  if (!merge) {
    const uint32_t s[2] = {r->ov_slot, r->slot}, e[2] = {r->ov_epoch, r->epoch};
    tg__vc_snapshot(dst, r->vc, s, e);
    return;
  }
  tg__vc_join(dst, r->vc);
  if (r->ov_slot)
    tg__vc_set_max(dst, r->ov_slot, r->ov_epoch);
  if (r->slot)
    tg__vc_set_max(dst, r->slot, r->epoch);
}

void tg__race_clock_store(const struct tg_race_g *r, struct tg_clock *dst, bool share) {
  if (share) {
    if (r->vc)
      atomic_fetch_add_explicit(&r->vc->ref, 1, memory_order_relaxed);
    tg__vc_unref(dst->base);
    dst->base = r->vc;
    dst->s[0] = r->ov_slot, dst->e[0] = r->ov_epoch;
    dst->s[1] = r->slot, dst->e[1] = r->epoch;
    return;
  }
  dst->s[0] = dst->s[1] = 0;
  tg__race_clock_into(r, &dst->base, false);
}

void tg__race_clock_fold(struct tg_clock *c) {
  uint32_t n = c->base ? c->base->n : 0;
  tg__vc_own(&c->base, n);
  for (int i = 0; i < 2; i++)
    if (c->s[i]) {
      tg__vc_set_max(&c->base, c->s[i], c->e[i]);
      c->s[i] = 0;
    }
}

void tg__race_clock_merge(const struct tg_race_g *r, struct tg_clock *dst) {
  tg__race_clock_fold(dst);
  tg__race_clock_into(r, &dst->base, true);
}

/* ---- hooks.h: goroutine lifecycle ------------------------------------ */

void tg__race_go_create(struct tg_g *parent, struct tg_g *child) {
  tg__race_init();
  if (!tg__race_ready())
    return;
  struct tg_race_g *rc = state_new(child);
  struct tg_race_g *rp = parent ? parent->race : NULL;
  if (rp) {
    /* The child shares the parent's clock; the parent's own epoch rides
     * along as the override, so spawning copies nothing. */
    fold_override(rp);
    if (rp->vc) {
      atomic_fetch_add_explicit(&rp->vc->ref, 1, memory_order_relaxed);
      rc->vc = rp->vc;
    }
    if (rp->slot) {
      rc->ov_slot = rp->slot;
      rc->ov_epoch = rp->epoch;
      tg__race_tick(rp);
    }
  }
  child->race = rc;
}

void tg__race_go_start(struct tg_g *g) {
  if (!g->race) {
    /* The main goroutine (made by the runtime's constructor, not by go). */
    tg__race_init();
    if (!tg__race_ready())
      return;
    g->race = state_new(g);
    tg__race_tls_cur = g->race; /* it runs on this thread already */
  }
  /* A goroutine gets its stack when it first runs. */
  struct tg_race_g *r = g->race;
  r->stack_lo = (uintptr_t)g->stack_lo;
  r->stack_hi = (uintptr_t)g->stack_hi;
  r->stack_touched = r->stack_hi;
}

void tg__race_go_end(struct tg_g *g) {
  struct tg_race_g *r = g->race;
  if (!r)
    return;
  if (r->wf_mark)
    tg__wf_keep_stacks(r); /* a goroutine that exits holding a lock */
  if (tg__opts.deadlock)
    tg__wf_exiting(g);
  g->race = NULL;
  tg__race_tls_cur = NULL; /* g runs here until it switches away */
  /* The next goroutine on this stack must not inherit its history. */
  if (r->stack_lo && r->stack_touched < r->stack_hi)
    tg__shadow_reset(r->stack_touched, r->stack_hi - r->stack_touched);
  detach_slot(r);
  state_free_one(r);
}

/* ---- hooks.h: happens-before through addresses ------------------------ */

void tg__race_acquire(const void *addr) {
  struct tg_race_g *r = tg__race_cur();
  if (r)
    tg__race_sync_acquire(r, (uintptr_t)addr);
}

void tg__race_release(const void *addr) {
  struct tg_race_g *r = tg__race_cur();
  if (r)
    tg__race_sync_release(r, (uintptr_t)addr, false);
}

void tg__race_release_merge(const void *addr) {
  struct tg_race_g *r = tg__race_cur();
  if (r)
    tg__race_sync_release(r, (uintptr_t)addr, true);
}

void tg__race_acquire_g(struct tg_g *g, const void *addr) {
  if (g && g->race)
    tg__race_sync_acquire(g->race, (uintptr_t)addr);
}

void tg__race_release_g(struct tg_g *g, const void *addr) {
  if (g && g->race)
    tg__race_sync_release(g->race, (uintptr_t)addr, false);
}

void tg__race_sync_pair(struct tg_g *peer) {
  struct tg_race_g *r = tg__race_cur(), *p = peer ? peer->race : NULL;
  if (r && p) {
    const uint32_t s[4] = {r->ov_slot, p->ov_slot, r->slot, p->slot};
    const uint32_t e[4] = {r->ov_epoch, p->ov_epoch, r->epoch, p->epoch};
    if (tg__vc_pair_join(r->vc, p->vc, s, e)) {
      r->ov_slot = p->ov_slot = 0; /* folded in */
      goto tick;
    }
    /* The peer learns ours (with our own epoch), then we learn the peer's
     * (which now contains ours: the join only adds what is new). */
    fold_override(p);
    tg__race_clock_into(r, &p->vc, true);
    fold_override(r);
    tg__race_clock_into(p, &r->vc, true);
  }
  /* Both released: later accesses are after what the other learnt. */
tick:
  if (r)
    tg__race_tick(r);
  if (p)
    tg__race_tick(p);
}

/* A small range within one word (a channel's closed flag, a small element)
 * is one access: the fast path usually settles it. */
static bool small_access(struct tg_race_g *r, const void *addr, size_t n, bool write, void *pc) {
  uintptr_t a = (uintptr_t)addr;
  if (n > 8 || (n & (n - 1)) || (a & 7) + n > 8 || !tg__app_addr(a))
    return false;
  tg__race_access_word(r, a, (unsigned)n, write, (uintptr_t)pc);
  return true;
}

void tg__race_access_byte(const void *addr, bool write, void *pc) {
  struct tg_race_g *r = tg__race_cur();
  if (r && tg__app_addr((uintptr_t)addr))
    tg__race_access_word(r, (uintptr_t)addr, 1, write, (uintptr_t)pc);
}

void tg__race_read_range_g(struct tg_g *g, const void *addr, size_t n, void *pc) {
  if (g && g->race && n && !small_access(g->race, addr, n, false, pc))
    tg__race_access_range(g->race, (uintptr_t)addr, n, false, (uintptr_t)pc);
}

void tg__race_write_range_g(struct tg_g *g, const void *addr, size_t n, void *pc) {
  if (g && g->race && n && !small_access(g->race, addr, n, true, pc))
    tg__race_access_range(g->race, (uintptr_t)addr, n, true, (uintptr_t)pc);
}

void tg__race_free_sync(const void *addr) {
  tg__race_sync_free_range((uintptr_t)addr, 1);
}
#endif
