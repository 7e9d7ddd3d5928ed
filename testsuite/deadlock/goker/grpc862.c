/* grpc#862 (Communication, Channel & Context): when the dial's context is
 * canceled before it returns a connection, DialContext does not close the
 * ClientConn, and resetAddrConn's goroutine waits on the conn's context
 * forever. Fix: close the ClientConn in that case too. */
#include "goker.h"

struct client_conn {
  tg_ctx *ctx;
};

static void reset_addr_conn(void *p) { /* G2 */
  struct client_conn *cc = p;
  tg_ctx *ac = tg_with_cancel(cc->ctx);
  tg_ctx *attempt = tg_with_timeout(ac, 10); /* resetTransport */
  tg_ctx_release(attempt);
  tg_chan_recv(tg_ctx_done(ac), NULL);
  tg_ctx_release(ac);
}

static void dial_context(void *p) { /* G1 */
  tg_ctx *ctx = p;
  struct client_conn *cc = new0(sizeof *cc);
  cc->ctx = tg_with_cancel(tg_background());
  GO(reset_addr_conn, cc);
  tg_chan_recv(tg_ctx_done(ctx), NULL); /* the caller gave up */
  /* deferred: conn is nil, so it is not closed */
  if (fixed)
    tg_cancel(cc->ctx); /* cc.Close() */
}

static void canceller(void *p) {
  tg_sleep(5 * MS);
  tg_cancel(p);
}

static void kernel(void) {
  tg_ctx *ctx = tg_with_cancel(tg_background());
  GO(dial_context, ctx);
  GO(canceller, ctx);
}
