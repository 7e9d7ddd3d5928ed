/* Seed 003_fcee70af208933bf.txt, "8.4.1 Unbuffered Channels" >
 * "Synchronization with Unbuffered Channels": main blocks on <-done until the
 * goroutine has printed, so "Hello, World!" is always printed. */
#include <stdio.h>
#include <tangle.h>

static void hello(void *arg) {
  tg_chan *done = arg;
  printf("Hello, World!\n");
  tg_chan_send(done, &(char){0}); /* done <- struct{}{} */
}

int main(void) {
  tg_chan *done = tg_chan_make(0, 0); /* chan struct{}: zero-size elements */
  tg_go(hello, done);
  tg_chan_recv(done, NULL);
  tg_chan_free(done);
  return 0;
}
