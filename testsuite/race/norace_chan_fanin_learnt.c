/* Many senders each write their own cell and then send its index on a
 * buffered channel; main drains it, reading the cell of the value just
 * received and of the one before, then every cell. A receiver learns one
 * sender's epoch per receive: the detector keeps it in the receiver's
 * extra entry and folds two at a time into its clock (race.c), and the
 * slots share the receiver's clock between folds; losing the entry
 * waiting, or the one folded with it, reports one of these reads. */
//! races: 0
//! stdout: sum=44850
#include "race_test.h"

#define N 300
static long cell[N];
static tg_chan *results;

static void worker(void *arg) {
  long i = (long)arg;
  cell[i] = i;
  tg_chan_send(results, &i);
#ifdef WRITE_AFTER_SEND /* race_chan_fanin_learnt.c */
  if (i == N / 2)
    cell[i] = i; /* after the send: not ordered before main's reads */
#endif
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
