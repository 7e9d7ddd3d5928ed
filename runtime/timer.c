/* Runtime timers: one min-heap per P, like Go's, so that goroutines on
 * different Ps arm and stop timers without contending. A timer stays in the
 * heap of the P it was added on. Whoever schedules on a P runs its due
 * timers; idle Ms run the due timers of every P; the M sleeping in the
 * poller sleeps until the earliest timer of all. */
#include "rt.h"

#include "futex.h"

#include <sched.h>
#include <stdlib.h>

static bool heap_less(struct tg_rtimer *a, struct tg_rtimer *b) {
  return a->when < b->when;
}

static void heap_set(struct tg_p *p, int i, struct tg_rtimer *t) {
  p->timers[i] = t;
  t->heap_index = i;
}

static void sift_up(struct tg_p *p, int i) {
  struct tg_rtimer *t = p->timers[i];
  while (i > 0) {
    int parent = (i - 1) / 2;
    if (!heap_less(t, p->timers[parent]))
      break;
    heap_set(p, i, p->timers[parent]);
    i = parent;
  }
  heap_set(p, i, t);
}

static void sift_down(struct tg_p *p, int i) {
  struct tg_rtimer *t = p->timers[i];
  int n = p->ntimers;
  for (;;) {
    int c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && heap_less(p->timers[c + 1], p->timers[c]))
      c++;
    if (!heap_less(p->timers[c], t))
      break;
    heap_set(p, i, p->timers[c]);
    i = c;
  }
  heap_set(p, i, t);
}

static void update_timer0(struct tg_p *p) {
  atomic_store_explicit(&p->timer0_when, p->ntimers ? p->timers[0]->when : 0, memory_order_release);
}

/* Removes t (p locked, t in p's heap). */
static void heap_remove(struct tg_p *p, struct tg_rtimer *t) {
  int i = t->heap_index;
  int last = --p->ntimers;
  if (i != last) {
    struct tg_rtimer *moved = p->timers[last];
    heap_set(p, i, moved);
    sift_down(p, i);
    sift_up(p, moved->heap_index);
  }
  t->p = NULL;
  update_timer0(p);
}

static void heap_push(struct tg_p *p, struct tg_rtimer *t) {
  if (p->ntimers == p->timers_cap) {
    int cap = p->timers_cap ? 2 * p->timers_cap : 64;
    struct tg_rtimer **nt = realloc(p->timers, (size_t)cap * sizeof *nt);
    if (!nt)
      tg__fatal("out of memory growing a timer heap");
    p->timers = nt;
    p->timers_cap = cap;
  }
  t->p = p;
  heap_set(p, p->ntimers++, t);
  sift_up(p, t->heap_index);
  update_timer0(p);
}

/* Wakes the M sleeping in the poller if it would sleep past `when`. */
static void wake_poller_for(int64_t when) {
  if (!atomic_load(&tg__sched.polling))
    return;
  int64_t until = atomic_load(&tg__sched.poll_until);
  if (until == 0 || when < until)
    tg__netpoll_break();
}

void tg__timer_add(struct tg_rtimer *t, int64_t when) {
  struct tg_m *m = tg__getm();
  struct tg_p *p = m && m->p ? m->p : tg__sched.allp[0];
  tg__lock_acquire(&p->timers_lock);
  t->when = when;
  heap_push(p, t);
  tg__lock_release(&p->timers_lock);
  atomic_fetch_add(&tg__sched.ntimers, 1);
  wake_poller_for(when);
}

/* Locks the heap t is in; returns it, or NULL (nothing locked) if t is not
 * pending. */
static struct tg_p *lock_timer_heap(struct tg_rtimer *t) {
  for (;;) {
    struct tg_p *p = __atomic_load_n(&t->p, __ATOMIC_ACQUIRE);
    if (!p)
      return NULL;
    tg__lock_acquire(&p->timers_lock);
    if (t->p == p)
      return p;
    tg__lock_release(&p->timers_lock);
  }
}

static void wait_not_running(struct tg_rtimer *t) {
  while (atomic_load_explicit(&t->running, memory_order_acquire) && t->running_m != tg__getm())
    sched_yield();
}

bool tg__timer_del(struct tg_rtimer *t) {
  struct tg_p *p = lock_timer_heap(t);
  bool pending = p != NULL;
  if (p) {
    heap_remove(p, t);
    tg__lock_release(&p->timers_lock);
    atomic_fetch_sub(&tg__sched.ntimers, 1);
  }
  wait_not_running(t);
  return pending;
}

bool tg__timer_mod(struct tg_rtimer *t, int64_t when) {
  bool pending = tg__timer_del(t);
  tg__timer_add(t, when);
  return pending;
}

int64_t tg__timers_run(struct tg_p *p, int64_t now) {
  struct tg_m *m = tg__getm();
  tg__lock_acquire(&p->timers_lock);
  while (p->ntimers && p->timers[0]->when <= now) {
    struct tg_rtimer *t = p->timers[0];
    atomic_store_explicit(&t->running, 1, memory_order_relaxed);
    t->running_m = m;
    if (t->period > 0) {
      /* A ticker: next tick on the period grid, skipping missed ticks. */
      int64_t missed = (now - t->when) / t->period;
      t->when += (missed + 1) * t->period;
      sift_down(p, 0);
      update_timer0(p);
    } else {
      heap_remove(p, t);
      atomic_fetch_sub(&tg__sched.ntimers, 1);
    }
    /* Counted as waking so that the deadlock check cannot see a moment with
     * no timer and the goroutine not yet readied. */
    atomic_fetch_add(&tg__sched.nwaking, 1);
    tg__lock_release(&p->timers_lock);
    void (*f)(void *, int64_t) = t->f;
    void *arg = t->arg;
    f(arg, now);
    t->running_m = NULL;
    atomic_store_explicit(&t->running, 0, memory_order_release);
    atomic_fetch_sub(&tg__sched.nwaking, 1);
    tg__lock_acquire(&p->timers_lock);
  }
  int64_t next = p->ntimers ? p->timers[0]->when : 0;
  tg__lock_release(&p->timers_lock);
  return next;
}

int64_t tg__timers_earliest(void) {
  int64_t best = 0;
  for (int i = 0; i < tg__sched.nprocs; i++) {
    struct tg_p *p = tg__sched.allp[i];
    if (!p)
      continue;
    int64_t w = atomic_load_explicit(&p->timer0_when, memory_order_acquire);
    if (w && (!best || w < best))
      best = w;
  }
  return best;
}

/* ---- a parked goroutine's own timer (sleep, a select's TG_AFTER) ------- */

static void sleep_timer_cb(void *arg, int64_t now) {
  (void)now;
  struct tg_g *g = arg;
  g->sleep_fire(g);
}

void tg__sleep_timer_arm(struct tg_g *g, int64_t when, void (*fire)(struct tg_g *g)) {
  g->sleep_fire = fire;
  g->sleep_timer.f = sleep_timer_cb;
  g->sleep_timer.arg = g;
  g->sleep_timer.period = 0;
  tg__timer_add(&g->sleep_timer, when);
}

void tg__sleep_timer_cancel(struct tg_g *g) {
  tg__timer_del(&g->sleep_timer);
}
