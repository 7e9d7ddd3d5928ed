/* Seed 002_86b5fec98460e5da.txt, "Channels" > "Writing to and reading from a
 * channel" (channels.go, first half): a goroutine writes one value into a
 * channel of capacity 1 and closes it; main reads the value, then uses the
 * second result of a receive to learn that the channel is closed. The second
 * half of channels.go (five printers racing with close) is
 * printers_close_race.c. */
#include <stdbool.h>
#include <stdio.h>
#include <tangle.h>

static tg_waitgroup wait_group; /* main's */

static void write_to_channel(tg_chan *c, int x) {
  tg_chan_send(c, &x);
  tg_chan_close(c);
}

static void writer(void *arg) {
  tg_chan *c = arg;
  write_to_channel(c, 10);
  printf("Exit.\n");
  tg_waitgroup_done(&wait_group); /* defer waitGroup.Done() */
}

int main(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 1);
  tg_waitgroup_add(&wait_group, 1);
  tg_go(writer, c);
  int v;
  tg_chan_recv(c, &v);
  printf("Read: %d\n", v);
  bool ok = tg_chan_recv(c, NULL); /* _, ok := <-c */
  if (ok)
    printf("Channel is open!\n");
  else
    printf("Channel is closed!\n");
  tg_waitgroup_wait(&wait_group);
  tg_chan_free(c);
  return 0;
}
