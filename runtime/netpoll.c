/* The network poller: one epoll instance for the whole process.
 *
 * Sockets (net.c) are registered edge-triggered once, for read and write.
 * A goroutine whose fd is not ready parks on the fd's descriptor; whichever
 * M calls tg__netpoll next (an idle M waiting for its next timer, or sysmon
 * with a zero delay) turns the epoll events into tg__ready_global calls.
 * An eventfd, level-triggered, lets the scheduler break a blocked poll when
 * it has new work or an earlier timer. */
#include "netpoll.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

/* Process-wide poller state, owned by this file: written once by
 * netpoll_init_once (under pthread_once), read-only afterwards. */
static int netpoll_epfd = -1;
static int netpoll_evfd = -1;
static pthread_once_t netpoll_once = PTHREAD_ONCE_INIT;
/* 1 while a break is written to the eventfd and not yet consumed: breaks
 * coalesce into one write. */
static _Atomic uint32_t netpoll_wake_sig;
/* Cleared the first time epoll_pwait2 says ENOSYS (old kernels). */
static _Atomic bool netpoll_have_pwait2 = true;

/* epoll_event.data of the eventfd; descriptors use (seq << 32 | fd). */
#define NETPOLL_BREAK_DATA UINT64_MAX

/* ---- descriptor table ---------------------------------------------------- */

/* Two levels so the table grows without moving: a reader (the poller, a
 * timer) never sees a chunk or a descriptor go away. Chunks and descriptors
 * are installed with a CAS and never freed; owned by this file. */
#define PD_CHUNK_BITS 10
#define PD_CHUNK      (1 << PD_CHUNK_BITS)
#define PD_TOP        8192 /* 8M fds */
static struct tg_polldesc *_Atomic *_Atomic pd_table[PD_TOP];

struct tg_polldesc *tg__polldesc(int fd) {
  if (fd < 0 || fd >= PD_TOP * PD_CHUNK)
    return NULL;
  unsigned top = (unsigned)fd >> PD_CHUNK_BITS, low = (unsigned)fd & (PD_CHUNK - 1);
  struct tg_polldesc *_Atomic *chunk = atomic_load_explicit(&pd_table[top], memory_order_acquire);
  if (!chunk) {
    struct tg_polldesc *_Atomic *fresh = calloc(PD_CHUNK, sizeof *fresh);
    if (!fresh)
      return NULL;
    struct tg_polldesc *_Atomic *expect = NULL;
    if (atomic_compare_exchange_strong_explicit(&pd_table[top], &expect, fresh,
                                                memory_order_acq_rel, memory_order_acquire)) {
      chunk = fresh;
    } else {
      free(fresh);
      chunk = expect;
    }
  }
  struct tg_polldesc *pd = atomic_load_explicit(&chunk[low], memory_order_acquire);
  if (pd)
    return pd;
  struct tg_polldesc *fresh = calloc(1, sizeof *fresh);
  if (!fresh)
    return NULL;
  fresh->fd = fd;
  fresh->timer.heap_index = -1;
  struct tg_polldesc *expect = NULL;
  if (atomic_compare_exchange_strong_explicit(&chunk[low], &expect, fresh, memory_order_acq_rel,
                                              memory_order_acquire))
    return fresh;
  free(fresh);
  return expect;
}

/* The descriptor of fd if one was ever allocated (the poller must not
 * allocate). */
static struct tg_polldesc *polldesc_lookup(int fd) {
  if (fd < 0 || fd >= PD_TOP * PD_CHUNK)
    return NULL;
  struct tg_polldesc *_Atomic *chunk =
      atomic_load_explicit(&pd_table[(unsigned)fd >> PD_CHUNK_BITS], memory_order_acquire);
  if (!chunk)
    return NULL;
  return atomic_load_explicit(&chunk[(unsigned)fd & (PD_CHUNK - 1)], memory_order_acquire);
}

/* ---- waking -------------------------------------------------------------- */

int tg__polldesc_wake_unlock(struct tg_polldesc *pd, unsigned mask, int result) {
  /* A waiter lives on its goroutine's stack: copy the G pointers out under
   * the lock, ready them after. More than fit in one batch is rare (several
   * goroutines reading one socket); take the lock again for the rest. */
  enum { BATCH = 16 };
  struct tg_g *gs[BATCH];
  int total = 0;
  for (;;) {
    int n = 0;
    for (int mode = 0; mode < 2; mode++) {
      if (!(mask & (1u << mode)))
        continue;
      while (n < BATCH && pd->waiters[mode]) {
        struct tg_pollwaiter *w = pd->waiters[mode];
        pd->waiters[mode] = w->next;
        w->result = result;
        gs[n++] = w->g;
      }
    }
    bool more =
        ((mask & 1u) && pd->waiters[TG_POLL_READ]) || ((mask & 2u) && pd->waiters[TG_POLL_WRITE]);
    tg__lock_release(&pd->lock);
    for (int i = 0; i < n; i++)
      tg__ready(gs[i]); /* from a P's scheduler or a poller without one */
    total += n;
    if (!more)
      return total;
    tg__lock_acquire(&pd->lock);
  }
}

/* ---- epoll --------------------------------------------------------------- */

static void netpoll_init_once(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0)
    tg__fatal("runtime: netpoll init: epoll_create1 failed: errno %d", errno);
  int ev = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (ev < 0)
    tg__fatal("runtime: netpoll init: eventfd failed: errno %d", errno);
  /* Level-triggered: a non-blocking poll leaves a pending break in place
   * for the M that blocks next. */
  struct epoll_event e = {.events = EPOLLIN, .data.u64 = NETPOLL_BREAK_DATA};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, ev, &e) < 0)
    tg__fatal("runtime: netpoll init: epoll_ctl failed: errno %d", errno);
  netpoll_evfd = ev;
  netpoll_epfd = ep;
}

void tg__netpoll_init(void) {
  pthread_once(&netpoll_once, netpoll_init_once);
}

int tg__netpoll_open(struct tg_polldesc *pd) {
  tg__netpoll_init();
  pd->seq++;
  struct epoll_event e = {
      .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
      .data.u64 = (uint64_t)pd->seq << 32 | (uint32_t)pd->fd,
  };
  if (epoll_ctl(netpoll_epfd, EPOLL_CTL_ADD, pd->fd, &e) == 0)
    return 0;
  /* Still in the set: the fd number was closed behind our back with a dup
   * alive, or registered twice. Take it over. */
  if (errno == EEXIST && epoll_ctl(netpoll_epfd, EPOLL_CTL_MOD, pd->fd, &e) == 0)
    return 0;
  return -errno;
}

void tg__netpoll_close(struct tg_polldesc *pd) {
  pd->seq++;
  struct epoll_event e = {0}; /* pre-2.6.9 kernels wanted non-NULL */
  (void)epoll_ctl(netpoll_epfd, EPOLL_CTL_DEL, pd->fd, &e);
}

void tg__netpoll_break(void) {
  tg__netpoll_init();
  uint32_t zero = 0;
  if (!atomic_compare_exchange_strong(&netpoll_wake_sig, &zero, 1))
    return; /* a break is already pending */
  uint64_t one = 1;
  for (;;) {
    ssize_t r = write(netpoll_evfd, &one, sizeof one);
    if (r == (ssize_t)sizeof one || (r < 0 && errno == EAGAIN))
      return; /* EAGAIN: the counter is saturated, the poller is woken anyway */
    if (r < 0 && errno != EINTR)
      tg__fatal("runtime: netpoll break: write failed: errno %d", errno);
  }
}

static int netpoll_wait(struct epoll_event *evs, int cap, int64_t delay) {
  if (atomic_load_explicit(&netpoll_have_pwait2, memory_order_relaxed)) {
    struct timespec ts, *tsp = NULL;
    if (delay >= 0) {
      ts.tv_sec = delay / 1000000000;
      ts.tv_nsec = delay % 1000000000;
      tsp = &ts;
    }
    int n = epoll_pwait2(netpoll_epfd, evs, cap, tsp, NULL);
    if (n >= 0 || errno != ENOSYS)
      return n;
    atomic_store_explicit(&netpoll_have_pwait2, false, memory_order_relaxed);
  }
  /* Millisecond resolution: round a short delay up, not down to a spin. */
  int ms;
  if (delay < 0)
    ms = -1;
  else if (delay == 0)
    ms = 0;
  else if (delay >= (int64_t)INT_MAX * 1000000)
    ms = INT_MAX;
  else
    ms = (int)((delay + 999999) / 1000000);
  return epoll_wait(netpoll_epfd, evs, cap, ms);
}

/* An fd event: wake its waiters, or remember the edge for the next one. */
static int netpoll_ready(uint64_t data, uint32_t events) {
  int fd = (int)(uint32_t)data;
  uint32_t seq = (uint32_t)(data >> 32);
  struct tg_polldesc *pd = polldesc_lookup(fd);
  if (!pd)
    return 0;
  unsigned mask = 0;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
    mask |= 1u << TG_POLL_READ;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
    mask |= 1u << TG_POLL_WRITE;
  tg__lock_acquire(&pd->lock);
  if (pd->seq != seq || !pd->registered) {
    /* Fetched before the fd was closed and its number reused. */
    tg__lock_release(&pd->lock);
    return 0;
  }
  for (int mode = 0; mode < 2; mode++)
    if ((mask & (1u << mode)) && !pd->waiters[mode])
      pd->ready[mode] = true;
  return tg__polldesc_wake_unlock(pd, mask, 0);
}

int tg__netpoll(int64_t delay) {
  tg__netpoll_init();
  enum { NEVENTS = 128 };
  struct epoll_event evs[NEVENTS];
  int n;
  for (;;) {
    n = netpoll_wait(evs, NEVENTS, delay);
    if (n >= 0)
      break;
    if (errno != EINTR)
      tg__fatal("runtime: netpoll: epoll_wait failed: errno %d", errno);
    if (delay >= 0)
      return 0; /* let the caller recompute its timeout */
  }
  int readied = 0;
  for (int i = 0; i < n; i++) {
    if (evs[i].data.u64 == NETPOLL_BREAK_DATA) {
      /* Only a blocking poll consumes a break: it was meant for one. */
      if (delay != 0) {
        uint64_t v;
        ssize_t r = read(netpoll_evfd, &v, sizeof v);
        (void)r;
        atomic_store(&netpoll_wake_sig, 0);
      }
      continue;
    }
    readied += netpoll_ready(evs[i].data.u64, evs[i].events);
  }
  return readied;
}
