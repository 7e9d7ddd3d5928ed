/* Ten workers take a unit each of a semaphore of ten; one exits without
 * releasing it, the others release theirs. A goroutine that then needs
 * all ten units waits forever: only a holder could release the missing
 * unit, and it has exited. The exited holder took its unit after eight
 * others (past the detector's holder slots). `fixed`: it releases;
 * `handoff`: it hands its unit to another goroutine, which releases it
 * (allowed for a semaphore: no misuse, no wait). */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

#define WORKERS 10

static tg_sem *sem;
static tg_chan *go_on, *unit;
static atomic_int holding;
static int fixed, handoff;

static void worker(void *arg) {
  int i = (int)(intptr_t)arg;
  tg_sem_acquire(sem, NULL, 1);
  atomic_fetch_add(&holding, 1);
  if (i == WORKERS - 2 && !fixed) {
    if (handoff)
      tg_chan_send(unit, NULL);
    return;
  }
  tg_chan_recv(go_on, NULL);
  tg_sem_release(sem, 1);
}

static void releaser(void *arg) {
  (void)arg;
  tg_chan_recv(unit, NULL);
  tg_sem_release(sem, 1);
}

static void greedy(void *arg) {
  (void)arg;
  tg_sem_acquire(sem, NULL, WORKERS);
  printf("all units\n");
  tg_sem_release(sem, WORKERS);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  handoff = argc > 1 && strcmp(argv[1], "handoff") == 0;
  sem = tg_sem_new(WORKERS);
  go_on = tg_chan_make(0, 0);
  unit = tg_chan_make(0, 0);
  if (handoff)
    tg_go(releaser, NULL);
  for (int i = 0; i < WORKERS; i++) {
    tg_go(worker, (void *)(intptr_t)i);
    while (atomic_load(&holding) <= i)
      tg_sleep(TG_MILLISECOND);
  }
  tg_chan_close(go_on);
  tg_go(greedy, NULL);
  tg_sleep(1500 * TG_MILLISECOND);
  printf("main exits\n");
  return 0;
}
