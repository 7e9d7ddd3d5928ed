/* Seed 004_f52ba9338e6e024e.txt, "CONTEXT PACKAGE":
 *   deadline := time.Now().Add(5 * time.Millisecond)
 *   ctx, cancel := context.WithDeadline(context.Background, deadline)
 *   defer cancel()
 * "The done channel is closed when the machine's clock advances past the
 * given deadline." Completed as in the context package's own example: a 1 s
 * piece of work loses to the 5 ms deadline. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  int64_t deadline = tg_now() + 5 * TG_MILLISECOND;
  tg_ctx *ctx = tg_with_deadline(tg_background(), deadline);
  int64_t d = 0;
  printf("deadline set: %s\n", tg_ctx_deadline(ctx, &d) && d == deadline ? "yes" : "no");
  tg_case cs[] = {TG_AFTER(TG_SECOND), TG_RECV(tg_ctx_done(ctx), NULL, NULL)};
  switch (tg_select(cs, 2)) {
  case 0:
    printf("overslept\n");
    break;
  case 1:
    printf("%s\n", tg_ctx_err(ctx) == TG_DEADLINE_EXCEEDED ? "context deadline exceeded" : "?");
    break;
  }
  printf("past the deadline: %s\n", tg_now() >= deadline ? "yes" : "no");
  tg_ctx_release(ctx); /* defer cancel() */
  return 0;
}
