/* tg_pool: Go's sync.Pool, minus the garbage collector.
 *
 * Each P has a slot in the pool: a private object that only goroutines
 * running on that P touch (no lock: tangle switches goroutines only at park
 * and yield points, and this code has none between finding its P and using
 * the slot), and a stack of more objects under a per-slot lock that other Ps
 * take when their own slot is empty. Get and Put on different Ps therefore
 * touch different cache lines and different locks.
 *
 * Ps beyond the slots allocated at first use (GOMAXPROCS raised later) and
 * callers that are not goroutines use one shared stack under the pool's lock.
 * Objects stay in the pool until tg_pool_destroy: C has no collector to
 * empty it. */
#include "sema.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pool_stack {
  void **items;
  int n; /* written under the lock, read racily (atomically) to skip empty stacks */
  int cap;
};

struct pool_slot {
  void *private_obj; /* the owning P's alone */
  tg__lock lock;
  struct pool_stack st;
} __attribute__((aligned(64)));

struct pool_local {
  int nslots;
  struct pool_slot slots[];
};

static_assert(sizeof(tg__lock) == sizeof(uint32_t), "tg_pool.lock_ holds a tg__lock");

static inline tg__lock *pool_lock(tg_pool *p) {
  return (tg__lock *)&p->lock_;
}

#if TG_RACE_ENABLED
/* Put -> the Get that returns the object, through one of a few addresses
 * derived from the object (as Go does): not the object itself, which may be
 * a sync object with edges of its own. Never written: only its addresses are
 * used. */
static char race_addrs[128];
static const void *race_addr(void *x) {
  uintptr_t h = (uintptr_t)x;
  h = (h >> 4) ^ (h >> 11);
  return &race_addrs[h % sizeof race_addrs];
}
#endif

static void stack_push(struct pool_stack *s, void *x) {
  if (s->n == s->cap) {
    int cap = s->cap ? s->cap * 2 : 16;
    void **items = realloc(s->items, (size_t)cap * sizeof *items);
    if (!items)
      tg__fatal("out of memory (tg_pool)");
    s->items = items;
    s->cap = cap;
  }
  s->items[s->n] = x;
  __atomic_store_n(&s->n, s->n + 1, __ATOMIC_RELAXED);
}

static void *stack_pop(struct pool_stack *s) {
  if (s->n == 0)
    return NULL;
  __atomic_store_n(&s->n, s->n - 1, __ATOMIC_RELAXED);
  return s->items[s->n];
}

static bool stack_maybe_empty(struct pool_stack *s) {
  return __atomic_load_n(&s->n, __ATOMIC_RELAXED) == 0;
}

void tg_pool_init(tg_pool *p, void *(*new_fn)(void *ctx), void *ctx) {
  memset(p, 0, sizeof *p);
  p->new_fn_ = new_fn;
  p->ctx_ = ctx;
}

static struct pool_local *local_of(tg_pool *p) {
  struct pool_local *l = __atomic_load_n((struct pool_local **)&p->local_, __ATOMIC_ACQUIRE);
  if (l)
    return l;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  int n = tg__sched.nprocs;
  if (ncpu > n)
    n = (int)ncpu;
  if (n < 16)
    n = 16;
  l = aligned_alloc(64, sizeof *l + (size_t)n * sizeof l->slots[0]);
  if (!l)
    tg__fatal("out of memory (tg_pool)");
  memset(l, 0, sizeof *l + (size_t)n * sizeof l->slots[0]);
  l->nslots = n;
  struct pool_local *expected = NULL;
  if (!__atomic_compare_exchange_n((struct pool_local **)&p->local_, &expected, l, false,
                                   __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    free(l); /* another goroutine installed its own first */
    l = expected;
  }
  return l;
}

/* The slot of the P we run on, or NULL. Valid until the next park. */
static struct pool_slot *my_slot(struct pool_local *l) {
  struct tg_m *m = tg__getm();
  struct tg_p *pp = m ? m->p : NULL;
  if (!pp || pp->id < 0 || pp->id >= l->nslots)
    return NULL;
  return &l->slots[pp->id];
}

static struct pool_stack *overflow_of(tg_pool *p) {
  return p->shared_;
}

void tg_pool_put(tg_pool *p, void *x) {
  if (!x)
    return;
#if TG_RACE_ENABLED
  tg__race_release_merge(race_addr(x));
#endif
  struct pool_local *l = local_of(p);
  struct pool_slot *s = my_slot(l);
  if (s) {
    if (!s->private_obj) {
      s->private_obj = x;
      return;
    }
    tg__lock_acquire(&s->lock);
    stack_push(&s->st, x);
    tg__lock_release(&s->lock);
    return;
  }
  tg__lock_acquire(pool_lock(p));
  if (!p->shared_) {
    p->shared_ = calloc(1, sizeof(struct pool_stack));
    if (!p->shared_)
      tg__fatal("out of memory (tg_pool)");
  }
  stack_push(overflow_of(p), x);
  tg__lock_release(pool_lock(p));
}

static void *pop_locked(tg__lock *lock, struct pool_stack *st) {
  if (!st || stack_maybe_empty(st))
    return NULL;
  tg__lock_acquire(lock);
  void *x = stack_pop(st);
  tg__lock_release(lock);
  return x;
}

void *tg_pool_get(tg_pool *p) {
  struct pool_local *l = local_of(p);
  struct pool_slot *mine = my_slot(l);
  void *x = NULL;
  if (mine) {
    x = mine->private_obj;
    mine->private_obj = NULL;
    if (!x)
      x = pop_locked(&mine->lock, &mine->st);
  }
  /* Steal from the other Ps, starting after ours so thieves spread out. */
  int start = mine ? (int)(mine - l->slots) + 1 : 0;
  for (int i = 0; !x && i < l->nslots; i++) {
    struct pool_slot *s = &l->slots[(start + i) % l->nslots];
    if (s != mine)
      x = pop_locked(&s->lock, &s->st);
  }
  if (!x && __atomic_load_n((struct pool_stack **)&p->shared_, __ATOMIC_ACQUIRE)) {
    tg__lock_acquire(pool_lock(p));
    x = stack_pop(overflow_of(p));
    tg__lock_release(pool_lock(p));
  }
  if (x) {
#if TG_RACE_ENABLED
    tg__race_acquire(race_addr(x));
#endif
    return x;
  }
  return p->new_fn_ ? p->new_fn_(p->ctx_) : NULL;
}

void tg_pool_destroy(tg_pool *p, void (*free_fn)(void *obj)) {
  struct pool_local *l = p->local_;
  if (l) {
    for (int i = 0; i < l->nslots; i++) {
      struct pool_slot *s = &l->slots[i];
      if (free_fn && s->private_obj)
        free_fn(s->private_obj);
      for (int k = 0; free_fn && k < s->st.n; k++)
        free_fn(s->st.items[k]);
      free(s->st.items);
    }
    free(l);
  }
  struct pool_stack *o = p->shared_;
  if (o) {
    for (int k = 0; free_fn && k < o->n; k++)
      free_fn(o->items[k]);
    free(o->items);
    free(o);
  }
  p->local_ = NULL;
  p->shared_ = NULL;
}

int tg__pool_cached(tg_pool *p, int pid) {
  struct pool_local *l = p->local_;
  if (pid < 0) {
    struct pool_stack *o = p->shared_;
    return o ? o->n : 0;
  }
  if (!l || pid >= l->nslots)
    return 0;
  return (l->slots[pid].private_obj != NULL) + l->slots[pid].st.n;
}
