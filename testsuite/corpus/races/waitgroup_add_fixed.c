/* The twin: Add before the go statement, as the seed recommends. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_waitgroup wg;
static int results[10];

static void worker(void *arg) {
  int i = (int)(long)arg;
  results[i] = i * i;
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (long i = 0; i < 10; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(worker, (void *)i);
  }
  tg_waitgroup_wait(&wg);
  int sum = 0;
  for (int i = 0; i < 10; i++)
    sum += results[i];
  printf("sum=%d\n", sum);
  return 0;
}
