/* etcd#6873 (Mixed, Channel & Lock): stop holds the broadcasts' mutex while
 * it closes updatec and waits for the coalescing goroutine to finish; that
 * goroutine, busy with the last update, needs the mutex to coalesce it.
 * Fix: wait for donec after releasing the mutex. */
#include "goker.h"

struct wbs {
  tg_mutex mu;
  tg_chan *updatec, *donec;
};

static void coalescer(void *p) { /* G2 */
  struct wbs *w = p;
  while (tg_chan_recv(w->updatec, NULL)) {
    tg_sleep(10 * MS); /* stop takes the mutex meanwhile */
    tg_mutex_lock(&w->mu); /* coalesce */
    tg_mutex_unlock(&w->mu);
  }
  tg_chan_close(w->donec);
}

static void stop(void *p) { /* G3 */
  struct wbs *w = p;
  tg_sleep(5 * MS);
  tg_mutex_lock(&w->mu);
  tg_chan_close(w->updatec);
  if (fixed)
    tg_mutex_unlock(&w->mu);
  tg_chan_recv(w->donec, NULL);
  if (!fixed)
    tg_mutex_unlock(&w->mu);
}

static void g1(void *p) {
  (void)p;
  struct wbs *w = new0(sizeof *w);
  w->updatec = tg_chan_make(sizeof(int), 1);
  w->donec = tg_chan_make(0, 0);
  GO(coalescer, w);
  int wb = 1;
  tg_case cs[] = {TG_SEND(w->updatec, &wb)}; /* update */
  tg_select_nb(cs, 1);
  GO(stop, w);
}

static void kernel(void) { GO(g1, NULL); }
