/* Seed 002 channels.go: main closes the channel while printer goroutines
 * may still be sending on it. Go reports the close racing with a send
 * (the send reads the channel, the close writes it). Here the printers
 * have all sent before main closes, so no send panics, but only the
 * receives main made order the sends they completed before the close. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_chan *ch;

static void printer(void *arg) {
  (void)arg;
  bool t = true;
  tg_chan_send(ch, &t);
}

int main(void) {
  ch = tg_chan_make(sizeof(bool), 5);
  for (int i = 0; i < 5; i++)
    tg_go(printer, NULL);
  tg_yield(); /* let the printers run: their sends fill the buffer */
  int n = 0;
  bool v;
  while (n < 3 && tg_chan_recv(ch, &v)) /* three receives: three sends ordered */
    n++;
  printf("n: %d\n", n);
  tg_chan_close(ch); /* races with the two sends nobody received */
  while (tg_chan_recv(ch, &v))
    ;
  return 0;
}
