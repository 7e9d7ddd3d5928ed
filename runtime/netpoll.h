/* Poll descriptors: what the poller (netpoll.c) and the goroutine-aware
 * sockets (net.c) share. Private to those two files.
 *
 * One descriptor per fd number, found through a two-level table indexed by
 * the fd. Descriptors are allocated the first time an fd number is used and
 * never freed: a timer callback or an epoll event that arrives late can
 * always dereference the descriptor it names, and stale events are told
 * apart by `seq`, which changes at every registration and close. */
#ifndef TANGLE_NETPOLL_H
#define TANGLE_NETPOLL_H

#include "rt.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

/* The error a goroutine gets when its fd is closed under it or used after
 * tg_close: Go's net.ErrClosed ("use of closed network connection"). */
#define TG_ERR_CLOSED EBADF

enum { TG_POLL_READ = 0, TG_POLL_WRITE = 1 };

/* A goroutine parked on a descriptor; lives on the parked goroutine's stack. */
struct tg_pollwaiter {
  struct tg_g *g;
  struct tg_pollwaiter *next;
  int result; /* set by the waker: 0 ready (retry the call), or -errno */
};

struct tg_polldesc {
  tg__lock lock; /* everything below except timer and timer_lock */
  int fd;
  uint32_t seq;     /* bumped at register and close; epoll events carry it */
  bool registered;  /* in the epoll set, owned by net.c */
  bool closing;     /* tg_close ran; the real close waits for refs == 0 */
  bool is_socket;   /* writes use send(MSG_NOSIGNAL) */
  bool expired;     /* the deadline has passed */
  bool ready[2];    /* an edge seen while nobody waited (TG_POLL_READ/WRITE) */
  int refs;         /* operations in progress (they may touch the fd) */
  int64_t deadline; /* absolute (tg_now), 0: none */
  struct tg_pollwaiter *waiters[2];
  char *unlink_path; /* unix listener: socket file removed at close */
  /* The deadline timer. timer_lock serializes arming and disarming it; the
   * timer callback takes only `lock`, so deleting a timer never waits on a
   * callback that waits on us. */
  tg__lock timer_lock;
  struct tg_rtimer timer;
};

/* The descriptor of fd, allocated on first use; NULL if fd is out of range. */
struct tg_polldesc *tg__polldesc(int fd);
/* Add fd to the epoll set (edge-triggered, read and write); pd->lock held.
 * Returns 0 or -errno. */
int tg__netpoll_open(struct tg_polldesc *pd);
/* Remove fd from the epoll set before it is closed; pd->lock held. */
void tg__netpoll_close(struct tg_polldesc *pd);
/* Wake every waiter of the modes in `mask` (1 << TG_POLL_READ, 1 <<
 * TG_POLL_WRITE), each with `result`. Called with pd->lock held, returns with
 * it released: the goroutines are readied only after the lock is dropped, so
 * a woken goroutine never spins on it. Returns how many were woken. */
int tg__polldesc_wake_unlock(struct tg_polldesc *pd, unsigned mask, int result);

#endif
