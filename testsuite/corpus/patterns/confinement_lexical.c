/* Seed 001_3dfe1f1bcc3944a6.txt, "confinement": lexical confinement. Only
 * chan_owner's goroutine can write `results`; the consumer is handed the
 * reading side only. C has no receive-only channel type, so the confinement
 * lives in the structure of the code, as the comments of the seed describe. */
#include <stdio.h>
#include <tangle.h>

static void writer(void *arg) {
  tg_chan *results = arg;
  for (int i = 0; i <= 5; i++)
    tg_chan_send(results, &i);
  tg_chan_close(results);
}

static tg_chan *chan_owner(void) {
  tg_chan *results = tg_chan_make(sizeof(int), 5);
  tg_go(writer, results);
  return results;
}

static void consumer(tg_chan *results /* <-chan int */) {
  int result;
  while (tg_chan_recv(results, &result))
    printf("Received: %d\n", result);
  printf("Done receiving!\n");
}

int main(void) {
  tg_chan *results = chan_owner();
  consumer(results);
  tg_chan_free(results);
  return 0;
}
