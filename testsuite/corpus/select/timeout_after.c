/* Seed 001_3dfe1f1bcc3944a6.txt, "select": "this is how you timeout
 * channels". c is nil, so only the time.After case can fire. TG_AFTER is the
 * allocation-free form of `case <-time.After(d)`; the seed's 1 s is 100 ms
 * here. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *c = NULL; /* var c <-chan int */
  int64_t start = tg_now();
  tg_case cs[] = {TG_RECV(c, NULL, NULL), TG_AFTER(100 * TG_MILLISECOND)};
  switch (tg_select(cs, 2)) {
  case 0:
    printf("received from a nil channel?\n");
    break;
  case 1:
    printf("Timed out.\n");
    break;
  }
  /* A timer never fires early. */
  printf("waited at least 100ms: %s\n", tg_now() - start >= 100 * TG_MILLISECOND ? "yes" : "no");
  return 0;
}
