/* Clean twin of race_after_adopted_clock: goroutines released by a close
 * take the closer's clock by reference only when it contains all they
 * know. Each reader learnt a writer's store before the close (which the
 * closer never saw), so it must keep that knowledge; and what the closer
 * wrote before closing (y) is known to every reader through the clock it
 * took. Two hundred readers and writers hold slots in several chunks of
 * the clocks. */
//! races: 0
//! stdout: sum=39800 y=7
#include "race_test.h"

#define N 200
int x[N], y;
static tg_chan *gate, *ready, *pass[N], *done;

static void writer(void *arg) {
  long i = (long)arg;
  x[i] = (int)i;
  tg_chan_send(pass[i], &i);
}

static void reader(void *arg) {
  long i = (long)arg, v;
  tg_chan_recv(pass[i], &v); /* knows writer i's store, the closer does not */
  tg_chan_send(ready, &v);
  tg_chan_recv(gate, NULL);
  long r = x[i] + x[i] + y - y; /* x[i]: from the writer; y: from the closer */
  tg_chan_send(done, &r);
}

int main(void) {
  gate = tg_chan_make(0, 0);
  ready = tg_chan_make(sizeof(long), N);
  done = tg_chan_make(sizeof(long), N);
  for (long i = 0; i < N; i++)
    pass[i] = tg_chan_make(sizeof(long), 1);
  for (long i = 0; i < N; i++) {
    tg_go(reader, (void *)i);
    tg_go(writer, (void *)i);
  }
  long v, sum = 0;
  for (int i = 0; i < N; i++)
    tg_chan_recv(ready, &v);
  y = 7;
  tg_chan_close(gate);
  for (int i = 0; i < N; i++) {
    tg_chan_recv(done, &v);
    sum += v;
  }
  printf("sum=%ld y=%d\n", sum, y);
  return 0;
}
