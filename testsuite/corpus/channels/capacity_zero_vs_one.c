/* Seed 001_3dfe1f1bcc3944a6.txt, "Channels" > "differences between capacity
 * 0 and 1 in channels": a send on intChannelZero succeeds only when a receiver
 * is ready; a send on intChannelOne succeeds while the buffer has room. Also
 * `make(chan int)` and `make(chan int, 0)` are the same. Each attempt is a
 * select with a default case, so the program never blocks. */
#include <stdio.h>
#include <tangle.h>

static const char *try_send(tg_chan *c, int v) {
  tg_case cs[] = {TG_SEND(c, &v)};
  return tg_select_nb(cs, 1) == 0 ? "sent" : "would block";
}

static tg_chan *printed; /* closed by the receiver after its line */

static void receiver(void *arg) {
  tg_chan *c = arg;
  int v;
  tg_chan_recv(c, &v);
  printf("receiver got %d\n", v);
  tg_chan_close(printed);
}

int main(void) {
  tg_chan *a = tg_chan_make(sizeof(int), 0); /* a := make(chan int) */
  tg_chan *b = tg_chan_make(sizeof(int), 0); /* b := make(chan int, 0) */
  tg_chan *int_channel_one = tg_chan_make(sizeof(int), 1);
  printf("cap(a)=%zu cap(b)=%zu cap(one)=%zu\n", tg_chan_cap(a), tg_chan_cap(b),
         tg_chan_cap(int_channel_one));
  printf("zero, no receiver: %s\n", try_send(a, 1));
  printf("one, empty buffer: %s\n", try_send(int_channel_one, 1));
  printf("one, full buffer: %s\n", try_send(int_channel_one, 2));
  /* With a receiver ready, the unbuffered send is a rendezvous: the value is
   * copied from the sender to the receiver, never stored in the channel. */
  printed = tg_chan_make(0, 0);
  tg_go(receiver, a);
  tg_chan_send(a, &(int){7});
  printf("zero, receiver ready: sent, len %zu\n", tg_chan_len(a));
  tg_chan_recv(printed, NULL);
  tg_chan_free(printed);
  tg_chan_free(a);
  tg_chan_free(b);
  tg_chan_free(int_channel_one);
  return 0;
}
