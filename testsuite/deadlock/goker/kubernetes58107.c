/* kubernetes#58107 (Resource, RWR deadlock): a quota worker holds the
 * controller's read lock while it waits on its (empty) queue's Cond; Sync
 * queues for the write lock; the other worker's RLock then waits behind
 * the queued writer. Fix: the workers take no read lock while they wait on
 * a queue. */
#include "goker.h"

struct queue {
  tg_mutex l;
  tg_cond cond;
};

struct controller {
  tg_rwmutex worker_lock;
  struct queue q1, q2;
  _Atomic int finished;
};

struct worker_arg {
  struct controller *rq;
  struct queue *q;
  int delay_ms;
};

static void get(struct queue *q) {
  tg_mutex_lock(&q->l);
  tg_cond_wait(&q->cond);
  tg_mutex_unlock(&q->l);
}

static void worker(void *p) { /* G3, G4 */
  struct worker_arg *w = p;
  tg_sleep(w->delay_ms * MS);
  if (!fixed)
    tg_rwmutex_rlock(&w->rq->worker_lock);
  get(w->q);
  if (!fixed)
    tg_rwmutex_runlock(&w->rq->worker_lock);
  atomic_fetch_add(&w->rq->finished, 1);
}

static void sync_loop(void *p) { /* G5 */
  struct controller *rq = p;
  tg_sleep(5 * MS);
  for (int i = 0; i < 3; i++) {
    tg_rwmutex_lock(&rq->worker_lock);
    tg_yield();
    tg_rwmutex_unlock(&rq->worker_lock);
  }
}

static void g(void *p) { /* G1 */
  (void)p;
  struct controller *rq = new0(sizeof *rq);
  tg_cond_init(&rq->q1.cond, &rq->q1.l);
  tg_cond_init(&rq->q2.cond, &rq->q2.l);
  struct worker_arg *w1 = new0(sizeof *w1), *w2 = new0(sizeof *w2);
  *w1 = (struct worker_arg){rq, &rq->q1, 0};
  *w2 = (struct worker_arg){rq, &rq->q2, 10};
  GO(worker, w1);
  GO(worker, w2);
  GO(sync_loop, rq);
  /* HelperSignals: with the bug, queue 1 gets no signal in time. */
  if (fixed)
    for (int i = 0; i < 200 && atomic_load(&rq->finished) < 2; i++) {
      tg_sleep(1 * MS);
      tg_mutex_lock(&rq->q1.l);
      tg_cond_signal(&rq->q1.cond);
      tg_mutex_unlock(&rq->q1.l);
      tg_mutex_lock(&rq->q2.l);
      tg_cond_signal(&rq->q2.cond);
      tg_mutex_unlock(&rq->q2.l);
    }
}

static void kernel(void) { GO(g, NULL); }
