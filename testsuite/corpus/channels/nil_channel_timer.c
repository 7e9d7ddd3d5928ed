/* Seed 002_86b5fec98460e5da.txt, "nil channels" (nilChannel.go): add() sums
 * what send() writes until its timer fires, then sets its channel variable to
 * nil, which disables that select case for good, prints the sum and releases
 * main. The timer is 1 s in the seed, 100 ms here. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_waitgroup wg; /* global, as in the seed */

static void add(void *arg) {
  tg_chan *c = arg;
  long sum = 0;
  tg_timer *t = tg_timer_new(100 * TG_MILLISECOND);
  for (;;) {
    int input;
    tg_case cs[] = {TG_RECV(c, &input, NULL), TG_RECV(tg_timer_chan(t), NULL, NULL)};
    switch (tg_select(cs, 2)) {
    case 0:
      sum = sum + input;
      break;
    case 1:
      c = NULL; /* from now on the first case can never be chosen */
      printf("%ld\n", sum);
      tg_waitgroup_done(&wg);
      break;
    }
  }
}

static void send(void *arg) {
  tg_chan *c = arg;
  for (;;)
    tg_chan_send(c, &(int){rand() % 10});
}

int main(void) {
  tg_chan *c = tg_chan_make(sizeof(int), 0);
  srand(42);
  tg_waitgroup_add(&wg, 1);
  tg_go(add, c);
  tg_go(send, c);
  tg_waitgroup_wait(&wg);
  return 0;
}
