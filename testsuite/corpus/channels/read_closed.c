/* Seed 001_3dfe1f1bcc3944a6.txt, "3 Go's Concurrency Building Blocks" >
 * "Channels": reading from a closed channel yields the zero value and
 * ok == false. */
#include <stdbool.h>
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *int_stream = tg_chan_make(sizeof(int), 0);
  tg_chan_close(int_stream);
  int integer = -1;
  bool ok = tg_chan_recv(int_stream, &integer);
  printf("(%s): %d\n", ok ? "true" : "false", integer);
  tg_chan_free(int_stream);
  return 0;
}
