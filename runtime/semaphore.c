/* tg_sem: golang.org/x/sync/semaphore's Weighted.
 *
 * Waiters queue FIFO and are granted strictly in order: a large request at
 * the front blocks smaller ones behind it even when they would fit, so it is
 * not starved. A waiter without a cancelable context parks directly; one
 * with a context selects on the context's Done channel and its own ready
 * channel, which the granter closes. A waiter whose context ends first
 * leaves the queue, or, if it was granted meanwhile, gives the grant back:
 * either way the count is as if it had never asked. */
#include "sema.h"

#include <stdlib.h>

struct sem_waiter {
  int64_t n;
  struct tg_g *g; /* parked directly (no context to watch) */
  tg_chan *ready; /* or: closed when granted */
  struct sem_waiter *next, *prev;
  bool granted;
};

struct tg_sem {
  tg__lock mu;
  int64_t size;
  int64_t cur;
  struct sem_waiter *head, *tail;
};

tg_sem *tg_sem_new(int64_t n) {
  tg_sem *s = calloc(1, sizeof *s);
  if (!s)
    tg__fatal("out of memory (semaphore)");
  s->size = n;
  return s;
}

void tg_sem_free(tg_sem *s) {
  if (!s)
    return;
  if (s->head)
    tg__fatal("semaphore: tg_sem_free with goroutines waiting");
  tg__race_free_sync(s);
  free(s);
}

static void unqueue(tg_sem *s, struct sem_waiter *w) {
  if (w->prev)
    w->prev->next = w->next;
  else
    s->head = w->next;
  if (w->next)
    w->next->prev = w->prev;
  else
    s->tail = w->prev;
  w->next = w->prev = NULL;
}

/* Grants waiters from the front while the first one fits. Called with mu. */
static void notify_waiters(tg_sem *s) {
  while (s->head) {
    struct sem_waiter *w = s->head;
    if (s->size - s->cur < w->n)
      break; /* strict FIFO: the ones behind wait too */
    s->cur += w->n;
    unqueue(s, w);
    w->granted = true;
    /* The waiter is parked (or selecting) and cannot leave before it takes
     * mu, which we hold: w stays valid through these calls. */
    if (w->ready)
      tg_chan_close(w->ready);
    else
      tg__ready(w->g);
  }
}

static void acquired(tg_sem *s, bool tried, const void *pc) {
  tg__race_acquire(s);
  if (tried)
    tg__wf_lock_tried(s, TG_RES_SEM, pc); /* TryAcquire cannot wait: no lock-order edge */
  else
    tg__wf_lock_acquired(s, TG_RES_SEM, pc);
  (void)pc;
}

int tg_sem_acquire(tg_sem *s, tg_ctx *ctx, int64_t n) {
  tg_chan *done = ctx ? tg_ctx_done(ctx) : NULL;
  tg__lock_acquire(&s->mu);
  /* A context already done wins, even over a free semaphore. */
  int err = done ? tg_ctx_err(ctx) : 0;
  if (err != 0) {
    tg__lock_release(&s->mu);
    return err;
  }
  if (s->size - s->cur >= n && !s->head) {
    s->cur += n;
    tg__lock_release(&s->mu);
    acquired(s, false, __builtin_return_address(0));
    return 0;
  }
  if (n > s->size) {
    /* Can never be satisfied: do not block the queue, wait for the context
     * (forever without one, as in Go). */
    tg__lock_release(&s->mu);
    tg_chan_recv(done, NULL);
    return tg_ctx_err(ctx);
  }

  struct sem_waiter w = {.n = n, .prev = s->tail};
  if (s->tail)
    s->tail->next = &w;
  else
    s->head = &w;
  s->tail = &w;

  if (!done) {
    w.g = tg__getg();
    tg__wf_wait_begin(s, TG_RES_SEM);
    tg__park(&s->mu, TG_WAIT_SEM, s);
    tg__wf_wait_end(s, TG_RES_SEM);
    acquired(s, false, __builtin_return_address(0));
    return 0;
  }

  w.ready = tg_chan_make(0, 0);
  tg__lock_release(&s->mu);
  tg__wf_wait_begin(s, TG_RES_SEM);
  tg_case cases[2] = {TG_RECV(done, NULL, NULL), TG_RECV(w.ready, NULL, NULL)};
  int which = tg_select(cases, 2);
  tg__wf_wait_end(s, TG_RES_SEM);
  /* Taking mu also waits for a granter still inside tg_chan_close. */
  tg__lock_acquire(&s->mu);
  if (which == 0 || tg_ctx_err(ctx) != 0) {
    if (w.granted) {
      s->cur -= n; /* granted, but the context ended first: give it back */
      notify_waiters(s);
    } else {
      bool front = s->head == &w;
      unqueue(s, &w);
      /* Leaving the front may let the ones behind in. */
      if (front && s->size > s->cur)
        notify_waiters(s);
    }
    tg__lock_release(&s->mu);
    tg_chan_free(w.ready);
    return tg_ctx_err(ctx);
  }
  tg__lock_release(&s->mu);
  tg_chan_free(w.ready);
  acquired(s, false, __builtin_return_address(0));
  return 0;
}

bool tg_sem_try_acquire(tg_sem *s, int64_t n) {
  tg__lock_acquire(&s->mu);
  bool ok = s->size - s->cur >= n && !s->head;
  if (ok)
    s->cur += n;
  tg__lock_release(&s->mu);
  if (ok)
    acquired(s, true, __builtin_return_address(0));
  return ok;
}

void tg_sem_release(tg_sem *s, int64_t n) {
  tg__wf_lock_released(s, TG_RES_SEM);
  tg__race_release_merge(s);
  tg__lock_acquire(&s->mu);
  s->cur -= n;
  if (s->cur < 0) {
    tg__lock_release(&s->mu);
    tg_panic("semaphore: released more than held");
  }
  notify_waiters(s);
  tg__lock_release(&s->mu);
}

int tg__sem_nwaiters(tg_sem *s) {
  int n = 0;
  tg__lock_acquire(&s->mu);
  for (struct sem_waiter *w = s->head; w; w = w->next)
    n++;
  tg__lock_release(&s->mu);
  return n;
}
