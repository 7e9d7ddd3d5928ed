/* Seed 002_86b5fec98460e5da.txt, "Signal channels" > "Specifying the order of
 * execution for your goroutines" (defineOrder.go): A, B, C and D each wait
 * for a channel that the previous one closes, so they run in the order
 * A B C D whatever order they were started in; the four D goroutines all wait
 * on w. Sleeps of 1 s and 3 s scaled to 10 ms and 30 ms. */
#include <stdio.h>
#include <tangle.h>

static tg_waitgroup wg; /* global, as in the seed */

struct pair {
  tg_chan *a, *b;
};

static void A(void *arg) {
  struct pair *p = arg;
  tg_chan_recv(p->a, NULL);
  printf("A()!\n");
  tg_sleep(10 * TG_MILLISECOND);
  tg_chan_close(p->b);
}

static void B(void *arg) {
  struct pair *p = arg;
  tg_chan_recv(p->a, NULL);
  printf("B()!\n");
  tg_sleep(30 * TG_MILLISECOND);
  tg_chan_close(p->b);
}

static void C(void *arg) {
  struct pair *p = arg;
  tg_chan_recv(p->a, NULL);
  printf("C()!\n");
  tg_chan_close(p->b);
}

static void D(void *arg) {
  tg_chan *a = arg;
  tg_chan_recv(a, NULL);
  printf("D()!\n");
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_chan *x = tg_chan_make(0, 0), *y = tg_chan_make(0, 0);
  tg_chan *z = tg_chan_make(0, 0), *w = tg_chan_make(0, 0);
  struct pair xy = {x, y}, yz = {y, z}, zw = {z, w};

  tg_waitgroup_add(&wg, 1);
  tg_go(D, w);
  tg_waitgroup_add(&wg, 1);
  tg_go(D, w);
  tg_go(A, &xy);
  tg_waitgroup_add(&wg, 1);
  tg_go(D, w);
  tg_go(C, &zw);
  tg_go(B, &yz);
  tg_waitgroup_add(&wg, 1);
  tg_go(D, w);

  /* This triggers the process */
  tg_chan_close(x);
  tg_waitgroup_wait(&wg);
  return 0;
}
