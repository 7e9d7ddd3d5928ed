/* cockroach#13755 (Communication, Channel & Context): initContextClose
 * starts awaitDone on a context only Rows.Close cancels; the rows are never
 * closed. Fix: close them. */
#include "goker.h"

struct rows {
  tg_ctx *ctx;
};

static void await_done(void *p) {
  struct rows *rs = p;
  tg_chan_recv(tg_ctx_done(rs->ctx), NULL);
  tg_cancel(rs->ctx); /* rs.close(ctx.Err()) */
}

static void kernel(void) {
  struct rows *rs = new0(sizeof *rs);
  rs->ctx = tg_with_cancel(tg_background());
  GO(await_done, rs);
  if (fixed)
    tg_cancel(rs->ctx); /* rows.Close() */
}
