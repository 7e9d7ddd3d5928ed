/* A goroutine starved on a lock it last took uncontended. Its second
 * uncontended Lock (the lock's statistics exist by then) leaves its held
 * entry ready for the wait-for graph's fast path; the next one waits behind
 * a holder that keeps the lock 80 ms at a time and relocks at once. When it
 * finally gets the lock nobody else waits, so that acquisition could take
 * the fast path: the wait it just ended must still be counted, and the
 * starvation reported. `fixed`: the holder keeps the lock 1 ms at a time,
 * and the short wait is not reported. */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex mu;
static atomic_bool first_done, holder_has_it;
static tg_waitgroup wg;
static long hold_ms = 80;

static void holder(void *arg) {
  (void)arg;
  while (!atomic_load(&first_done))
    tg_sleep(TG_MILLISECOND);
  for (int i = 0; i < 4; i++) {
    tg_mutex_lock(&mu);
    atomic_store(&holder_has_it, true);
    tg_sleep(hold_ms * TG_MILLISECOND);
    tg_mutex_unlock(&mu);
  }
  tg_waitgroup_done(&wg);
}

static void waiter(void *arg) {
  (void)arg;
  for (int i = 0; i < 2; i++) { /* uncontended: the second takes the fast path */
    tg_mutex_lock(&mu);
    tg_mutex_unlock(&mu);
  }
  atomic_store(&first_done, true);
  while (!atomic_load(&holder_has_it))
    tg_sleep(TG_MILLISECOND);
  tg_mutex_lock(&mu); /* waits behind the holder */
  tg_mutex_unlock(&mu);
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "fixed") == 0)
    hold_ms = 1;
  tg_waitgroup_add(&wg, 2);
  tg_go(holder, NULL);
  tg_go(waiter, NULL);
  tg_waitgroup_wait(&wg);
  printf("done\n");
  return 0;
}
