/* Seed 002_86b5fec98460e5da.txt, "Channels as function parameters": printer,
 * writeToChannel and f2, whose parameters are send-only (chan<-) or
 * receive-only (<-chan). C has no channel directions; the port keeps them in
 * the parameter names and comments, and the seed's functions are exercised
 * by a small main of the port's own. */
#include <stdbool.h>
#include <stdio.h>
#include <tangle.h>

static void printer(tg_chan *ch /* chan<- bool */) {
  tg_chan_send(ch, &(bool){true});
}

static void write_to_channel(tg_chan *c /* chan<- int */, int x) {
  printf("1 %d\n", x);
  tg_chan_send(c, &x);
  printf("2 %d\n", x);
}

struct f2_args {
  tg_chan *out; /* <-chan int */
  tg_chan *in;  /* chan<- int */
};

static void f2(void *arg) {
  struct f2_args *a = arg;
  int x;
  tg_chan_recv(a->out, &x);
  printf("Read (f2): %d\n", x);
  tg_chan_send(a->in, &x);
}

static void printer_g(void *arg) {
  printer(arg);
}

int main(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 1);
  write_to_channel(c, 10); /* buffered: does not block */

  tg_chan *in = tg_chan_make(sizeof(int), 0);
  struct f2_args a = {.out = c, .in = in};
  tg_go(f2, &a);
  int x;
  tg_chan_recv(in, &x);
  printf("Received from f2: %d\n", x);

  tg_chan *ch = tg_chan_make(sizeof(bool), 0);
  tg_go(printer_g, ch);
  bool b;
  tg_chan_recv(ch, &b);
  printf("printer sent: %s\n", b ? "true" : "false");
  tg_chan_free(ch);
  tg_chan_free(in);
  tg_chan_free(c);
  return 0;
}
