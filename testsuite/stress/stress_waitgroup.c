/* Stress of tg_waitgroup and tg_once under GOMAXPROCS=2: round after round
 * one WaitGroup is reused with several waiters and many workers; each
 * waiter, when released, must see every worker of the round finished; a
 * fresh Once per round runs its function exactly once however many workers
 * race to it, and all of them see its effect. Exits 0 on success; a failed
 * check aborts. */
#include <tangle.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                        \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

#define ROUNDS  20000
#define WORKERS 16
#define WAITERS 4

static tg_waitgroup work, waiters_done;
static tg_once once;
static atomic_int finished, once_runs, early, missed_once;
static long once_value; /* plain: published by tg_once_do */
static int round_no;

static void once_fn(void *arg) {
  once_value = (long)(intptr_t)arg;
  atomic_fetch_add(&once_runs, 1);
}

static void worker(void *arg) {
  (void)arg;
  tg_once_do(&once, once_fn, (void *)(intptr_t)(round_no + 1));
  if (once_value != round_no + 1)
    atomic_fetch_add(&missed_once, 1);
  atomic_fetch_add(&finished, 1);
  tg_waitgroup_done(&work);
}

static void waiter(void *arg) {
  (void)arg;
  tg_waitgroup_wait(&work);
  if (atomic_load(&finished) != WORKERS)
    atomic_fetch_add(&early, 1);
  tg_waitgroup_done(&waiters_done);
}

int main(void) {
  tg_maxprocs(2);
  for (int r = 0; r < ROUNDS; r++) {
    round_no = r;
    atomic_store(&finished, 0);
    once = (tg_once){0};
    tg_waitgroup_add(&work, WORKERS);
    tg_waitgroup_add(&waiters_done, WAITERS);
    for (int i = 0; i < WAITERS; i++)
      tg_go(waiter, NULL);
    for (int i = 0; i < WORKERS; i++)
      tg_go(worker, NULL);
    tg_waitgroup_wait(&work);
    tg_waitgroup_wait(&waiters_done); /* before the next round reuses work */
    CHECK(atomic_load(&finished) == WORKERS);
  }
  CHECK(atomic_load(&early) == 0);
  CHECK(atomic_load(&missed_once) == 0);
  CHECK(atomic_load(&once_runs) == ROUNDS);
  CHECK(work.state_ == 0 && waiters_done.state_ == 0);
  printf("stress_waitgroup: ok (%d rounds)\n", ROUNDS);
  return 0;
}
