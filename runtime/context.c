/* tg_ctx: Go's context package.
 *
 * A context is a node in a tree: Background and TODO are static roots; a
 * cancel context (WithCancel, WithDeadline/WithTimeout) can be canceled, a
 * value context only carries a key and a value. Every cancelable context
 * registers in the children list of its nearest cancelable ancestor, so a
 * cancel reaches every descendant; a descendant that is canceled on its own
 * (or released) unregisters. Done channels are created on first use; a
 * context canceled before anyone asked for Done gets a shared closed channel.
 *
 * Lifetime, for C: every context is reference counted. The creator holds one
 * reference (dropped by tg_ctx_release, after canceling), each child holds
 * one on its parent (Value, Deadline and Err walk up), an armed deadline
 * timer holds one, and a cancel in progress holds one on each descendant it
 * is canceling. When the count reaches zero the context goes to a small
 * quarantine (a few per P) and is freed when it leaves it: a goroutine that still looks at
 * a context just after its owner released it (the usual Go pattern
 * `defer cancel()` with workers that check ctx.Err() on their way out) reads
 * a canceled context instead of freed memory. The quarantine is bounded, so
 * memory stays flat however many contexts are created and released. */
#include "sema.h"

#include <stdlib.h>

enum ctx_kind { CTX_ROOT, CTX_CANCEL, CTX_TIMER, CTX_VALUE };

struct tg_ctx {
  int kind;
  _Atomic int64_t refs;
  struct tg_ctx *parent; /* counted reference; NULL for the roots */
  /* value contexts */
  const void *key;
  void *value;
  /* cancel and timer contexts; mu guards done, children, timer_armed and
   * the children's sib links and `linked` */
  tg__lock mu;
  tg_chan *_Atomic done;
  _Atomic int err;       /* set once, under mu, before Done is closed */
  _Atomic bool finished; /* set once, under mu, after Done is closed */
  struct tg_ctx *children;
  struct tg_ctx *ancestor; /* where this one is registered (immutable), or NULL */
  struct tg_ctx *sib_next, *sib_prev;
  /* In ancestor's children list. Written under ancestor->mu; read without
   * it only to skip the lock once false, which is final. */
  _Atomic bool linked;
  bool timer_armed;
  struct tg_ctx *work_next; /* a cancel's list of descendants to cancel */
  /* timer contexts */
  int64_t deadline;
  struct tg_rtimer timer;
};

/* The roots: static, never canceled, never counted, never freed. */
static struct tg_ctx background_ctx = {.kind = CTX_ROOT};
static struct tg_ctx todo_ctx = {.kind = CTX_ROOT};

/* Global mutable state owned by this file:
 * - closed_done: the shared closed channel, created once (atomic pointer);
 * - the quarantine: a small ring per P, touched only by code running on that
 *   P (tangle switches goroutines only at park and yield points, and none
 *   lies between finding the P and using its ring), plus a shared ring under
 *   a lock for callers without a P (sysmon firing a hog's timers) and Ps
 *   beyond QUARANTINE_PS;
 * - the live count: per P like the rings (owner-only stores, read by
 *   tg__ctx_live), plus a shared atomic. */
static tg_chan *_Atomic closed_done;

#define QUARANTINE_PS 256
struct ctx_pcache {
  tg_ctx *ring[TG__CTX_QUARANTINE_PER_P];
  unsigned next;
  _Atomic int64_t live;
} __attribute__((aligned(64)));
static struct ctx_pcache pcache[QUARANTINE_PS];
static struct {
  tg__lock lock;
  tg_ctx *ring[TG__CTX_QUARANTINE_SHARED];
  unsigned next;
} shared_quarantine;
static _Atomic int64_t shared_live;

/* This P's cache, or NULL. Valid until the next park or yield. */
static struct ctx_pcache *my_pcache(void) {
  struct tg_m *m = tg__getm();
  struct tg_p *p = m ? m->p : NULL;
  return p && p->id >= 0 && p->id < QUARANTINE_PS ? &pcache[p->id] : NULL;
}

static void live_add(int64_t d) {
  struct ctx_pcache *pc = my_pcache();
  if (pc)
    atomic_store_explicit(&pc->live, atomic_load_explicit(&pc->live, memory_order_relaxed) + d,
                          memory_order_relaxed);
  else
    atomic_fetch_add(&shared_live, d);
}

/* Puts c into the quarantine; returns the context it pushes out, if any. */
static tg_ctx *quarantine_swap(tg_ctx *c) {
  tg_ctx *old;
  struct ctx_pcache *pc = my_pcache();
  if (pc) {
    old = pc->ring[pc->next];
    pc->ring[pc->next] = c;
    pc->next = (pc->next + 1) % TG__CTX_QUARANTINE_PER_P;
    return old;
  }
  tg__lock_acquire(&shared_quarantine.lock);
  old = shared_quarantine.ring[shared_quarantine.next];
  shared_quarantine.ring[shared_quarantine.next] = c;
  shared_quarantine.next = (shared_quarantine.next + 1) % TG__CTX_QUARANTINE_SHARED;
  tg__lock_release(&shared_quarantine.lock);
  return old;
}

tg_ctx *tg_background(void) {
  return &background_ctx;
}
tg_ctx *tg_todo(void) {
  return &todo_ctx;
}

int64_t tg__ctx_live(void) {
  int64_t n = atomic_load(&shared_live);
  for (int i = 0; i < QUARANTINE_PS; i++)
    n += atomic_load_explicit(&pcache[i].live, memory_order_relaxed);
  return n;
}

static tg_chan *closed_chan(void) {
  tg_chan *c = atomic_load(&closed_done);
  if (c)
    return c;
  tg_chan *mine = tg_chan_make(0, 0);
  tg_chan_close(mine);
  tg_chan *expected = NULL;
  if (atomic_compare_exchange_strong(&closed_done, &expected, mine))
    return mine;
  tg_chan_free(mine); /* another goroutine made it first */
  return expected;
}

static inline bool cancelable(const tg_ctx *c) {
  return c->kind == CTX_CANCEL || c->kind == CTX_TIMER;
}

static void ctx_ref(tg_ctx *c) {
  if (c->kind != CTX_ROOT)
    atomic_fetch_add(&c->refs, 1);
}

static void ctx_unref(tg_ctx *c);

/* Physically frees one context; returns its parent, whose reference it
 * held. */
static tg_ctx *ctx_destroy(tg_ctx *c) {
  tg_ctx *parent = c->parent;
  tg_chan *d = atomic_load(&c->done);
  if (d && d != atomic_load(&closed_done))
    tg_chan_free(d);
  tg__race_free_sync(c);
  free(c);
  live_add(-1);
  return parent;
}

static void ctx_unref(tg_ctx *c) {
  while (c && c->kind != CTX_ROOT) {
    int64_t left = atomic_fetch_sub(&c->refs, 1) - 1;
    if (left > 0)
      return;
    if (left < 0)
      tg__fatal("context: tg_ctx_release of a released context");
    /* Into the quarantine; what falls out of it is freed, and drops its
     * reference on its parent (which may free that too). */
    tg_ctx *old = quarantine_swap(c);
    c = old ? ctx_destroy(old) : NULL;
  }
}

static tg_ctx *ctx_alloc(int kind, tg_ctx *parent) {
  if (!parent)
    tg_panic("cannot create context from nil parent");
  tg_ctx *c = calloc(1, sizeof *c);
  if (!c)
    tg__fatal("out of memory (context)");
  c->kind = kind;
  atomic_init(&c->refs, 1);
  c->parent = parent;
  ctx_ref(parent);
  live_add(1);
  return c;
}

/* The nearest cancelable context at or above c, or NULL (rooted at
 * Background without a cancel in between: never canceled). */
static tg_ctx *cancel_ancestor(tg_ctx *c) {
  while (c && !cancelable(c))
    c = c->parent;
  return c;
}

/* Cancels c alone: sets err, closes done, stops its timer, and moves its
 * registered children (each with a temporary reference) onto *work. False
 * if it was already canceled. The caller holds a reference on c. */
static bool cancel_one(tg_ctx *c, int err, bool race_edge, tg_ctx **work) {
  if (atomic_load_explicit(&c->finished, memory_order_acquire))
    return false; /* canceled and closed for good: no need for the lock */
  tg__lock_acquire(&c->mu);
  if (atomic_load(&c->err) != 0) {
    tg__lock_release(&c->mu);
    return false;
  }
  if (race_edge)
    tg__race_release_merge(c); /* cancel happens before Done/Err observers */
  atomic_store_explicit(&c->err, err, memory_order_release); /* mu orders the rest */
  tg_chan *d = atomic_load(&c->done);
  if (!d)
    atomic_store_explicit(&c->done, closed_chan(), memory_order_release);
  for (tg_ctx *ch = c->children, *next; ch; ch = next) {
    next = ch->sib_next;
    ch->sib_next = ch->sib_prev = NULL;
    atomic_store_explicit(&ch->linked, false, memory_order_relaxed);
    ctx_ref(ch);
    ch->work_next = *work;
    *work = ch;
  }
  c->children = NULL;
  bool stop_timer = c->timer_armed;
  c->timer_armed = false;
  /* Closed under mu, as Go does: whoever sees err set (here or after a
   * cancel that found it set) finds Done closed too. Nobody holds a done
   * channel's lock while taking a context's mu. */
  if (d)
    tg_chan_close(d);
  atomic_store_explicit(&c->finished, true, memory_order_release);
  tg__lock_release(&c->mu);
  /* A pending timer that we removed will not run: its reference is ours to
   * drop. One that already fired drops it itself. */
  if (stop_timer && tg__timer_del(&c->timer))
    ctx_unref(c); /* never the last: the caller holds one */
  return true;
}

static void unregister(tg_ctx *c) {
  tg_ctx *a = c->ancestor;
  if (!a || !atomic_load_explicit(&c->linked, memory_order_relaxed))
    return; /* never registered, or already out for good */
  tg__lock_acquire(&a->mu);
  if (atomic_load_explicit(&c->linked, memory_order_relaxed)) {
    if (c->sib_next)
      c->sib_next->sib_prev = c->sib_prev;
    if (c->sib_prev)
      c->sib_prev->sib_next = c->sib_next;
    else
      a->children = c->sib_next;
    c->sib_next = c->sib_prev = NULL;
    atomic_store_explicit(&c->linked, false, memory_order_relaxed);
  }
  tg__lock_release(&a->mu);
}

/* Cancels c and every descendant, without recursion (trees can be deep). */
static void cancel_tree(tg_ctx *c, int err, bool race_edge) {
  tg_ctx *work = NULL;
  cancel_one(c, err, race_edge, &work);
  unregister(c);
  while (work) {
    tg_ctx *d = work;
    work = d->work_next;
    cancel_one(d, err, race_edge, &work);
    ctx_unref(d);
  }
}

/* Registers c with its nearest cancelable ancestor, or cancels it at once if
 * that one is already canceled. */
static void propagate_cancel(tg_ctx *c) {
  tg_ctx *a = cancel_ancestor(c->parent);
  if (!a)
    return;
  c->ancestor = a;
  tg__lock_acquire(&a->mu);
  int err = atomic_load(&a->err);
  if (err == 0) {
    c->sib_next = a->children;
    if (a->children)
      a->children->sib_prev = c;
    a->children = c;
    atomic_store_explicit(&c->linked, true, memory_order_relaxed);
  }
  tg__lock_release(&a->mu);
  if (err != 0) {
    tg__race_acquire(a);
    tg_ctx *work = NULL;
    cancel_one(c, err, true, &work); /* no children yet: work stays empty */
  }
}

tg_ctx *tg_with_cancel(tg_ctx *parent) {
  tg_ctx *c = ctx_alloc(CTX_CANCEL, parent);
  propagate_cancel(c);
  return c;
}

/* The timer's function: runs on a scheduler thread, not in a goroutine. The
 * detector edge (timer start -> fire) was recorded when the timer was armed. */
static void deadline_fired(void *arg, int64_t now) {
  (void)now;
  tg_ctx *c = arg;
  cancel_tree(c, TG_DEADLINE_EXCEEDED, false);
  ctx_unref(c); /* the timer's reference */
}

tg_ctx *tg_with_deadline(tg_ctx *parent, int64_t deadline) {
  int64_t cur;
  if (parent && tg_ctx_deadline(parent, &cur) && cur < deadline)
    return tg_with_cancel(parent); /* the parent's deadline comes first anyway */
  tg_ctx *c = ctx_alloc(CTX_TIMER, parent);
  c->deadline = deadline;
  propagate_cancel(c);
  if (deadline - tg_now() <= 0) {
    cancel_tree(c, TG_DEADLINE_EXCEEDED, true);
    return c;
  }
  c->timer.f = deadline_fired;
  c->timer.arg = c;
  c->timer.heap_index = -1;
  tg__race_release_merge(c); /* what the creator did happens before the timer's cancel */
  tg__lock_acquire(&c->mu);
  if (atomic_load(&c->err) == 0) {
    ctx_ref(c); /* the timer's reference */
    c->timer_armed = true;
    tg__timer_add(&c->timer, deadline);
  }
  tg__lock_release(&c->mu);
  return c;
}

tg_ctx *tg_with_timeout(tg_ctx *parent, int64_t ns) {
  return tg_with_deadline(parent, tg_now() + ns);
}

tg_ctx *tg_with_value(tg_ctx *parent, const void *key, void *value) {
  if (!key)
    tg_panic("nil key");
  tg_ctx *c = ctx_alloc(CTX_VALUE, parent);
  c->key = key;
  c->value = value;
  return c;
}

void tg_cancel(tg_ctx *ctx) {
  if (ctx && cancelable(ctx))
    cancel_tree(ctx, TG_CANCELED, true);
}

void tg_ctx_release(tg_ctx *ctx) {
  if (!ctx || ctx->kind == CTX_ROOT)
    return;
  if (cancelable(ctx))
    cancel_tree(ctx, TG_CANCELED, true);
  ctx_unref(ctx);
}

tg_chan *tg_ctx_done(tg_ctx *ctx) {
  tg_ctx *c = ctx ? cancel_ancestor(ctx) : NULL;
  if (!c)
    return NULL; /* can never be canceled: the nil channel */
  tg_chan *d = atomic_load(&c->done);
  if (!d) {
    tg__lock_acquire(&c->mu);
    d = atomic_load(&c->done);
    if (!d) {
      d = tg_chan_make(0, 0);
      atomic_store_explicit(&c->done, d, memory_order_release);
    }
    tg__lock_release(&c->mu);
  }
  if (atomic_load(&c->err) != 0)
    tg__race_acquire(c); /* the shared closed channel carries no edge of its own */
  return d;
}

int tg_ctx_err(tg_ctx *ctx) {
  tg_ctx *c = ctx ? cancel_ancestor(ctx) : NULL;
  if (!c)
    return 0;
  int err = atomic_load_explicit(&c->err, memory_order_acquire);
  if (err == 0)
    return 0; /* Done is closed only after err is set: not closed either */
  if (!atomic_load_explicit(&c->finished, memory_order_acquire)) {
    /* A cancel is between setting err and closing Done: wait for it, so
     * that a non-zero Err always comes with a closed Done (Go's promise). */
    tg__lock_acquire(&c->mu);
    tg__lock_release(&c->mu);
  }
  tg__race_acquire(c);
  return err;
}

bool tg_ctx_deadline(tg_ctx *ctx, int64_t *deadline) {
  for (tg_ctx *c = ctx; c; c = c->parent) {
    if (c->kind == CTX_TIMER) {
      if (deadline)
        *deadline = c->deadline;
      return true;
    }
  }
  return false;
}

void *tg_ctx_value(tg_ctx *ctx, const void *key) {
  for (tg_ctx *c = ctx; c; c = c->parent)
    if (c->kind == CTX_VALUE && c->key == key)
      return c->value;
  return NULL;
}
