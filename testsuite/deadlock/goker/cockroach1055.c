/* cockroach#1055 (Mixed, Channel & WaitGroup): StartTask adds to the
 * stopper's drain group and nothing ever marks the task finished, so
 * Quiesce waits on drain forever while holding mu; Stop and the workers
 * waiting on ShouldStop never get further. Fix: the task is finished
 * (drain.Done) when it ends, as the patched Stopper's FinishTask does. */
#include "goker.h"

struct stopper {
  tg_chan *stopper;
  tg_waitgroup stop, drain;
  tg_mutex mu;
  _Atomic int draining;
};

static bool start_task(struct stopper *s) {
  if (atomic_load(&s->draining) == 0) {
    tg_mutex_lock(&s->mu);
    tg_waitgroup_add(&s->drain, 1);
    tg_mutex_unlock(&s->mu);
    return true;
  }
  return false;
}

static void quiesce(struct stopper *s) {
  tg_mutex_lock(&s->mu);
  atomic_store(&s->draining, 1);
  tg_waitgroup_wait(&s->drain);
  atomic_store(&s->draining, 0);
  tg_mutex_unlock(&s->mu);
}

static void stop(struct stopper *s) {
  tg_mutex_lock(&s->mu);
  atomic_store(&s->draining, 1);
  tg_waitgroup_wait(&s->drain);
  tg_chan_close(s->stopper);
  tg_waitgroup_wait(&s->stop);
  tg_mutex_unlock(&s->mu);
}

static void worker(void *p) { /* G2 */
  struct stopper *s = p;
  if (start_task(s) && fixed)
    tg_waitgroup_done(&s->drain); /* FinishTask */
  tg_chan_recv(s->stopper, NULL);
  tg_waitgroup_done(&s->stop);
}

struct g3 {
  struct stopper **s;
  tg_chan *done;
};

static void stopper_of_all(void *p) { /* G3 */
  struct g3 *x = p;
  tg_sleep(20 * MS); /* the workers have started their tasks */
  for (int i = 0; i < 2; i++)
    quiesce(x->s[i]);
  for (int i = 0; i < 2; i++)
    stop(x->s[i]);
  tg_chan_close(x->done);
}

static void g1(void *p) {
  (void)p;
  struct g3 *x = new0(sizeof *x);
  x->s = new0(2 * sizeof *x->s);
  for (int i = 0; i < 2; i++) {
    x->s[i] = new0(sizeof(struct stopper));
    x->s[i]->stopper = tg_chan_make(0, 0);
    tg_waitgroup_add(&x->s[i]->stop, 1);
    GO(worker, x->s[i]);
  }
  x->done = tg_chan_make(0, 0);
  GO(stopper_of_all, x);
  tg_chan_recv(x->done, NULL);
}

static void kernel(void) { GO(g1, NULL); }
