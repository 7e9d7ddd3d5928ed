/* Seed 003_fcee70af208933bf.txt, "Guidelines for closing channels" >
 * Idempotency: "Multiple calls to close will panic, so it should only be
 * closed once" (also 002, "a channel can be closed only once"). */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  tg_chan *ch = tg_chan_make(sizeof(int), 0);
  tg_chan_close(ch);
  printf("closed once\n");
  tg_chan_close(ch);
  printf("closed twice\n");
  return 0;
}
