/* Seed 001_3dfe1f1bcc3944a6.txt, "Channels": "nil channels will deadlock".
 * A receive from a nil channel blocks forever; with no other goroutine the
 * runtime reports the global deadlock, naming main's wait reason. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *data_stream = NULL; /* var dataStream chan interface{} */
  void *v;
  tg_chan_recv(data_stream, &v);
  printf("unreachable\n");
  return 0;
}
