/* Seed 004_f52ba9338e6e024e.txt, "CHANNELS" > Channel Ownership: "The default
 * value of a channel is nil", and among what ownership avoids, "Deadlocking
 * by writting to a nil channel". A send on a nil channel blocks forever; a
 * goroutine doing it while main waits for it is a global deadlock. */
#include <stdio.h>
#include <tangle.h>

static void writer(void *arg) {
  tg_chan *done = arg;
  tg_chan *ch = NULL; /* var ch chan int: never made */
  tg_chan_send(ch, &(int){1});
  tg_chan_close(done);
}

int main(void) {
  tg_chan *done = tg_chan_make(0, 0);
  tg_go(writer, done);
  tg_chan_recv(done, NULL);
  printf("unreachable\n");
  return 0;
}
