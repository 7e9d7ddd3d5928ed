/* TestNoRaceContext: a cancel happens before the receives on Done (and the
 * Err calls) that observe it. */
//! races: 0
//! stdout: result=11 err=1
#include "race_test.h"

static int result;

static void worker(void *arg) {
  tg_ctx *ctx = arg;
  result = 11;
  tg_cancel(ctx);
}

int main(void) {
  tg_ctx *ctx = tg_with_cancel(tg_background());
  tg_go(worker, ctx);
  CHECK(!tg_chan_recv(tg_ctx_done(ctx), NULL));
  printf("result=%d err=%d\n", result, tg_ctx_err(ctx));
  tg_ctx_release(ctx);
  return 0;
}
