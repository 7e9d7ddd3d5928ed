/* cockroach#10790 (Communication, Channel & Context): beginCmds receives
 * from each of the replica's channels, or, when the context is done, hands
 * the draining of all of them to a goroutine; but sendChans gives up on a
 * done context too, so that goroutine waits for a send that never comes.
 * Fix: the drainer gives up with the context as well. The port forces the
 * interleaving: the cancel comes between the two exchanges. */
#include "goker.h"

struct replica {
  tg_chan *chans[2];
  tg_ctx *ctx;
};

static void drainer(void *p) { /* G3 */
  struct replica *r = p;
  for (int i = 0; i < 2; i++) {
    if (fixed) {
      tg_case cs[] = {TG_RECV(r->chans[i], NULL, NULL), TG_RECV(tg_ctx_done(r->ctx), NULL, NULL)};
      if (tg_select(cs, 2) == 1)
        return;
    } else {
      tg_chan_recv(r->chans[i], NULL);
    }
  }
}

static void begin_cmds(void *p) { /* G1 */
  struct replica *r = p;
  for (int i = 0; i < 2; i++) {
    tg_case cs[] = {TG_RECV(r->chans[i], NULL, NULL), TG_RECV(tg_ctx_done(r->ctx), NULL, NULL)};
    if (tg_select(cs, 2) == 1) {
      GO(drainer, r);
      return;
    }
  }
}

static void send_chans(void *p) { /* helper */
  struct replica *r = p;
  for (int i = 0; i < 2; i++) {
    if (i == 1)
      tg_sleep(30 * MS); /* the cancel comes first */
    bool v = true;
    tg_case cs[] = {TG_SEND(r->chans[i], &v), TG_RECV(tg_ctx_done(r->ctx), NULL, NULL)};
    if (tg_select(cs, 2) == 1)
      return;
  }
}

static void canceller(void *p) { /* G2 */
  struct replica *r = p;
  tg_sleep(10 * MS);
  tg_cancel(r->ctx);
}

static void kernel(void) {
  struct replica *r = new0(sizeof *r);
  r->chans[0] = tg_chan_make(sizeof(bool), 0);
  r->chans[1] = tg_chan_make(sizeof(bool), 0);
  r->ctx = tg_with_cancel(tg_background());
  GO(send_chans, r);
  GO(begin_cmds, r);
  GO(canceller, r);
}
