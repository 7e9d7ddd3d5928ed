/* grpc#1424 (Communication, Channel): DialContext's goroutine waits on
 * doneChan for the balancer watcher, which returns when the address
 * channel is closed without ever closing doneChan. Fix: lbWatcher closes
 * it when it returns. */
#include "goker.h"

struct conn {
  tg_chan *addr_ch, *done;
};

static void lb_watcher(void *p) { /* G3 */
  struct conn *cc = p;
  bool addr;
  while (tg_chan_recv(cc->addr_ch, &addr)) {
  }
  if (fixed)
    tg_chan_close(cc->done);
}

static void dialer(void *p) { /* G2 */
  struct conn *cc = p;
  cc->done = tg_chan_make(0, 0);
  GO(lb_watcher, cc);
  tg_chan_recv(cc->done, NULL);
}

static void dial_context(void *p) { /* G1 */
  (void)p;
  struct conn *cc = new0(sizeof *cc);
  cc->addr_ch = tg_chan_make(sizeof(bool), 0);
  GO(dialer, cc);
  tg_chan_close(cc->addr_ch);
}

static void kernel(void) { GO(dial_context, NULL); }
