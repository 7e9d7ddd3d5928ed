/* Seed 003_fcee70af208933bf.txt, "8.4.2 Pipelines" and "8.4.3 Unidirectional"
 * (gopl.io/ch8/pipeline3): counter -> squarer -> printer. counter sends
 * 0..99, squarer squares, printer (main) prints; each sender closes its
 * channel so the next stage's range loop ends. The parameters are named as
 * the seed types them: out chan<- int, in <-chan int. */
#include <stdio.h>
#include <tangle.h>

struct squarer_args {
  tg_chan *out, *in;
};

static void counter(void *out /* chan<- int */) {
  for (int x = 0; x < 100; x++)
    tg_chan_send(out, &x);
  tg_chan_close(out);
}

static void squarer(void *arg) {
  struct squarer_args *a = arg; /* out chan<- int, in <-chan int */
  int v;
  while (tg_chan_recv(a->in, &v))
    tg_chan_send(a->out, &(int){v * v});
  tg_chan_close(a->out);
}

static void printer(tg_chan *in /* <-chan int */) {
  int v;
  while (tg_chan_recv(in, &v))
    printf("%d\n", v);
}

int main(void) {
  tg_chan *naturals = tg_chan_make(sizeof(int), 0);
  tg_chan *squares = tg_chan_make(sizeof(int), 0);
  struct squarer_args sq = {squares, naturals};
  tg_go(counter, naturals);
  tg_go(squarer, &sq);
  printer(squares);
  tg_chan_free(naturals);
  tg_chan_free(squares);
  return 0;
}
