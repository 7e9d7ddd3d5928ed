/* Seed 002_86b5fec98460e5da.txt, "The context package" (useContext.go): f1,
 * f2 and f3 each race a context (WithCancel, WithTimeout of t, WithDeadline
 * of 2t) against time.After(t), while a goroutine cancels the context after
 * 4 s. The delay t comes from the command line, in "seconds" of 100 ms here.
 *
 * With t = 1: f1 and f3 time out on time.After; f2's timeout and time.After
 * both fire at t, so either may win (as in Go). With t = 6: the goroutine's
 * cancel at 4 comes first in all three.
 *
 * `defer cancel()` is tg_ctx_release. In Go the canceling goroutine may call
 * cancel() after f has returned, which is harmless there; in C the context
 * is gone by then, so the goroutine gives up its cancel once f returns. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

#define UNIT (100 * TG_MILLISECOND) /* one of the seed's seconds */

static const char *err_string(int err) {
  return err == TG_CANCELED            ? "context canceled"
         : err == TG_DEADLINE_EXCEEDED ? "context deadline exceeded"
                                       : "<nil>";
}

struct canceler {
  tg_ctx *ctx;
  tg_chan *returned, *exited;
};

static void cancel_after_4(void *arg) {
  struct canceler *c = arg;
  tg_case cs[] = {TG_AFTER(4 * UNIT), TG_RECV(c->returned, NULL, NULL)};
  if (tg_select(cs, 2) == 0)
    tg_cancel(c->ctx); /* time.Sleep(4 * time.Second); cancel() */
  tg_chan_close(c->exited);
}

/* The body shared by f1, f2 and f3. */
static void race(const char *name, tg_ctx *ctx, int t) {
  struct canceler c = {ctx, tg_chan_make(0, 0), tg_chan_make(0, 0)};
  tg_go(cancel_after_4, &c);
  tg_chan *after = tg_after(t * UNIT);
  int64_t r;
  tg_case cs[] = {TG_RECV(tg_ctx_done(ctx), NULL, NULL), TG_RECV(after, &r, NULL)};
  if (tg_select(cs, 2) == 0)
    printf("%s Done: %s\n", name, err_string(tg_ctx_err(ctx)));
  else
    printf("%s: %lld\n", name, (long long)r);
  tg_chan_free(after);
  tg_chan_close(c.returned);
  tg_chan_recv(c.exited, NULL);
  tg_ctx_release(ctx); /* defer cancel() */
  tg_chan_free(c.returned);
  tg_chan_free(c.exited);
}

static void f1(int t) {
  race("f1()", tg_with_cancel(tg_background()), t);
}

static void f2(int t) {
  race("f2()", tg_with_timeout(tg_background(), t * UNIT), t);
}

static void f3(int t) {
  int64_t deadline = tg_now() + 2 * t * UNIT;
  race("f3()", tg_with_deadline(tg_background(), deadline), t);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    printf("Need a delay!\n");
    return 0;
  }
  int delay = atoi(argv[1]);
  printf("Delay: %d\n", delay);
  f1(delay);
  f2(delay);
  f3(delay);
  return 0;
}
