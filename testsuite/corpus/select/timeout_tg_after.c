/* Seed 001_3dfe1f1bcc3944a6.txt, "select": the timeout again, this time with
 * the channel form, tg_after (Go's time.After): a channel that receives the
 * fire time once. The caller frees it, which also stops its timer. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *c = NULL; /* var c <-chan int */
  int64_t start = tg_now();
  tg_chan *after = tg_after(100 * TG_MILLISECOND);
  int64_t fired = 0;
  bool ok = false;
  tg_case cs[] = {TG_RECV(c, NULL, NULL), TG_RECV(after, &fired, &ok)};
  if (tg_select(cs, 2) == 1)
    printf("Timed out.\n");
  printf("ok: %s, fire time after start + 100ms: %s\n", ok ? "true" : "false",
         fired >= start + 100 * TG_MILLISECOND ? "yes" : "no");
  tg_chan_free(after);
  /* A timer stopped before it fires sends nothing. */
  tg_chan *unused = tg_after(TG_SECOND);
  tg_chan_free(unused);
  return 0;
}
