/* Seed 002 WaitGroup: Add called inside the goroutine instead of before the
 * go statement, so Wait may return before the work and main's read races
 * with the goroutines' writes. With one P the goroutines have not even
 * started when main waits (the bug made certain); the join at the end
 * makes sure every write happens before exit. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_waitgroup wg;
static tg_chan *joined;
static int results[10];

static void worker(void *arg) {
  int i = (int)(long)arg;
  tg_waitgroup_add(&wg, 1);
  results[i] = i * i;
  tg_waitgroup_done(&wg);
  tg_chan_send(joined, &i);
}

int main(void) {
  joined = tg_chan_make(sizeof(int), 10);
  for (long i = 0; i < 10; i++)
    tg_go(worker, (void *)i);
  tg_waitgroup_wait(&wg);
  int sum = 0;
  for (int i = 0; i < 10; i++)
    sum += results[i];
  for (int i = 0; i < 10; i++) {
    int v;
    tg_chan_recv(joined, &v);
  }
  printf("sum=%d\n", sum);
  return 0;
}
