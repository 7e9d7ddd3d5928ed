/* kubernetes#11298 (Communication, Channel & Condition Variable): the
 * notifier's service loop holds n.lock and runs n.cond.Wait in another
 * goroutine (After), which unlocks a mutex it does not hold; Signals sent
 * before that Wait are lost, so the waiter and the loop block for good.
 * Fix (upstream replaced the Cond): the notification is a channel with
 * room for one pending signal. */
#include "goker.h"

struct notifier {
  tg_mutex lock;
  tg_cond cond;
  tg_chan *notify; /* fixed */
};

struct after {
  void (*f)(void *);
  void *arg;
  tg_chan *ch;
};

static void after_run(void *p) {
  struct after *a = p;
  if (a->f)
    a->f(a->arg);
  tg_chan_close(a->ch);
}

static tg_chan *after(void (*f)(void *), void *arg) {
  struct after *a = new0(sizeof *a);
  *a = (struct after){f, arg, tg_chan_make(0, 0)};
  GO(after_run, a);
  return a->ch;
}

static bool closed(tg_chan *c) {
  tg_case cs[] = {TG_RECV(c, NULL, NULL)};
  return tg_select_nb(cs, 1) == 0;
}

static void cond_wait(void *p) {
  struct notifier *n = p;
  tg_cond_wait(&n->cond);
}

struct loop_arg {
  struct notifier *n;
  tg_chan *abort;
};

static void service_loop(void *p) {
  struct loop_arg *l = p;
  struct notifier *n = l->n;
  if (fixed) {
    for (;;) {
      tg_case cs[] = {TG_RECV(l->abort, NULL, NULL), TG_RECV(n->notify, NULL, NULL)};
      if (tg_select(cs, 2) == 0)
        return;
    }
  }
  tg_mutex_lock(&n->lock);
  while (!closed(l->abort)) {
    tg_chan *ch = after(cond_wait, n);
    tg_case cs[] = {TG_RECV(l->abort, NULL, NULL), TG_RECV(ch, NULL, NULL)};
    if (tg_select(cs, 2) == 0) {
      tg_cond_signal(&n->cond);
      tg_chan_recv(ch, NULL);
      break;
    }
  }
  tg_mutex_unlock(&n->lock);
}

static void signaller(void *p) {
  struct loop_arg *l = p;
  struct notifier *n = l->n;
  while (!closed(l->abort)) {
    if (fixed) {
      tg_case cs[] = {TG_SEND(n->notify, NULL)};
      tg_select_nb(cs, 1);
    } else {
      tg_mutex_lock(&n->lock);
      tg_cond_signal(&n->cond);
      tg_mutex_unlock(&n->lock);
    }
    tg_sleep(1 * MS);
  }
}

static void notify(void *p) {
  tg_chan *abort = p;
  struct loop_arg *l = new0(sizeof *l);
  l->n = new0(sizeof *l->n);
  tg_cond_init(&l->n->cond, &l->n->lock);
  l->n->notify = tg_chan_make(0, 1);
  l->abort = abort;
  tg_chan *finished = after(signaller, l);
  struct loop_arg *sl = new0(sizeof *sl);
  *sl = (struct loop_arg){l->n, finished};
  while (!closed(abort)) { /* Until(serviceLoop, 0, abort) */
    service_loop(sl);
    tg_sleep(1 * MS);
  }
}

static void closer(void *p) {
  tg_sleep(20 * MS);
  tg_chan_close(p);
}

static void g(void *p) {
  (void)p;
  tg_chan *done = tg_chan_make(0, 0);
  tg_chan *notify_done = after(notify, done);
  GO(closer, done);
  tg_chan_recv(notify_done, NULL);
}

static void kernel(void) { GO(g, NULL); }
