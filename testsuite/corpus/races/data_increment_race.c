/* Seed 001 "race conditions": data++ in a goroutine against `if data == 0`
 * in main, with nothing ordering them. One P: the goroutine runs only once
 * main blocks, so the report's order (write now, read before) is fixed. */
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
  if (data == 0)
    printf("the value is %d.\n", data);
  int v;
  tg_chan_recv(done, &v);
  return 0;
}
