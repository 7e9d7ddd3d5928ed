/* Seed 001_3dfe1f1bcc3944a6.txt, "select" > sample layout, and 004 "Select
 * on a nil channel will block forever": c1, c2 and c3 are declared but never
 * made, so all three are nil and no case can ever proceed. With nothing else
 * running, the runtime reports the global deadlock. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *c1 = NULL, *c2 = NULL; /* var c1, c2 <-chan interface{} */
  tg_chan *c3 = NULL;             /* var c3 chan<- interface{} */
  void *v, *token = NULL;
  tg_case cs[] = {TG_RECV(c1, &v, NULL), TG_RECV(c2, &v, NULL), TG_SEND(c3, &token)};
  switch (tg_select(cs, 3)) {
  default:
    printf("unreachable\n"); /* Do something */
  }
  return 0;
}
