/* Eight thousand goroutines alive at once, each having written its own
 * element before parking: more than the detector's 4095 slots. Those
 * beyond are checked without being recorded until slots free up; nothing
 * is reported on this correct program, and it does not crash. */
//! races: 0
//! stdout: sum=31996000
#include "race_test.h"

#define N 8000
static long vals[N];
static tg_chan *gate, *done;

static void waiter(void *arg) {
  long i = (long)arg;
  vals[i] = i;
  tg_chan_recv(gate, NULL);
  vals[i] *= 1; /* after the close: still its own */
  tg_chan_send(done, &i);
}

int main(void) {
  gate = tg_chan_make(0, 0);
  done = tg_chan_make(sizeof(long), N);
  for (long i = 0; i < N; i++)
    tg_go(waiter, (void *)i);
  tg_chan_close(gate);
  long sum = 0, v;
  for (int i = 0; i < N; i++) {
    tg_chan_recv(done, &v);
    sum += vals[v];
  }
  printf("sum=%ld\n", sum);
  return 0;
}
