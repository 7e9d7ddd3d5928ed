/* grpc#660 (Communication, Channel): doCloseLoopUnary returns on stop
 * without draining `done`, so the goroutine of the last call blocks on its
 * send forever. Fix: `done` has room for the result (buffer of one). */
#include "goker.h"

static void call(void *p) { /* G2 */
  tg_chan *done = p;
  tg_sleep(10 * MS);
  bool ok = true;
  tg_chan_send(done, &ok);
}

static void close_loop_unary(void *p) { /* G1 */
  tg_chan *stop = p;
  for (;;) {
    tg_chan *done = tg_chan_make(sizeof(bool), fixed ? 1 : 0);
    GO(call, done);
    tg_case cs[] = {TG_RECV(stop, NULL, NULL), TG_RECV(done, NULL, NULL)};
    if (tg_select(cs, 2) == 0)
      return;
  }
}

static void stopper(void *p) { tg_chan_send(p, NULL); }

static void kernel(void) {
  tg_chan *stop = tg_chan_make(0, 0);
  GO(close_loop_unary, stop);
  GO(stopper, stop);
}
