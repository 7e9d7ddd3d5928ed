/* kubernetes#25331 (Communication, Channel & Context): on an error, the
 * watch channel's run cancels its own context and then sends the result on
 * resultChan, which nobody reads any more. Fix: run does not cancel, and
 * the send gives up when the context is done (Stop cancels it). */
#include "goker.h"

struct watch_chan {
  tg_ctx *ctx;
  tg_chan *result, *err;
};

static void run(void *p) { /* G1 */
  struct watch_chan *wc = p;
  int err;
  tg_case cs[] = {TG_RECV(wc->err, &err, NULL), TG_RECV(tg_ctx_done(wc->ctx), NULL, NULL)};
  if (tg_select(cs, 2) == 1)
    return;
  bool r = err != 0;
  if (fixed) {
    tg_case send[] = {TG_SEND(wc->result, &r), TG_RECV(tg_ctx_done(wc->ctx), NULL, NULL)};
    tg_select(send, 2);
    return;
  }
  tg_cancel(wc->ctx); /* removed by the fix */
  tg_chan_send(wc->result, &r);
}

static void stop(void *p) { /* G2 */
  struct watch_chan *wc = p;
  int err = 1;
  tg_chan_send(wc->err, &err);
  tg_cancel(wc->ctx);
}

static void kernel(void) {
  struct watch_chan *wc = new0(sizeof *wc);
  wc->ctx = tg_with_cancel(tg_background());
  wc->result = tg_chan_make(sizeof(bool), 0);
  wc->err = tg_chan_make(sizeof(int), 0);
  GO(run, wc);
  GO(stop, wc);
}
