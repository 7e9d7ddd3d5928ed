/* moby#27782 (Communication, Channel & Condition Variable): the container's
 * log reader is told to close before it starts following; it then calls
 * the file watcher's Remove, which waits on a Cond nobody will broadcast,
 * and the watcher's event reader blocks sending an event nobody reads (its
 * done channel is closed only by the deferred Close that never runs). Fix:
 * on close, the reader closes the file watcher instead of waiting in
 * Remove. */
#include "goker.h"

struct watcher {
  tg_chan *events, *done;
  tg_mutex mu;
  tg_cond cv;
};

static void read_events(void *p) { /* G3 */
  struct watcher *w = p;
  tg_sleep(10 * MS);
  for (;;) {
    tg_case closed[] = {TG_RECV(w->done, NULL, NULL)};
    if (tg_select_nb(closed, 1) == 0)
      break;
    int ev = 2; /* a Write event: not ignored, no broadcast */
    tg_case cs[] = {TG_SEND(w->events, &ev), TG_RECV(w->done, NULL, NULL)};
    if (tg_select(cs, 2) == 1)
      break;
  }
  tg_chan_close(w->events);
}

static void remove_watch(struct watcher *w) {
  tg_mutex_lock(&w->mu);
  for (;;) /* exists stays true */
    tg_cond_wait(&w->cv);
}

struct logger {
  tg_mutex mu;
  tg_chan *close_notifier;
};

static void read_logs(void *p) { /* G2 */
  struct logger *l = p;
  tg_sleep(5 * MS); /* the container is reset first */
  tg_mutex_lock(&l->mu);
  struct watcher *w = new0(sizeof *w); /* followLogs -> watchFile */
  w->events = tg_chan_make(sizeof(int), 0);
  w->done = tg_chan_make(0, 0);
  tg_cond_init(&w->cv, &w->mu);
  GO(read_events, w);
  tg_case cs[] = {TG_RECV(w->events, NULL, NULL), TG_RECV(l->close_notifier, NULL, NULL)};
  if (tg_select(cs, 2) == 1 && !fixed)
    remove_watch(w);
  tg_chan_close(w->done); /* defer fileWatcher.Close() */
  tg_mutex_unlock(&l->mu);
}

static void initialize_stdio(void *p) { /* G1 */
  (void)p;
  struct logger *l = new0(sizeof *l);
  l->close_notifier = tg_chan_make(0, 0);
  GO(read_logs, l); /* startLogging -> ReadLogs, which fails: */
  tg_mutex_lock(&l->mu); /* Reset -> LogDriver.Close */
  tg_chan_close(l->close_notifier);
  tg_mutex_unlock(&l->mu);
}

static void kernel(void) { GO(initialize_stdio, NULL); }
