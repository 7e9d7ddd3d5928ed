/* Seed 003_fcee70af208933bf.txt, "Guidelines for closing channels" > Panic
 * Handling: "sending on a closed channel will cause a panic" (also 002,
 * "if you send a message to a closed channel, the program panics"). The send
 * panics even though the buffer has room. The panicking goroutine is not main:
 * the whole program still dies. */
#include <stdio.h>
#include <tangle.h>

static void sender(void *arg) {
  tg_chan *ch = arg;
  tg_chan_send(ch, &(int){1});
  printf("sent on a closed channel\n");
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  tg_chan *ch = tg_chan_make(sizeof(int), 4);
  tg_chan_close(ch);
  printf("closed\n");
  tg_go(sender, ch);
  tg_sleep(10 * TG_SECOND); /* the panic ends the program long before */
  printf("main woke up\n");
  return 0;
}
