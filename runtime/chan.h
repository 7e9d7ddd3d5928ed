/* Channel internals shared by chan.c, select.c and time.c. */
#ifndef TANGLE_CHAN_H
#define TANGLE_CHAN_H

#include "rt.h"

#include <stdalign.h>
#include <stddef.h>

struct tg_timer;

struct tg_chan {
  tg__lock lock;
  bool closed;
  size_t elemsize;
  size_t cap;
  size_t count; /* elements in the buffer */
  size_t sendx; /* next slot to send into */
  size_t recvx; /* next slot to receive from */
  struct tg_waitq recvq;
  struct tg_waitq sendq;
  struct tg_timer *timer; /* the timer or ticker this channel belongs to */
  const void *race_timer; /* receivers acquire it: timer start -> fire */
  alignas(max_align_t) char buf[];
};

/* The address a buffer slot synchronizes on in the race build: distinct per
 * slot even for zero-size elements. */
static inline void *tg__chan_slot(struct tg_chan *c, size_t i) {
  return c->buf + i * (c->elemsize ? c->elemsize : 1);
}

/* Completes a send to a parked receiver / a receive from a parked sender.
 * Called with c->lock held; releases it. */
void tg__chan_send_to(struct tg_chan *c, struct tg_sudog *sg, const void *ep);
void tg__chan_recv_from(struct tg_chan *c, struct tg_sudog *sg, void *ep);
/* Buffered send / receive with c->lock held (a slot is free / an element is
 * there). */
void tg__chan_buf_send(struct tg_chan *c, const void *ep);
void tg__chan_buf_recv(struct tg_chan *c, void *ep);
/* Receive from a closed, drained channel (c->lock held). */
void tg__chan_recv_closed(struct tg_chan *c, void *ep);
/* A send that never blocks and may run on a scheduler thread (timers). */
bool tg__chan_try_send(struct tg_chan *c, const void *ep);
/* Drops buffered elements (a stopped or reset timer's stale tick). */
void tg__chan_drain(struct tg_chan *c);
_Noreturn void tg__block_forever(int reason);
/* Go's race model: a send reads the channel and a close writes it, so a
 * close concurrent with a send is reported (c->closed stands for the
 * channel's memory; the sync clocks live on other addresses). Nothing at all
 * in the normal build: this is on every send. */
/* The element a send reads (before it synchronizes) and a receive writes
 * (after: the copy may have been made by the peer while the receiver was
 * parked, but it is the receiver's write); tg_select's cases too. */
static inline void tg__race_elem_read(struct tg_g *g, struct tg_chan *c, const void *ep, void *pc) {
  (void)g, (void)c, (void)ep, (void)pc;
#if TG_RACE_ENABLED
  if (ep && c->elemsize)
    tg__race_read_range_g(g, ep, c->elemsize, pc);
#endif
}

static inline void tg__race_elem_write(struct tg_g *g, struct tg_chan *c, void *ep, void *pc) {
  (void)g, (void)c, (void)ep, (void)pc;
#if TG_RACE_ENABLED
  if (ep && c->elemsize)
    tg__race_write_range_g(g, ep, c->elemsize, pc);
#endif
}

static inline void tg__race_chan_op(struct tg_chan *c, bool is_close, void *pc) {
  (void)c, (void)is_close, (void)pc;
#if TG_RACE_ENABLED
  tg__race_access_byte(&c->closed, is_close, pc);
#endif
}

#endif
