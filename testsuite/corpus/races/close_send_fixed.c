/* The twin from the seed: a single goroutine sends and then closes, so
 * every send happens before the close in program order. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_chan *ch;

static void printer(void *arg) {
  int times = (int)(long)arg;
  for (int i = 0; i < times; i++) {
    bool t = true;
    tg_chan_send(ch, &t);
  }
  tg_chan_close(ch);
}

int main(void) {
  ch = tg_chan_make(sizeof(bool), 1);
  tg_go(printer, (void *)5L);
  int n = 0;
  bool v;
  while (tg_chan_recv(ch, &v))
    n++;
  printf("received %d\n", n);
  return 0;
}
