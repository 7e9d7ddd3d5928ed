/* With every slot held by parked goroutines, a goroutine that gets none is
 * still checked against what others recorded: its write races with main's
 * earlier unordered write and is reported. */
//! races: 1
//! env: TANGLE_MAXPROCS=1
//! stderr: late_writer\(\)
#include "race_test.h"

#define N 4200
static long vals[N];
static tg_chan *gate, *done, *ready;
int x; /* external: the stores must stay */

static void parker(void *arg) {
  long i = (long)arg;
  vals[i] = i; /* takes a slot */
  tg_chan_send(ready, &i);
  tg_chan_recv(gate, NULL);
  tg_chan_send(done, &i);
}

static void late_writer(void *arg) {
  (void)arg;
  x = 2;
  tg_chan_send(done, &(long){0});
}

int main(void) {
  gate = tg_chan_make(0, 0);
  done = tg_chan_make(sizeof(long), N + 1);
  ready = tg_chan_make(sizeof(long), N);
  for (long i = 0; i < N; i++)
    tg_go(parker, (void *)i);
  long v;
  for (int i = 0; i < N; i++) /* every parker holds a slot and is parked */
    tg_chan_recv(ready, &v);
  tg_go(late_writer, NULL);
  x = 1;                  /* unordered with late_writer's write */
  tg_chan_recv(done, &v); /* late_writer runs now, parkers still parked */
  tg_chan_close(gate);
  for (int i = 0; i < N; i++)
    tg_chan_recv(done, &v);
  printf("x=%d\n", x);
  return 0;
}
