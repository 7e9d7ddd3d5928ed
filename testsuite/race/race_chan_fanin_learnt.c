/* norace_chan_fanin_learnt with one sender writing its cell again after
 * its send: main's reads of that cell are unordered with the write, however
 * the receiver's learnt entries are kept (race.c). */
//! races: 1
#include "race_test.h"

#define N 300
static long cell[N];
static tg_chan *results;

static void worker(void *arg) {
  long i = (long)arg;
  cell[i] = i;
  tg_chan_send(results, &i);
  if (i == N / 2)
    cell[i] = i; /* after the send: not ordered before main's reads */
}

int main(void) {
  results = tg_chan_make(sizeof(long), N);
  for (long i = 0; i < N; i++)
    tg_go(worker, (void *)i);
  long sum = 0, prev = -1;
  for (int k = 0; k < N; k++) {
    long v;
    tg_chan_recv(results, &v);
    sum += cell[v];
    if (prev >= 0)
      sum += cell[prev] - prev;
    prev = v;
  }
  for (int i = 0; i < N; i++)
    sum += cell[i] - i;
  printf("sum=%ld\n", sum);
  return 0;
}
