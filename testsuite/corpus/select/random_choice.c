/* Seed 001_3dfe1f1bcc3944a6.txt, "select": the Go spec quoted there, "If one
 * or more of the communications can proceed, a single one that can proceed is
 * chosen via a uniform pseudo-random selection". The book's demonstration:
 * two closed channels, always both ready, 1001 selects. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *c1 = tg_chan_make(sizeof(void *), 0);
  tg_chan_close(c1);
  tg_chan *c2 = tg_chan_make(sizeof(void *), 0);
  tg_chan_close(c2);
  int c1_count = 0, c2_count = 0;
  for (int i = 1000; i >= 0; i--) {
    tg_case cs[] = {TG_RECV(c1, NULL, NULL), TG_RECV(c2, NULL, NULL)};
    switch (tg_select(cs, 2)) {
    case 0:
      c1_count++;
      break;
    case 1:
      c2_count++;
      break;
    }
  }
  printf("c1Count: %d\nc2Count: %d\n", c1_count, c2_count);
  printf("total: %d\n", c1_count + c2_count);
  tg_chan_free(c1);
  tg_chan_free(c2);
  return 0;
}
