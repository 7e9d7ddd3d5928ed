/* kubernetes#5316 (Communication, Channel): finishRequest returns on its
 * timeout, and the goroutine running fn then blocks forever sending its
 * result on an unbuffered channel. Fix: the result channels have room for
 * the one result. */
#include "goker.h"

struct request {
  tg_chan *ch, *err_ch;
};

static void run_fn(void *p) { /* G2 */
  struct request *r = p;
  tg_sleep(20 * MS); /* fn(), slower than the 1 us timeout */
  bool ok = true;
  tg_chan_send(r->ch, &ok);
}

static void finish_request(void *p) { /* G1 */
  (void)p;
  struct request *r = new0(sizeof *r);
  r->ch = tg_chan_make(sizeof(bool), fixed ? 1 : 0);
  r->err_ch = tg_chan_make(sizeof(int), fixed ? 1 : 0);
  GO(run_fn, r);
  tg_case cs[] = {TG_RECV(r->ch, NULL, NULL), TG_RECV(r->err_ch, NULL, NULL),
                  TG_AFTER(TG_MICROSECOND)};
  tg_select(cs, 3);
}

static void kernel(void) { GO(finish_request, NULL); }
