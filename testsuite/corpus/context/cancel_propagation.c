/* Seed 004_f52ba9338e6e024e.txt, "CONTEXT PACKAGE": each request's goroutines
 * inherit its context; when the request is cancelled "we need all the spun
 * routines to stop as quickly as possible", and "the cancel function closes
 * the done channel". A request context with three goroutines below it, each
 * on its own derived context (a timeout of an hour, a value, a cancel under
 * the value): cancelling the request stops all three, with the parent's
 * reason. */
#include <stdio.h>
#include <tangle.h>

struct handler {
  const char *name;
  tg_ctx *ctx;
  int err; /* written by the handler before it signals `stopped` */
  tg_chan *stopped;
};

static void handle(void *arg) {
  struct handler *h = arg;
  tg_chan_recv(tg_ctx_done(h->ctx), NULL); /* <-ctx.Done() */
  h->err = tg_ctx_err(h->ctx);
  tg_chan_close(h->stopped);
}

int main(void) {
  static const char user_key = 0;
  tg_ctx *request = tg_with_cancel(tg_background());
  tg_ctx *with_value = tg_with_value(request, &user_key, "gopher");
  struct handler hs[] = {
      {"database query", tg_with_timeout(request, 3600 * TG_SECOND), 0, tg_chan_make(0, 0)},
      {"rpc call", with_value, 0, tg_chan_make(0, 0)},
      {"logger", tg_with_cancel(with_value), 0, tg_chan_make(0, 0)},
  };
  for (int i = 0; i < 3; i++)
    tg_go(handle, &hs[i]);
  tg_yield();
  printf("before cancel: err %d, value %s\n", tg_ctx_err(hs[2].ctx),
         (const char *)tg_ctx_value(hs[2].ctx, &user_key));
  tg_cancel(request);
  for (int i = 0; i < 3; i++) {
    tg_chan_recv(hs[i].stopped, NULL);
    printf("%s stopped: %s\n", hs[i].name, hs[i].err == TG_CANCELED ? "context canceled" : "?");
  }
  tg_ctx_release(hs[2].ctx);
  tg_ctx_release(hs[0].ctx);
  tg_ctx_release(with_value);
  tg_ctx_release(request);
  return 0;
}
