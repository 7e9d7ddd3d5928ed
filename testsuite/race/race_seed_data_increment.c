/* Seed 001 "race conditions": data++ in a goroutine against `if data == 0`
 * in main, with nothing ordering them. One P: the goroutine runs only once
 * main blocks, so the report's order (write now, read before) is fixed. */
//! races: 1
//! env: TANGLE_MAXPROCS=1
//! stderr: ^Write at 0x[0-9a-f]+ by goroutine \d+:\n  incr\(\) \S*race_seed_data_increment.c:\d+
//! stderr: ^Previous read at 0x[0-9a-f]+ by goroutine 1:\n  main\(\)
//! \S*race_seed_data_increment.c:\d+ stderr: ^Goroutine \d+ \((running|finished)\) created at:\n
//! main\(\)
#include "race_test.h"

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
