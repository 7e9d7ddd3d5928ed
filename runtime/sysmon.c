/* sysmon: a thread outside the scheduler that watches it, as in Go.
 *  - a P whose goroutine sits in a blocking call (tg_enter_blocking) for more
 *    than 20 µs is handed to another thread;
 *  - a goroutine that has held its P for more than 10 ms without a switch is
 *    noticed: it is asked to yield (g->preempt, honoured at its next yield
 *    point) and the due timers of its P are run here so they do not wait;
 *  - the network is polled when nobody has for 10 ms;
 *  - SIGQUIT's dump is done here. */
#include "rt.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

bool tg__retake_syscall_p(struct tg_p *p, uint32_t seen_tick);
void tg__wakep(void);
extern _Atomic int tg__sigquit_pending;

struct p_seen {
  uint32_t syscalltick;
  int64_t syscall_when;
  uint64_t switches;
  int64_t switch_when;
  uint32_t runq_head;
  int64_t runq_when;
};

static void *sysmon_main(void *arg) {
  (void)arg;
  /* Per-P observations: only this thread touches them. */
  static struct p_seen seen[256];
  int64_t delay_us = 20;
  int idle_rounds = 0;
  int64_t last_poll = tg_now();
  for (;;) {
    struct timespec ts = {0, delay_us * 1000};
    nanosleep(&ts, NULL);
    if (atomic_load(&tg__sigquit_pending)) {
      tg__fdprintf(2, "SIGQUIT: quit\n\n");
      tg_dump_goroutines(2);
      _exit(2);
    }
    int64_t now = tg_now();
    atomic_store_explicit(&tg__coarse_clock, now, memory_order_relaxed);
    bool acted = false;
    int nprocs = tg__sched.nprocs;
    for (int i = 0; i < nprocs && i < 256; i++) {
      struct tg_p *p = tg__sched.allp[i];
      if (!p)
        continue;
      struct p_seen *s = &seen[i];
      int st = atomic_load(&p->status);
      if (st == TG_P_SYSCALL) {
        uint32_t t = atomic_load(&p->syscalltick);
        if (t != s->syscalltick) {
          s->syscalltick = t;
          s->syscall_when = now;
        } else if (now - s->syscall_when > 20 * TG_MICROSECOND) {
          acted |= tg__retake_syscall_p(p, t);
        }
      } else if (st == TG_P_RUNNING) {
        /* A queue that does not move while its P keeps switching: two
         * goroutines hand off through runnext and the queue behind them
         * starves (Go: runnext inherits the time slice). After 10 ms the
         * P takes its next goroutine from the queue instead. */
        uint32_t h = atomic_load(&p->runq_head);
        if (h != s->runq_head || h == atomic_load(&p->runq_tail)) {
          s->runq_head = h;
          s->runq_when = now;
        } else if (now - s->runq_when > 10 * TG_MILLISECOND) {
          atomic_store_explicit(&p->runq_first, true, memory_order_relaxed);
          s->runq_when = now;
        }
        uint64_t sw = atomic_load(&p->switches);
        if (sw != s->switches) {
          s->switches = sw;
          s->switch_when = now;
        } else if (now - s->switch_when > 10 * TG_MILLISECOND) {
          struct tg_m *m = p->m;
          struct tg_g *g = m ? m->curg : NULL;
          if (g && !g->is_g0)
            g->preempt = true;
          int64_t t0 = atomic_load(&p->timer0_when);
          if (t0 && t0 <= now) {
            /* Its timers must not wait for the hog: fire them from here
             * (they ready goroutines onto the global queue). */
            tg__timers_run(p, now);
            tg__wakep();
            acted = true;
          }
        }
      }
    }
    if (atomic_load(&tg__sched.nio_waiters) && !atomic_load(&tg__sched.polling) &&
        now - last_poll > 10 * TG_MILLISECOND) {
      atomic_fetch_add(&tg__sched.nwaking, 1);
      tg__netpoll(0);
      atomic_fetch_sub(&tg__sched.nwaking, 1);
      last_poll = now;
    }
    /* Go's back-off: 20 us while it has work to do, doubling after 1 ms
     * of nothing to 10 ms. */
    if (acted || atomic_load(&tg__sched.nsyscall)) {
      idle_rounds = 0;
      delay_us = 20;
    } else if (++idle_rounds * delay_us > 1000) {
      delay_us = delay_us * 2 > 10000 ? 10000 : delay_us * 2;
    }
  }
  return NULL;
}

void tg__sysmon_start(void) {
  pthread_t th;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&attr, 1 << 20);
  if (pthread_create(&th, &attr, sysmon_main, NULL) != 0)
    tg__fatal("cannot start the sysmon thread");
  pthread_attr_destroy(&attr);
}
