/* Seed 003_fcee70af208933bf.txt, "When to close a channel" > 3. Exiting Loops
 * Gracefully: the range loop over `data` ends when the sender closes it. */
#include <stdio.h>
#include <tangle.h>

static void sender(void *arg) {
  tg_chan *data = arg;
  for (int i = 0; i < 10; i++)
    tg_chan_send(data, &i);
  tg_chan_close(data);
}

int main(void) {
  tg_chan *data = tg_chan_make(sizeof(int), 0);
  tg_go(sender, data);
  int num;
  while (tg_chan_recv(data, &num))
    printf("%d\n", num);
  printf("No more data\n");
  tg_chan_free(data);
  return 0;
}
