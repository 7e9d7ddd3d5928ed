/* Seed 002_86b5fec98460e5da.txt, "Go channels revisited" > "Buffered
 * channels" (bufChannel.go): a channel of capacity 5 used as a queue of
 * requests. Sends go through a select with a default case, so the sixth and
 * later requests are turned away instead of blocking; then the queue is
 * drained the same way until a default says it is empty. One goroutine, so
 * the output is fully defined. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *numbers = tg_chan_make(sizeof(int), 5);
  int counter = 10;
  for (int i = 0; i < counter; i++) {
    int sq = i * i;
    tg_case cs[] = {TG_SEND(numbers, &sq)};
    switch (tg_select_nb(cs, 1)) {
    case 0: /* This is where the processing takes place */
      printf("About to process %d\n", i);
      break;
    default:
      printf("No space for %d ", i);
    }
  }
  printf("\n");
  for (;;) {
    int num;
    tg_case cs[] = {TG_RECV(numbers, &num, NULL)};
    switch (tg_select_nb(cs, 1)) {
    case 0:
      printf("*%d ", num);
      break;
    default:
      printf("Nothing left to read!\n");
      tg_chan_free(numbers);
      return 0;
    }
  }
}
