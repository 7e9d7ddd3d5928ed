/* Seed 002_86b5fec98460e5da.txt, "The Go race detector": the fix for
 * channels.go. A single goroutine sends `times` values and then closes the
 * channel, so there is nothing to race; range exits on close, and later
 * receives return the zero value (false) at once. */
#include <stdbool.h>
#include <stdio.h>
#include <tangle.h>

static void printer(void *arg) {
  tg_chan *ch = arg;
  for (int i = 0; i < 5; i++)
    tg_chan_send(ch, &(bool){true});
  tg_chan_close(ch);
}

int main(void) {
  tg_chan *ch = tg_chan_make(sizeof(bool), 0); /* unbuffered */
  tg_go(printer, ch);
  bool val;
  while (tg_chan_recv(ch, &val))
    printf("%s ", val ? "true" : "false");
  printf("\n");
  for (int i = 0; i < 15; i++) {
    val = true;
    tg_chan_recv(ch, &val);
    printf("%s ", val ? "true" : "false");
  }
  printf("\n");
  tg_chan_free(ch);
  return 0;
}
