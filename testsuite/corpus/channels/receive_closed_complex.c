/* Seed 002_86b5fec98460e5da.txt, "Receiving from a closed channel": a channel
 * of complex64 with capacity 10 is written twice, drained, closed, and read
 * again: the read returns the zero value, 0+0i. */
#include <complex.h>
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *will_close = tg_chan_make(sizeof(float complex), 10);
  /* Write some data to the channel */
  tg_chan_send(will_close, &(float complex){-1});
  tg_chan_send(will_close, &(float complex){1.0f * I});
  /* Read data and empty channel */
  tg_chan_recv(will_close, NULL);
  tg_chan_recv(will_close, NULL);
  tg_chan_close(will_close);
  /* Read again - this is a closed channel */
  float complex read = 42 + 42 * I;
  tg_chan_recv(will_close, &read);
  printf("(%g%+gi)\n", (double)crealf(read), (double)cimagf(read));
  tg_chan_free(will_close);
  return 0;
}
