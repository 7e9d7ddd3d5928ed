/* tg_check_leaks(), goleak's VerifyNone: after its grace period it reports
 * the goroutines still blocked (grouped by stack) and returns how many
 * goroutines other than the caller are alive. Three workers block on a
 * channel nobody sends on; `fixed`: the channel is closed first. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static void worker(void *p) { tg_chan_recv(p, NULL); }

int main(int argc, char **argv) {
  int fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_chan *c = tg_chan_make(0, 0);
  for (int i = 0; i < 3; i++)
    tg_go(worker, c);
  tg_sleep(20 * TG_MILLISECOND);
  if (fixed)
    tg_chan_close(c);
  int n = tg_check_leaks();
  printf("leaked: %d\n", n);
  if (!fixed)
    tg_chan_close(c); /* let them go before exit: the exit check stays quiet */
  tg_sleep(20 * TG_MILLISECOND);
  return 0;
}
