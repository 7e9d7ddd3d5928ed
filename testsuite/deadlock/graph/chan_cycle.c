/* A communication deadlock nobody else can see: two goroutines each wait to
 * receive from the other before sending. The channels were made by a
 * goroutine that has finished, so no running goroutine can reach them; main
 * keeps running and would never notice. The monitor finds the two stuck and
 * waiting for each other. `fixed`: one of them sends first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tangle.h>

struct pair {
  tg_chan *in, *out;
  int first_sends;
};

static void peer(void *p) {
  struct pair *x = p;
  int v = 1;
  if (x->first_sends) {
    tg_chan_send(x->out, &v);
    tg_chan_recv(x->in, &v);
  } else {
    tg_chan_recv(x->in, &v);
    tg_chan_send(x->out, &v);
  }
}

static void start(void *arg) {
  int fixed = *(int *)arg;
  tg_chan *a = tg_chan_make(sizeof(int), 0), *b = tg_chan_make(sizeof(int), 0);
  struct pair *p1 = malloc(sizeof *p1), *p2 = malloc(sizeof *p2);
  *p1 = (struct pair){.in = a, .out = b, .first_sends = fixed};
  *p2 = (struct pair){.in = b, .out = a};
  tg_go(peer, p1);
  tg_go(peer, p2);
}

int main(int argc, char **argv) {
  static int fixed;
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_go(start, &fixed);
  for (int i = 0; i < 10; i++)
    tg_sleep(100 * TG_MILLISECOND);
  printf("main exits\n");
  return 0;
}
