/* Channels, after Go's runtime/chan.go: a lock, a ring buffer, and queues of
 * parked senders and receivers. A send to a parked receiver (or a receive
 * from a parked sender) copies the element straight between the two
 * goroutines' memory and hands the receiver to the scheduler's runnext, so
 * an unbuffered hand-off is one copy and one switch.
 *
 * Race build: the edges of the Go memory model are reported here (a send
 * happens before the receive that completes it; for capacity C the k-th
 * receive happens before the (k+C)-th send completes; close happens before
 * a receive that observes it) — by synchronizing on per-slot addresses, as
 * Go's race runtime does. */
#include "chan.h"

#include <stdlib.h>
#include <string.h>

void tg__time_chan_freed(struct tg_timer *t);

tg_chan *tg_chan_make(size_t elem_size, size_t cap) {
  tg__init();
  size_t slot = elem_size ? elem_size : 1;
  if (elem_size > (1u << 16))
    tg_panic("makechan: invalid channel element size %zu", elem_size);
  if (cap > (SIZE_MAX - sizeof(struct tg_chan)) / slot)
    tg_panic("makechan: size out of range");
  /* Buffered channels of zero-size elements still get one byte a slot: the
   * race build needs an address per slot. */
  size_t bytes = sizeof(struct tg_chan) + (TG_RACE_ENABLED || elem_size ? cap * slot : 0);
  struct tg_chan *c = calloc(1, bytes);
  if (!c)
    tg_panic("makechan: out of memory (%zu bytes)", bytes);
  c->elemsize = elem_size;
  c->cap = cap;
  return c;
}

size_t tg_chan_len(tg_chan *c) {
  return c ? __atomic_load_n(&c->count, __ATOMIC_RELAXED) : 0;
}

size_t tg_chan_cap(tg_chan *c) {
  return c ? c->cap : 0;
}

static inline void race_slot_sync(struct tg_chan *c, size_t idx, struct tg_g *peer) {
  (void)c;
  (void)idx;
  (void)peer;
#if TG_RACE_ENABLED
  /* The parked peer if one is given, else the running goroutine, acquires
   * and then releases the slot's clock (Go's racenotify: a hand-off calls
   * it once for each side). */
  void *slot = tg__chan_slot(c, idx);
  if (peer) {
    tg__race_acquire_g(peer, slot);
    tg__race_release_g(peer, slot);
  } else {
    tg__race_acquire(slot);
    tg__race_release(slot);
  }
#endif
}

/* Unbuffered hand-off: both sides synchronize both ways (Go's racesync). */
static inline void race_sync(struct tg_chan *c, struct tg_g *peer) {
  (void)c;
  tg__race_sync_pair(peer);
}

void tg__chan_send_to(struct tg_chan *c, struct tg_sudog *sg, const void *ep) {
  if (c->cap == 0) {
    race_sync(c, sg->g);
  } else {
    /* The buffer is empty (a receiver waits): pretend the element went
     * through it, so the slot edges stay those of a buffered channel. */
    race_slot_sync(c, c->recvx, NULL);
    race_slot_sync(c, c->recvx, sg->g);
    if (++c->recvx == c->cap)
      c->recvx = 0;
    c->sendx = c->recvx;
  }
  if (sg->elem && c->elemsize)
    memcpy(sg->elem, ep, c->elemsize);
  struct tg_g *gp = sg->g;
  sg->success = true;
  gp->param = sg;
  tg__lock_release(&c->lock);
  tg__ready(gp);
}

void tg__chan_recv_from(struct tg_chan *c, struct tg_sudog *sg, void *ep) {
  if (c->cap == 0) {
    race_sync(c, sg->g);
    if (ep && c->elemsize)
      memcpy(ep, sg->elem, c->elemsize);
  } else {
    /* The buffer is full: take its head, and put the sender's element in
     * the slot that frees (the tail, the same slot). */
    void *slot = tg__chan_slot(c, c->recvx);
    race_slot_sync(c, c->recvx, NULL);
    race_slot_sync(c, c->recvx, sg->g);
    if (c->elemsize) {
      if (ep)
        memcpy(ep, slot, c->elemsize);
      memcpy(slot, sg->elem, c->elemsize);
    }
    if (++c->recvx == c->cap)
      c->recvx = 0;
    c->sendx = c->recvx;
  }
  struct tg_g *gp = sg->g;
  sg->success = true;
  gp->param = sg;
  tg__lock_release(&c->lock);
  tg__ready(gp);
}

void tg__chan_buf_send(struct tg_chan *c, const void *ep) {
  race_slot_sync(c, c->sendx, NULL);
  if (c->elemsize)
    memcpy(tg__chan_slot(c, c->sendx), ep, c->elemsize);
  if (++c->sendx == c->cap)
    c->sendx = 0;
  __atomic_store_n(&c->count, c->count + 1, __ATOMIC_RELAXED);
}

void tg__chan_buf_recv(struct tg_chan *c, void *ep) {
  void *slot = tg__chan_slot(c, c->recvx);
  race_slot_sync(c, c->recvx, NULL);
  if (c->elemsize) {
    if (ep)
      memcpy(ep, slot, c->elemsize);
    memset(slot, 0, c->elemsize);
  }
  if (++c->recvx == c->cap)
    c->recvx = 0;
  __atomic_store_n(&c->count, c->count - 1, __ATOMIC_RELAXED);
}

void tg__chan_recv_closed(struct tg_chan *c, void *ep) {
  tg__race_acquire(c);
  if (ep && c->elemsize)
    memset(ep, 0, c->elemsize);
}

_Noreturn void tg__block_forever(int reason) {
  struct tg_g *g = tg__getg_fast();
  tg__wf_wait_begin(NULL, TG_RES_CHAN);
  /* A goroutine parked with nothing that can wake it; a lock nobody else
   * takes stands in for the queue. */
  tg__lock never = {0};
  tg__lock_acquire(&never);
  tg__park(&never, reason, NULL);
  tg__fatal("goroutine %llu woke from a forever block", (unsigned long long)g->id);
}

__attribute__((noinline)) void tg_chan_send(tg_chan *c, const void *ep) {
  if (!c)
    tg__block_forever(TG_WAIT_CHAN_SEND_NIL);
  tg__race_chan_op(c, false, __builtin_return_address(0));
  tg__race_elem_read(tg__getg_fast(), c, ep, __builtin_return_address(0));
  tg__lock_acquire(&c->lock);
  if (c->closed) {
    tg__lock_release(&c->lock);
    tg_panic("send on closed channel");
  }
  struct tg_sudog *sg = tg__waitq_dequeue(&c->recvq);
  if (sg) {
    tg__chan_send_to(c, sg, ep);
    return;
  }
  if (c->count < c->cap) {
    tg__chan_buf_send(c, ep);
    tg__lock_release(&c->lock);
    return;
  }
  struct tg_g *g = tg__getg_fast();
  struct tg_sudog me = {.g = g, .elem = (void *)ep, .c = c, .is_send = true};
  me.acquire_time = tg__nanotime_coarse();
  g->waiting = &me;
  g->param = NULL;
  tg__waitq_enqueue(&c->sendq, &me);
  /* Not registered: the race build reads this wait from the park
   * (waitfor.c, chan_wait_of), which keeps its bookkeeping out of the
   * channel's lock, where the peer of a hand-off waits. */
  tg__wf_chan_wait();
  tg__park(&c->lock, TG_WAIT_CHAN_SEND, c);
  g->waiting = NULL;
  if (!me.success)
    tg_panic("send on closed channel");
}

static bool chan_recv(tg_chan *c, void *ep) {
  tg__lock_acquire(&c->lock);
  if (c->closed && c->count == 0) {
    tg__lock_release(&c->lock);
    tg__chan_recv_closed(c, ep);
    return false;
  }
  struct tg_sudog *sg = tg__waitq_dequeue(&c->sendq);
  if (sg) {
    tg__chan_recv_from(c, sg, ep);
    goto received;
  }
  if (c->count > 0) {
    tg__chan_buf_recv(c, ep);
    tg__lock_release(&c->lock);
    goto received;
  }
  struct tg_g *g = tg__getg_fast();
  struct tg_sudog me = {.g = g, .elem = ep, .c = c};
  me.acquire_time = tg__nanotime_coarse();
  g->waiting = &me;
  g->param = NULL;
  tg__waitq_enqueue(&c->recvq, &me);
  tg__wf_chan_wait(); /* not registered: see tg_chan_send */
  tg__park(&c->lock, TG_WAIT_CHAN_RECV, c);
  g->waiting = NULL;
  if (!me.success) {
    tg__race_acquire(c); /* woken by close */
    return false;
  }
received:
  if (c->race_timer)
    tg__race_acquire(c->race_timer);
  return true;
}

/* The element is written after the receive synchronized (the copy itself may
 * have been made by the sender while this goroutine was parked). */
__attribute__((noinline)) bool tg_chan_recv(tg_chan *c, void *ep) {
  if (!c)
    tg__block_forever(TG_WAIT_CHAN_RECV_NIL);
  bool ok = chan_recv(c, ep);
  tg__race_elem_write(tg__getg_fast(), c, ep, __builtin_return_address(0));
  return ok;
}

__attribute__((noinline)) void tg_chan_close(tg_chan *c) {
  if (!c)
    tg_panic("close of nil channel");
  tg__race_chan_op(c, true, __builtin_return_address(0));
  tg__lock_acquire(&c->lock);
  if (c->closed) {
    tg__lock_release(&c->lock);
    tg_panic("close of closed channel");
  }
  tg__race_release(c);
  c->closed = true;
  /* Collect everyone first, ready them after unlocking. */
  struct tg_g *wake = NULL;
  struct tg_sudog *sg;
  while ((sg = tg__waitq_dequeue(&c->recvq))) {
    if (sg->elem && c->elemsize)
      memset(sg->elem, 0, c->elemsize);
    sg->success = false;
    sg->g->param = sg;
    sg->g->schedlink = wake;
    wake = sg->g;
  }
  while ((sg = tg__waitq_dequeue(&c->sendq))) {
    sg->success = false; /* the sender panics when it wakes */
    sg->g->param = sg;
    sg->g->schedlink = wake;
    wake = sg->g;
  }
  tg__lock_release(&c->lock);
  while (wake) {
    struct tg_g *g = wake;
    wake = g->schedlink;
    tg__ready(g);
  }
}

bool tg__chan_try_send(struct tg_chan *c, const void *ep) {
  tg__lock_acquire(&c->lock);
  if (c->closed) {
    tg__lock_release(&c->lock);
    return false;
  }
  struct tg_sudog *sg = tg__waitq_dequeue(&c->recvq);
  if (sg) {
    tg__chan_send_to(c, sg, ep);
    return true;
  }
  bool ok = c->count < c->cap;
  if (ok)
    tg__chan_buf_send(c, ep);
  tg__lock_release(&c->lock);
  return ok;
}

void tg__chan_drain(struct tg_chan *c) {
  tg__lock_acquire(&c->lock);
  while (c->count > 0)
    tg__chan_buf_recv(c, NULL);
  tg__lock_release(&c->lock);
}

void tg_chan_free(tg_chan *c) {
  if (!c)
    return;
  tg__lock_acquire(&c->lock);
  bool waiters = c->recvq.first || c->sendq.first;
  tg__lock_release(&c->lock);
  if (waiters)
    tg_panic("tg_chan_free: goroutines are still waiting on the channel");
  if (c->timer)
    tg__time_chan_freed(c->timer);
  for (size_t i = 0; TG_RACE_ENABLED && i < (c->cap ? c->cap : 1); i++)
    tg__race_free_sync(tg__chan_slot(c, i));
  tg__race_free_sync(c);
  free(c);
}
