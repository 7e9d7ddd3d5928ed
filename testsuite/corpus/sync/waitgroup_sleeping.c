/* Seed 001_3dfe1f1bcc3944a6.txt, "sync package" > "WaitGroup": two
 * goroutines each Add(1) before they start and Done when they return; Wait
 * holds main until both are done. (time.Sleep(1) and (2) sleep 1 and 2 ns.) */
#include <stdio.h>
#include <tangle.h>

static tg_waitgroup wg;

static void first(void *arg) {
  (void)arg;
  printf("1st goroutine sleeping...\n");
  tg_sleep(1);
  tg_waitgroup_done(&wg);
}

static void second(void *arg) {
  (void)arg;
  printf("2nd goroutine sleeping...\n");
  tg_sleep(2);
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 1);
  tg_go(first, NULL);
  tg_waitgroup_add(&wg, 1);
  tg_go(second, NULL);
  tg_waitgroup_wait(&wg);
  printf("All goroutines complete.\n");
  return 0;
}
