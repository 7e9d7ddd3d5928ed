/* moby#21233 (Communication, Channel): the test's progress consumer stops
 * reading (t.Fatalf ended its goroutine); the transfer's watcher then
 * blocks writing progress, never closes `running`, and Release waits on it
 * forever. Fix: the consumer drains the progress channel to the end. */
#include "goker.h"

struct transfer {
  tg_mutex mu;
  tg_chan *release, *running, *progress;
};

static void watcher(void *p) { /* G2 */
  struct transfer *t = p;
  bool done = false;
  for (;;) {
    tg_mutex_lock(&t->mu);
    tg_mutex_unlock(&t->mu);
    tg_chan_send(t->progress, NULL); /* WriteProgress */
    if (done)
      break;
    tg_case cs[] = {TG_RECV(t->release, NULL, NULL)};
    if (tg_select(cs, 1) == 0)
      done = true;
  }
  tg_chan_close(t->running);
}

struct consumer {
  tg_chan *progress, *done;
};

static void consume(void *p) { /* G3 */
  struct consumer *c = p;
  tg_sleep(1 * MS);
  while (tg_chan_recv(c->progress, NULL))
    if (!fixed)
      return; /* t.Fatalf */
  tg_chan_close(c->done);
}

static void test_transfer(void *p) { /* G1 */
  (void)p;
  struct consumer *c = new0(sizeof *c);
  c->progress = tg_chan_make(0, 0);
  c->done = tg_chan_make(0, 0);
  GO(consume, c);
  tg_sleep(1 * MS);
  struct transfer *ts[2];
  for (int i = 0; i < 2; i++) {
    ts[i] = new0(sizeof **ts);
    ts[i]->release = tg_chan_make(0, 0);
    ts[i]->running = tg_chan_make(0, 0);
    ts[i]->progress = c->progress;
    GO(watcher, ts[i]);
    tg_sleep(2 * MS);
  }
  for (int i = 0; i < 2; i++) { /* Release */
    tg_mutex_lock(&ts[i]->mu);
    tg_mutex_unlock(&ts[i]->mu);
    tg_chan_close(ts[i]->release);
    tg_chan_recv(ts[i]->running, NULL);
  }
  tg_chan_close(c->progress);
  tg_chan_recv(c->done, NULL);
}

static void kernel(void) { GO(test_transfer, NULL); }
