/* Address-keyed semaphore: the parking layer under every sync primitive.
 *
 * As in Go's runtime/sema.go, waiters are kept in a fixed hash table of
 * buckets keyed by the semaphore's address, so a sync object needs no more
 * than a 32-bit counter and zero memory is a valid value. Each bucket has a
 * short-hold runtime lock and a list of per-address FIFO queues (a bucket
 * usually holds few distinct addresses, so a list is enough; Go uses a treap).
 *
 * The waiter record lives on the parked goroutine's stack: it is valid for as
 * long as the goroutine is parked, and a releaser only touches it between
 * taking it out of the queue (under the bucket lock) and readying it. */
#include "sema.h"

#include <stddef.h>

struct sema_waiter {
  struct tg_g *g;
  const uint32_t *addr;
  struct sema_waiter *next;          /* same address, in wake-up order */
  struct sema_waiter *tail;          /* last of the address's queue; set in the head only */
  struct sema_waiter *hnext, *hprev; /* the bucket's list of queue heads */
  uint32_t ticket;                   /* 1: the releaser handed the count over directly */
};

/* A prime, as in Go, so addresses with common strides spread out. */
#define SEMTAB_SIZE 251

struct sema_bucket {
  tg__lock lock;
  _Atomic uint32_t nwait; /* waiters in the bucket: lets a release skip the lock */
  struct sema_waiter *heads;
} __attribute__((aligned(64)));

/* Global mutable state, owned by this file: every access to a bucket's queues
 * holds the bucket's lock. */
static struct sema_bucket semtab[SEMTAB_SIZE];

static struct sema_bucket *bucket_for(const uint32_t *addr) {
  return &semtab[((uintptr_t)addr >> 3) % SEMTAB_SIZE];
}

/* Takes one unit if the counter is positive. */
static bool sema_try(uint32_t *addr) {
  uint32_t v = __atomic_load_n(addr, __ATOMIC_SEQ_CST);
  while (v != 0) {
    if (__atomic_compare_exchange_n(addr, &v, v - 1, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
      return true;
  }
  return false;
}

static struct sema_waiter *find_head(struct sema_bucket *b, const uint32_t *addr) {
  for (struct sema_waiter *h = b->heads; h; h = h->hnext)
    if (h->addr == addr)
      return h;
  return NULL;
}

/* Puts `by` at old's place in the bucket's list of heads. */
static void replace_head(struct sema_bucket *b, struct sema_waiter *old, struct sema_waiter *by) {
  by->hnext = old->hnext;
  by->hprev = old->hprev;
  if (by->hnext)
    by->hnext->hprev = by;
  if (by->hprev)
    by->hprev->hnext = by;
  else
    b->heads = by;
}

static void enqueue(struct sema_bucket *b, struct sema_waiter *w, bool lifo) {
  w->next = NULL;
  w->tail = w;
  w->hnext = w->hprev = NULL;
  struct sema_waiter *h = find_head(b, w->addr);
  if (!h) {
    w->hnext = b->heads;
    if (b->heads)
      b->heads->hprev = w;
    b->heads = w;
  } else if (lifo) {
    w->next = h;
    w->tail = h->tail;
    replace_head(b, h, w);
  } else {
    h->tail->next = w;
    h->tail = w;
  }
}

static struct sema_waiter *dequeue(struct sema_bucket *b, const uint32_t *addr) {
  struct sema_waiter *h = find_head(b, addr);
  if (!h)
    return NULL;
  struct sema_waiter *n = h->next;
  if (n) {
    n->tail = h->tail;
    replace_head(b, h, n);
  } else {
    if (h->hnext)
      h->hnext->hprev = h->hprev;
    if (h->hprev)
      h->hprev->hnext = h->hnext;
    else
      b->heads = h->hnext;
  }
  return h;
}

void tg__semacquire(uint32_t *addr, bool lifo, int reason, const void *obj, enum tg_res_kind kind) {
  if (sema_try(addr))
    return;
  struct sema_bucket *b = bucket_for(addr);
  struct sema_waiter w = {.g = tg__getg(), .addr = addr};
  tg__wf_wait_begin(obj, kind);
  for (;;) {
    tg__lock_acquire(&b->lock);
    /* Count ourselves before the last try: a release that increments the
     * counter after our try sees nwait != 0 and takes the lock. */
    atomic_fetch_add(&b->nwait, 1);
    if (sema_try(addr)) {
      atomic_fetch_sub(&b->nwait, 1);
      tg__lock_release(&b->lock);
      break;
    }
    w.ticket = 0;
    enqueue(b, &w, lifo);
    tg__park(&b->lock, reason, obj);
    if (w.ticket != 0 || sema_try(addr))
      break;
    /* Woken, but a barging goroutine took the count: queue again, at the
     * front, as the oldest waiter. */
    lifo = true;
  }
  tg__wf_wait_end(obj, kind);
}

void tg__semrelease(uint32_t *addr, bool handoff) {
  struct sema_bucket *b = bucket_for(addr);
  __atomic_add_fetch(addr, 1, __ATOMIC_SEQ_CST);
  if (atomic_load(&b->nwait) == 0)
    return;
  tg__lock_acquire(&b->lock);
  if (atomic_load(&b->nwait) == 0) {
    tg__lock_release(&b->lock);
    return;
  }
  struct sema_waiter *w = dequeue(b, addr);
  if (w)
    atomic_fetch_sub(&b->nwait, 1);
  tg__lock_release(&b->lock);
  if (!w)
    return;
  /* The waiter stays parked until tg__ready: its record is ours until then,
   * and not to be touched after. */
  bool handed = handoff && sema_try(addr);
  if (handed)
    w->ticket = 1;
  tg__ready(w->g);
  if (handed)
    tg_yield(); /* let the new owner run now: the point of a hand-off */
}

int tg__sema_nwait(const uint32_t *addr) {
  struct sema_bucket *b = bucket_for(addr);
  int n = 0;
  tg__lock_acquire(&b->lock);
  struct sema_waiter *h = find_head(b, addr);
  for (; h; h = h->next)
    n++;
  tg__lock_release(&b->lock);
  return n;
}
