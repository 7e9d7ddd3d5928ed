/* The twin of data_increment_race: main reads data only after the
 * goroutine's send, which happens before the receive completes. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static int data;
static tg_chan *done;

static void incr(void *arg) {
  (void)arg;
  data++;
  tg_chan_send(done, &(int){1});
}

int main(void) {
  done = tg_chan_make(sizeof(int), 0);
  tg_go(incr, NULL);
  int v;
  tg_chan_recv(done, &v);
  if (data == 1)
    printf("the value is %d.\n", data);
  return 0;
}
