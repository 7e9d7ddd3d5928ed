/* moby#30408 (Communication, Condition Variable): waitActive waits on the
 * plugin's Cond until it is activated; when activation fails nobody
 * signals, and the test waits on `done` forever. Fix: a failed activation
 * also counts as settled and broadcasts. */
#include "goker.h"

struct plugin {
  tg_mutex l;
  tg_cond activate_wait;
  bool manifest, failed;
};

static void wait_active(void *p) {
  struct plugin *pl = ((void **)p)[0];
  tg_chan *done = ((void **)p)[1];
  tg_mutex_lock(&pl->l);
  while (!pl->manifest && !pl->failed)
    tg_cond_wait(&pl->activate_wait);
  tg_mutex_unlock(&pl->l);
  tg_chan_close(done);
}

static void test_active(void *p) {
  (void)p;
  struct plugin *pl = new0(sizeof *pl);
  tg_cond_init(&pl->activate_wait, &pl->l);
  void **arg = new0(2 * sizeof(void *));
  arg[0] = pl;
  arg[1] = tg_chan_make(0, 0);
  GO(wait_active, arg);
  if (fixed) { /* activation fails: settle and tell the waiters */
    tg_sleep(5 * MS);
    tg_mutex_lock(&pl->l);
    pl->failed = true;
    tg_cond_broadcast(&pl->activate_wait);
    tg_mutex_unlock(&pl->l);
  }
  tg_chan_recv(arg[1], NULL);
}

static void kernel(void) { GO(test_active, NULL); }
