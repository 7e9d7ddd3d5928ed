/* moby#33781 (Communication, Channel & Context): the health monitor's probe
 * goroutine reports on an unbuffered `results`; when the monitor is stopped
 * meanwhile it returns without draining it, and the probe blocks forever.
 * Fix: `results` has room for the one result. */
#include "goker.h"

static void probe(void *p) { /* G3 */
  tg_chan *results = p;
  tg_sleep(30 * MS); /* the probe is slower than the stop */
  bool v = true;
  tg_chan_send(results, &v);
  tg_chan_close(results);
}

static void monitor(void *p) { /* G1 */
  tg_chan *stop = p;
  for (;;) {
    tg_case cs[] = {TG_RECV(stop, NULL, NULL), TG_AFTER(TG_MILLISECOND)};
    if (tg_select(cs, 2) == 0)
      return;
    tg_chan *results = tg_chan_make(sizeof(bool), fixed ? 1 : 0);
    tg_ctx *ctx = tg_with_timeout(tg_background(), 50 * MS);
    GO(probe, results);
    tg_case wait[] = {TG_RECV(stop, NULL, NULL), TG_RECV(results, NULL, NULL),
                      TG_RECV(tg_ctx_done(ctx), NULL, NULL)};
    int i = tg_select(wait, 3);
    tg_ctx_release(ctx); /* cancelProbe() */
    if (i == 0)
      return; /* results should be drained here */
    if (i == 2)
      tg_chan_recv(results, NULL);
  }
}

static void stopper(void *p) { /* G2 */
  tg_sleep(10 * MS); /* after the first probe started */
  bool v = true;
  tg_chan_send(p, &v);
}

static void kernel(void) {
  tg_chan *stop = tg_chan_make(sizeof(bool), 0);
  GO(monitor, stop);
  GO(stopper, stop);
}
