/* cockroach#13197 (Communication, Channel & Context): begin starts
 * awaitDone, which waits for the transaction's context; the caller returns
 * without Rollback, so nothing cancels it. Fix: the transaction is rolled
 * back (its context canceled) when done with. */
#include "goker.h"

struct tx {
  tg_ctx *ctx;
};

static void await_done(void *p) { /* G2 */
  struct tx *tx = p;
  tg_chan_recv(tg_ctx_done(tx->ctx), NULL);
}

static struct tx *begin(tg_ctx *parent) {
  struct tx *tx = new0(sizeof *tx);
  tx->ctx = tg_with_cancel(parent);
  GO(await_done, tx);
  return tx;
}

static void kernel(void) {
  struct tx *tx = begin(tg_background());
  if (fixed)
    tg_cancel(tx->ctx); /* Rollback */
}
