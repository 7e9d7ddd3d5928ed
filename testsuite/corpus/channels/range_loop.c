/* Seed 001_3dfe1f1bcc3944a6.txt, "Channels": ranging over a channel. The
 * producer closes intStream when done; `for integer := range intStream`
 * becomes `while (tg_chan_recv(...))`, which ends when the channel is closed
 * and drained. */
#include <stdio.h>
#include <tangle.h>

static void producer(void *arg) {
  tg_chan *int_stream = arg;
  for (int i = 1; i <= 5; i++)
    tg_chan_send(int_stream, &i);
  tg_chan_close(int_stream); /* defer close(intStream) */
}

int main(void) {
  tg_chan *int_stream = tg_chan_make(sizeof(int), 0);
  tg_go(producer, int_stream);
  int integer;
  while (tg_chan_recv(int_stream, &integer))
    printf("%d ", integer);
  printf("\n");
  tg_chan_free(int_stream);
  return 0;
}
