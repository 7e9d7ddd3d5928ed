/* select, after Go's selectgo: poll the cases in a random order (so that
 * when several are ready one is chosen uniformly), lock the channels in
 * address order (so that two selects over the same channels cannot
 * deadlock), and if none is ready, queue on every channel at once and park;
 * the first channel to claim the goroutine (g->select_done) wins.
 *
 * TG_AFTER cases are served by the goroutine's own timer: no allocation. */
#include "chan.h"

#include <stdlib.h>
#include <string.h>

#define SMALL 16

struct sel {
  tg_case *cases;
  int n;
  uint16_t *poll; /* random permutation of case indices */
  uint16_t *lock; /* channel cases sorted by channel address */
  int nlock;
  int after; /* the TG_AFTER case with the earliest deadline, or -1 */
  int64_t after_when;
  struct tg_sudog *sgs;
  struct tg_g *g;
};

/* Locks every channel once, in address order, except `skip` (may be NULL). */
__attribute__((always_inline)) static inline void sel_lock_except(struct sel *s,
                                                                  struct tg_chan *skip) {
  struct tg_chan *prev = NULL;
  for (int i = 0; i < s->nlock; i++) {
    struct tg_chan *c = s->cases[s->lock[i]].chan_;
    if (c != prev && c != skip)
      tg__lock_acquire(&c->lock);
    prev = c;
  }
}

static void sel_lock(struct sel *s) {
  sel_lock_except(s, NULL);
}

__attribute__((always_inline)) static inline void sel_unlock(struct sel *s) {
  /* Reverse order, each channel once (duplicates are adjacent). */
  for (int i = s->nlock - 1; i >= 0; i--) {
    struct tg_chan *c = s->cases[s->lock[i]].chan_;
    if (i > 0 && s->cases[s->lock[i - 1]].chan_ == c)
      continue;
    tg__lock_release(&c->lock);
  }
}

/* Unlocks all channels except c (which the completing operation releases,
 * or which pass 3 did not lock; may be NULL). */
__attribute__((always_inline)) static inline void sel_unlock_except(struct sel *s,
                                                                    struct tg_chan *c) {
  for (int i = s->nlock - 1; i >= 0; i--) {
    struct tg_chan *ci = s->cases[s->lock[i]].chan_;
    if (ci == c || (i > 0 && s->cases[s->lock[i - 1]].chan_ == ci))
      continue;
    tg__lock_release(&ci->lock);
  }
}

/* Whether case cs could proceed, read without the channel's lock: a hint
 * that case_try confirms under it. */
__attribute__((always_inline)) static inline bool case_looks_ready(const tg_case *cs) {
  struct tg_chan *c = cs->chan_;
  if (__atomic_load_n(&c->closed, __ATOMIC_RELAXED))
    return true;
  size_t count = __atomic_load_n(&c->count, __ATOMIC_RELAXED);
  if (cs->kind_ == TG__CASE_SEND)
    return __atomic_load_n(&c->recvq.first, __ATOMIC_RELAXED) || count < c->cap;
  return __atomic_load_n(&c->sendq.first, __ATOMIC_RELAXED) || count > 0;
}

/* Lets go what pass 1 holds: every channel (all) or case i's alone. */
__attribute__((always_inline)) static inline void case_unlock(struct sel *s, struct tg_chan *c,
                                                              bool all) {
  if (all)
    sel_unlock(s);
  else
    tg__lock_release(&c->lock);
}

/* Completes channel case i if it can proceed now. Held: its channel's lock,
 * and with `all` every channel of the select. True when the case is done,
 * with every lock released; false leaves the locks as they were. */
__attribute__((always_inline)) static inline bool case_try(struct sel *s, int i, bool all) {
  tg_case *cs = &s->cases[i];
  struct tg_chan *c = cs->chan_;
  if (cs->kind_ == TG__CASE_SEND) {
    if (c->closed) {
      case_unlock(s, c, all);
      tg_panic("send on closed channel");
    }
    struct tg_sudog *sg = tg__waitq_dequeue(&c->recvq);
    if (sg) {
      if (all)
        sel_unlock_except(s, c);
      tg__chan_send_to(c, sg, cs->elem_);
      return true;
    }
    if (c->count < c->cap) {
      tg__chan_buf_send(c, cs->elem_);
      case_unlock(s, c, all);
      return true;
    }
    return false;
  }
  struct tg_sudog *sg = tg__waitq_dequeue(&c->sendq);
  if (sg) {
    if (all)
      sel_unlock_except(s, c);
    tg__chan_recv_from(c, sg, cs->elem_);
    if (cs->ok_)
      *cs->ok_ = true;
    return true;
  }
  if (c->count > 0) {
    tg__chan_buf_recv(c, cs->elem_);
    case_unlock(s, c, all);
    if (cs->ok_)
      *cs->ok_ = true;
    return true;
  }
  if (c->closed) {
    case_unlock(s, c, all);
    tg__chan_recv_closed(c, cs->elem_);
    if (cs->ok_)
      *cs->ok_ = false;
    return true;
  }
  return false;
}

static void after_fire(struct tg_g *g) {
  uint32_t zero = 0;
  if (atomic_compare_exchange_strong(&g->select_done, &zero, 1)) {
    g->param = NULL;
    tg__ready(g);
  }
}

/* Runs once the goroutine is parked: arm the TG_AFTER timer first (the
 * channels are still locked, so no channel can claim the goroutine before
 * the timer exists), then let the channels go. */
static void sel_park_commit(void *arg) {
  struct sel *s = arg;
  if (s->after >= 0)
    tg__sleep_timer_arm(s->g, s->after_when, after_fire);
  sel_unlock(s);
}

static void sort_lockorder(struct sel *s) {
  /* Insertion sort: selects are small; heap sort for big ones. */
  uint16_t *a = s->lock;
  int n = s->nlock;
  if (n > 64) {
    /* heap sort, as Go does, to stay O(n log n) without allocating */
    for (int i = n / 2 - 1;; i--) {
      for (int j = i;;) {
        int k = 2 * j + 1;
        if (k >= n)
          break;
        if (k + 1 < n && (uintptr_t)s->cases[a[k + 1]].chan_ > (uintptr_t)s->cases[a[k]].chan_)
          k++;
        if ((uintptr_t)s->cases[a[k]].chan_ <= (uintptr_t)s->cases[a[j]].chan_)
          break;
        uint16_t t = a[j];
        a[j] = a[k];
        a[k] = t;
        j = k;
      }
      if (i == 0)
        break;
    }
    for (int end = n - 1; end > 0; end--) {
      uint16_t t = a[0];
      a[0] = a[end];
      a[end] = t;
      for (int j = 0;;) {
        int k = 2 * j + 1;
        if (k >= end)
          break;
        if (k + 1 < end && (uintptr_t)s->cases[a[k + 1]].chan_ > (uintptr_t)s->cases[a[k]].chan_)
          k++;
        if ((uintptr_t)s->cases[a[k]].chan_ <= (uintptr_t)s->cases[a[j]].chan_)
          break;
        uint16_t t2 = a[j];
        a[j] = a[k];
        a[k] = t2;
        j = k;
      }
    }
    return;
  }
  for (int i = 1; i < n; i++) {
    uint16_t x = a[i];
    uintptr_t cx = (uintptr_t)s->cases[x].chan_;
    int j = i - 1;
    while (j >= 0 && (uintptr_t)s->cases[a[j]].chan_ > cx) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

static int select_impl(tg_case *cases, int n, bool block, void *pc) {
  struct tg_g *g = tg__getg();
  /* Every send case's element may be read, whichever case wins. */
  if (TG_RACE_ENABLED)
    for (int i = 0; i < n; i++)
      if (cases[i].kind_ == TG__CASE_SEND && cases[i].chan_) {
        tg__race_chan_op(cases[i].chan_, false, pc);
        tg__race_elem_read(g, cases[i].chan_, cases[i].elem_, pc);
      }
  if (n < 0 || n > 65535)
    tg_panic("select: invalid number of cases %d", n);
  if (n == 0) {
    if (!block)
      return -1;
    tg__block_forever(TG_WAIT_SELECT_NO_CASES);
  }
  uint16_t poll_small[SMALL], lock_small[SMALL];
  struct tg_sudog sg_small[4];
  uint16_t *heap_orders = NULL;
  struct tg_sudog *heap_sgs = NULL;
  struct sel s = {.cases = cases, .n = n, .after = -1};
  if (n <= SMALL) {
    s.poll = poll_small;
    s.lock = lock_small;
  } else {
    heap_orders = malloc(2 * (size_t)n * sizeof *heap_orders);
    if (!heap_orders)
      tg_panic("select: out of memory");
    s.poll = heap_orders;
    s.lock = heap_orders + n;
  }
  /* Random poll order (Fisher-Yates, inside-out); channel cases for the
   * lock order; the earliest TG_AFTER. */
  int64_t now = 0;
  int npoll = 0;
  int chosen = -1;
  for (int i = 0; i < n; i++) {
    tg_case *cs = &cases[i];
    if (cs->kind_ == TG__CASE_AFTER) {
      if (!now)
        now = tg_now();
      int64_t when = cs->ns_ <= 0 ? now : now + cs->ns_;
      if (s.after < 0 || when < s.after_when) {
        s.after = i;
        s.after_when = when;
      }
      if (cs->ns_ > 0)
        continue; /* not ready at poll time */
    } else if (cs->kind_ != TG__CASE_SEND && cs->kind_ != TG__CASE_RECV) {
      tg_panic("select: case %d was not built with TG_SEND, TG_RECV or TG_AFTER", i);
    } else if (!cs->chan_) {
      continue; /* a nil channel is never ready */
    } else {
      s.lock[s.nlock++] = (uint16_t)i;
    }
    uint32_t j = npoll ? tg__fastrandn((uint32_t)npoll + 1) : 0;
    s.poll[npoll] = s.poll[j];
    s.poll[j] = (uint16_t)i;
    npoll++;
  }
  /* Fast path: the first case, in poll order, that looks ready without a
   * lock is checked and completed under its own channel's lock alone: a
   * select that can proceed does not touch its other channels (a shared
   * `done` channel would bounce between threads). A case that turns out
   * not ready after all sends us the full way. */
  for (int k = 0; k < npoll; k++) {
    int i = s.poll[k];
    tg_case *cs = &cases[i];
    if (cs->kind_ == TG__CASE_AFTER) { /* ns <= 0: ready now */
      chosen = i;
      goto done;
    }
    if (!case_looks_ready(cs))
      continue;
    tg__lock_acquire(&cs->chan_->lock);
    if (case_try(&s, i, false)) {
      chosen = i;
      goto done;
    }
    tg__lock_release(&cs->chan_->lock);
    break;
  }

  sort_lockorder(&s);
  sel_lock(&s);

  /* Pass 1, every channel locked: anything ready? */
  for (int k = 0; k < npoll; k++) {
    int i = s.poll[k];
    if (cases[i].kind_ == TG__CASE_AFTER) {
      sel_unlock(&s);
      chosen = i;
      goto done;
    }
    if (case_try(&s, i, true)) {
      chosen = i;
      goto done;
    }
  }
  if (!block) {
    sel_unlock(&s);
    goto done;
  }
  if (s.nlock == 0 && s.after < 0) {
    sel_unlock(&s);
    tg__block_forever(TG_WAIT_SELECT);
  }

  /* Pass 2: queue on every channel, in lock order, and park. */
  if (s.nlock <= 4) {
    s.sgs = sg_small;
  } else {
    heap_sgs = calloc((size_t)s.nlock, sizeof *heap_sgs);
    if (!heap_sgs)
      tg_panic("select: out of memory");
    s.sgs = heap_sgs;
  }
  atomic_store_explicit(&g->select_done, 0, memory_order_relaxed);
  g->param = NULL;
  struct tg_sudog *waiting = NULL, **link = &waiting;
  int64_t t0 = tg__nanotime_coarse();
  for (int k = 0; k < s.nlock; k++) {
    int i = s.lock[k];
    tg_case *cs = &cases[i];
    struct tg_sudog *sg = &s.sgs[k];
    *sg = (struct tg_sudog){.g = g,
                            .elem = cs->elem_,
                            .c = cs->chan_,
                            .case_index = i,
                            .is_select = true,
                            .is_send = cs->kind_ == TG__CASE_SEND,
                            .acquire_time = t0};
    *link = sg;
    link = &sg->waitlink;
    tg__waitq_enqueue(sg->is_send ? &cs->chan_->sendq : &cs->chan_->recvq, sg);
  }
  g->waiting = waiting;
  tg__wf_wait_begin(cases, TG_RES_SELECT);
  s.g = g;
  tg__park_fn(sel_park_commit, &s, TG_WAIT_SELECT, cases);
  tg__wf_wait_end(cases, TG_RES_SELECT);
  if (s.after >= 0)
    tg__sleep_timer_cancel(g);

  /* Woken: by a channel (param = its sudog) or by the timer (param NULL).
   * Leave every other queue. */
  struct tg_sudog *won = g->param;
  /* The winning channel already took its sudog out: unless another case
   * waits on it too, it need not be locked again. */
  struct tg_chan *skip = won ? won->c : NULL;
  for (struct tg_sudog *sg = waiting; skip && sg; sg = sg->waitlink)
    if (sg != won && sg->c == skip)
      skip = NULL;
  sel_lock_except(&s, skip);
  for (struct tg_sudog *sg = waiting; sg; sg = sg->waitlink) {
    if (sg == won)
      continue;
    struct tg_chan *c = sg->c;
    tg__waitq_remove(sg->is_send ? &c->sendq : &c->recvq, sg);
  }
  sel_unlock_except(&s, skip);
  g->waiting = NULL;
  g->param = NULL;
  if (!won) {
    chosen = s.after;
    goto done;
  }
  chosen = won->case_index;
  {
    tg_case *cs = &cases[chosen];
    if (cs->kind_ == TG__CASE_SEND) {
      if (!won->success)
        tg_panic("send on closed channel");
    } else {
      if (cs->ok_)
        *cs->ok_ = won->success;
      if (!won->success)
        tg__race_acquire(won->c); /* woken by close */
    }
  }

done:
  if (chosen >= 0 && cases[chosen].kind_ == TG__CASE_RECV && cases[chosen].chan_ &&
      cases[chosen].chan_->race_timer)
    tg__race_acquire(cases[chosen].chan_->race_timer);
  if (chosen >= 0 && cases[chosen].kind_ == TG__CASE_RECV && cases[chosen].chan_)
    tg__race_elem_write(g, cases[chosen].chan_, cases[chosen].elem_, pc);
  if (__builtin_expect(heap_orders || heap_sgs, 0)) {
    free(heap_orders);
    free(heap_sgs);
  }
  return chosen;
}

__attribute__((noinline)) int tg_select(tg_case *cases, int n) {
  return select_impl(cases, n, true, __builtin_return_address(0));
}

__attribute__((noinline)) int tg_select_nb(tg_case *cases, int n) {
  return select_impl(cases, n, false, __builtin_return_address(0));
}
