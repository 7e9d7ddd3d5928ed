/* Seed 001_3dfe1f1bcc3944a6.txt, "Channels" > tidbits: the goroutine that
 * owns a channel instantiates it, writes to it, closes it, and exposes only
 * the reading side. */
#include <stdio.h>
#include <tangle.h>

static void owner(void *arg) {
  tg_chan *result_stream = arg;
  for (int i = 0; i <= 5; i++)
    tg_chan_send(result_stream, &i);
  tg_chan_close(result_stream);
}

static tg_chan *chan_owner(void) {
  tg_chan *result_stream = tg_chan_make(sizeof(int), 5);
  tg_go(owner, result_stream);
  return result_stream;
}

int main(void) {
  tg_chan *result_stream = chan_owner();
  int result;
  while (tg_chan_recv(result_stream, &result))
    printf("Received: %d\n", result);
  printf("Done receiving!\n");
  tg_chan_free(result_stream);
  return 0;
}
