/* Seed 001_3dfe1f1bcc3944a6.txt, "4 Concurrency Patterns in Go" >
 * "confinement": ad hoc confinement. `data` is visible to everyone; only the
 * convention that loopData alone reads it keeps it safe. */
#include <stdio.h>
#include <tangle.h>

static int data[4]; /* data := make([]int, 4); read only by loop_data */

static void loop_data(void *arg) {
  tg_chan *handle_data = arg; /* chan<- int */
  for (int i = 0; i < 4; i++)
    tg_chan_send(handle_data, &data[i]);
  tg_chan_close(handle_data);
}

int main(void) {
  tg_chan *handle_data = tg_chan_make(sizeof(int), 0);
  tg_go(loop_data, handle_data);
  int num;
  while (tg_chan_recv(handle_data, &num))
    printf("%d\n", num);
  tg_chan_free(handle_data);
  return 0;
}
