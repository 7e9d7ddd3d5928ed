#include <tangle.h>

void producer(void *arg);

/* Sends 1..10, then closes: the receiver's loop ends on the close. */
void producer(void *arg) {
  tg_chan *c = arg;
  for (int i = 1; i <= 10; i++)
    tg_chan_send(c, &i);
  tg_chan_close(c);
}
