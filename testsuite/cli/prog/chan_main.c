/* A race-free tangle program for the `tangle cc` tests: a producer goroutine
 * (chan_worker.c) sends 1..10 over an unbuffered channel, main sums them. */
#include <stdio.h>
#include <tangle.h>

void producer(void *arg);

int main(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  tg_go(producer, c);
  int v, sum = 0;
  while (tg_chan_recv(c, &v))
    sum += v;
  tg_chan_free(c);
#ifdef TANGLE_RACE
  const char *mode = "race";
#else
  const char *mode = "normal";
#endif
  printf("sum=%d mode=%s\n", sum, mode);
  return sum == 55 ? 0 : 1;
}
