/* Seed 003_fcee70af208933bf.txt, "8.4.4 Buffered Channels":
 *   ch := make(chan int, 3)
 *   ch <- 1 // does not block
 *   ch <- 2 // does not block
 *   ch <- 3 // does not block
 *   ch <- 4 // blocks until space is available
 * Run as a whole program, nothing ever makes space: the fourth send is a
 * global deadlock. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  tg_chan *ch = tg_chan_make(sizeof(int), 3);
  for (int v = 1; v <= 4; v++) {
    tg_chan_send(ch, &v);
    printf("sent %d, len %zu\n", v, tg_chan_len(ch));
  }
  return 0;
}
