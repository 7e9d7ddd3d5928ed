/* Seed 001_3dfe1f1bcc3944a6.txt, "once": Once counts calls to Do, not
 * distinct functions: once.Do(increment) runs, once.Do(decrement) does not. */
#include <stdio.h>
#include <tangle.h>

static int count;

static void increment(void *arg) {
  (void)arg;
  count++;
}

static void decrement(void *arg) {
  (void)arg;
  count--;
}

int main(void) {
  tg_once once = {0};
  tg_once_do(&once, increment, NULL);
  tg_once_do(&once, decrement, NULL);
  printf("Count: %d\n", count);
  return 0;
}
