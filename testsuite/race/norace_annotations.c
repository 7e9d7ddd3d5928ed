/* tangle/race.h: synchronization the detector cannot see (here a hand-made
 * spin flag with plain volatile accesses under ignore) is declared with
 * tg_race_release/tg_race_acquire. */
//! races: 0
//! stdout: data=5
#include "race_test.h"
#include <tangle/race.h>

static int data;
static volatile int flag;

static void producer(void *arg) {
  (void)arg;
  data = 5;
  tg_race_release((const void *)&flag);
  tg_race_ignore_begin();
  flag = 1;
  tg_race_ignore_end();
}

int main(void) {
  tg_go(producer, NULL);
  for (;;) {
    tg_race_ignore_begin();
    int f = flag;
    tg_race_ignore_end();
    if (f)
      break;
    tg_yield();
  }
  tg_race_acquire((const void *)&flag);
  printf("data=%d\n", data);
  return 0;
}
