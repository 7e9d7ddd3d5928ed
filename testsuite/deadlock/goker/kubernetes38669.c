/* kubernetes#38669 (Communication, Channel): the cache watcher's process
 * sends its initial events on `result` before it looks at `input`; nobody
 * reads `result`, and Stop only closes `input`, so process blocks on the
 * first send forever. Fix: the send also ends when the watcher stops. */
#include "goker.h"

struct watcher {
  tg_mutex mu;
  tg_chan *input, *result, *done;
  bool stopped;
};

static void send_event(struct watcher *c, int ev) {
  if (fixed) {
    tg_case cs[] = {TG_SEND(c->result, &ev), TG_RECV(c->done, NULL, NULL)};
    tg_select(cs, 2);
  } else {
    tg_chan_send(c->result, &ev);
  }
}

static void stop(struct watcher *c) {
  tg_mutex_lock(&c->mu);
  if (!c->stopped) {
    c->stopped = true;
    tg_chan_close(c->input);
    tg_chan_close(c->done);
  }
  tg_mutex_unlock(&c->mu);
}

static void process(void *p) {
  struct watcher *c = p;
  for (int ev = 1; ev <= 2; ev++) /* initEvents */
    send_event(c, ev);
  while (tg_chan_recv(c->input, NULL)) {
  }
  stop(c);
  tg_chan_close(c->result);
}

static void g(void *p) {
  (void)p;
  struct watcher *w = new0(sizeof *w);
  w->input = tg_chan_make(sizeof(int), 0);
  w->result = tg_chan_make(sizeof(int), 0);
  w->done = tg_chan_make(0, 0);
  GO(process, w);
  stop(w);
}

static void kernel(void) { GO(g, NULL); }
