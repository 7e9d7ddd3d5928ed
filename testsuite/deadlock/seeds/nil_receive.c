/* Seed 001, "nil channels will deadlock": receiving from a nil channel
 * blocks forever. With main the only goroutine, that is Go's global
 * deadlock; the race build adds what the wait-for graph knows. */
#include <stdio.h>
#include <tangle.h>

int main(void) {
  tg_chan *data_stream = NULL;
  int v;
  tg_chan_recv(data_stream, &v);
  printf("unreachable\n");
  return 0;
}
