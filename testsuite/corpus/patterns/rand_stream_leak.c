/* Seed 001_3dfe1f1bcc3944a6.txt, "Preventing Goroutine Leaks": a goroutine
 * blocked writing to a channel. newRandStream's producer keeps sending after
 * main has taken the three values it wanted, and nothing tells it to stop:
 * "newRandStream closure exited." is never printed. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static void producer(void *arg) {
  tg_chan *rand_stream = arg;
  for (;;) {
    long v = random();
    tg_chan_send(rand_stream, &v);
  }
  tg_chan_close(rand_stream); /* never reached */
  printf("newRandStream closure exited.\n");
}

static tg_chan *new_rand_stream(void) {
  tg_chan *rand_stream = tg_chan_make(sizeof(long), 0);
  tg_go(producer, rand_stream);
  return rand_stream;
}

int main(void) {
  tg_chan *rand_stream = new_rand_stream();
  printf("3 random ints:\n");
  for (int i = 1; i <= 3; i++) {
    long v;
    tg_chan_recv(rand_stream, &v);
    printf("%d: %ld\n", i, v);
  }
  tg_sleep(10 * TG_MILLISECOND);
  return 0;
}
