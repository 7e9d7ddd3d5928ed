/* TestRaceContext: a write after the cancel is not ordered before the
 * reader woken by Done. */
//! races: 1
//! stderr: worker\(\)
#include "race_test.h"

static int result;
static tg_chan *finished;

static void worker(void *arg) {
  tg_ctx *ctx = arg;
  tg_cancel(ctx);
  result = 11; /* after the cancel */
  tg_chan_send(finished, &(int){1});
}

int main(void) {
  finished = tg_chan_make(sizeof(int), 1);
  tg_ctx *ctx = tg_with_cancel(tg_background());
  tg_go(worker, ctx);
  CHECK(!tg_chan_recv(tg_ctx_done(ctx), NULL));
  int v = result;
  int x;
  tg_chan_recv(finished, &x);
  printf("result=%d\n", v);
  tg_ctx_release(ctx);
  return 0;
}
