/* Seed 001_3dfe1f1bcc3944a6.txt, "once": a hundred goroutines call
 * once.Do(increment); increment runs once. */
#include <stdio.h>
#include <tangle.h>

static int count; /* written only inside once.Do */
static tg_once once;
static tg_waitgroup increments;

static void increment(void *arg) {
  (void)arg;
  count++;
}

static void goroutine(void *arg) {
  (void)arg;
  tg_once_do(&once, increment, NULL);
  tg_waitgroup_done(&increments); /* defer increments.Done() */
}

int main(void) {
  tg_waitgroup_add(&increments, 100);
  for (int i = 0; i < 100; i++)
    tg_go(goroutine, NULL);
  tg_waitgroup_wait(&increments);
  printf("Count is %d\n", count);
  return 0;
}
