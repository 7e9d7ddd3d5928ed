/* Seed 002_86b5fec98460e5da.txt, "Channels" > "Writing to and reading from a
 * channel" (channels.go, second half), kept with its bug: five goroutines
 * send true on an unbuffered channel, main takes three and closes the channel
 * while the other two printers are still sending. "if we run channels.go
 * multiple times, it might crash": a sender parked on a channel that gets
 * closed panics with "send on closed channel" - unless main prints its five
 * zero values and exits first. Either outcome is Go's behaviour; the race build
 * (see "The Go race detector" in the same seed) reports the close racing with
 * the sends. */
#include <stdbool.h>
#include <stdio.h>
#include <tangle.h>

static void printer(void *arg) {
  tg_chan *ch = arg;
  tg_chan_send(ch, &(bool){true});
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* a panic may end the program at any line */
  tg_chan *ch = tg_chan_make(sizeof(bool), 0);
  for (int i = 0; i < 5; i++)
    tg_go(printer, ch);
  /* IMPORTANT: as the channel is not closed, the range loop does not exit on
   * its own. */
  int n = 0;
  bool i;
  while (tg_chan_recv(ch, &i)) {
    printf("%s\n", i ? "true" : "false");
    if (i)
      n++;
    if (n > 2) {
      printf("n: %d\n", n);
      tg_chan_close(ch);
      break;
    }
  }
  for (int k = 0; k < 5; k++) {
    tg_chan_recv(ch, &i);
    printf("%s\n", i ? "true" : "false");
  }
  return 0;
}
