/* Seed 001_3dfe1f1bcc3944a6.txt, "select": "we can also have default
 * behaviour if no channels are ready". Both channels are nil, so the default
 * case runs at once. tg_select_nb is the select with a default case. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  int64_t start = tg_now();
  tg_chan *c1 = NULL, *c2 = NULL; /* var c1, c2 <-chan int */
  tg_case cs[] = {TG_RECV(c1, NULL, NULL), TG_RECV(c2, NULL, NULL)};
  switch (tg_select_nb(cs, 2)) {
  case 0:
  case 1:
    printf("a nil channel was ready?\n");
    break;
  default:
    printf("In default after %lldns\n\n", (long long)(tg_now() - start));
  }
  return 0;
}
