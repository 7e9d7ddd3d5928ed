/* kubernetes#1321 (Mixed, Channel & Lock): the mux's distribute holds
 * m.lock while it sends on a watcher's result channel; the watcher's Stop,
 * which would close that channel, needs m.lock first. Fix: a per-watcher
 * stop channel, closed without the lock, ends the pending send. */
#include "goker.h"

struct watcher {
  tg_chan *result, *stopped;
};

struct mux {
  tg_mutex lock;
  struct watcher *w; /* one watcher at most */
};

static void distribute(struct mux *m) {
  tg_mutex_lock(&m->lock);
  struct watcher *w = m->w;
  if (w) {
    if (fixed) {
      tg_case cs[] = {TG_SEND(w->result, NULL), TG_RECV(w->stopped, NULL, NULL)};
      tg_select(cs, 2);
    } else {
      tg_chan_send(w->result, NULL);
    }
  }
  tg_mutex_unlock(&m->lock);
}

static void loop(void *p) { /* G2 */
  for (int i = 0; i < 20; i++) {
    distribute(p);
    tg_sleep(1 * MS);
  }
}

static void stop_watching(struct mux *m, struct watcher *w) {
  if (fixed)
    tg_chan_close(w->stopped);
  tg_mutex_lock(&m->lock);
  if (m->w == w) {
    m->w = NULL;
    tg_chan_close(w->result);
  }
  tg_mutex_unlock(&m->lock);
}

static void test_mux_watcher_close(void *p) { /* G1 */
  (void)p;
  struct mux *m = new0(sizeof *m);
  GO(loop, m);
  struct watcher *w = new0(sizeof *w);
  w->result = tg_chan_make(0, 0);
  w->stopped = tg_chan_make(0, 0);
  tg_mutex_lock(&m->lock); /* Watch */
  m->w = w;
  tg_mutex_unlock(&m->lock);
  tg_sleep(5 * MS);
  stop_watching(m, w);
}

static void kernel(void) { GO(test_mux_watcher_close, NULL); }
