/* Seed 002_86b5fec98460e5da.txt, "The semaphore package" (semaphore.go): a
 * weighted semaphore of 4 lets at most four workers run at once; each squares
 * its job number after a sleep (1 s in the seed, 10 ms here) and stores it in
 * its own slot of results. Acquiring all four units at the end waits for the
 * last workers, like a Wait. The port also records the most workers ever
 * running at once, which the semaphore bounds. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static const int workers = 4;
static tg_sem *sem;
static int *results;
static atomic_int running, max_running;

static int worker(int n) {
  int now = atomic_fetch_add(&running, 1) + 1;
  for (int m = atomic_load(&max_running);
       now > m && !atomic_compare_exchange_weak(&max_running, &m, now);) {
  }
  int square = n * n;
  tg_sleep(10 * TG_MILLISECOND);
  atomic_fetch_sub(&running, 1);
  return square;
}

static void job(void *arg) {
  int i = (int)(intptr_t)arg;
  int temp = worker(i);
  results[i] = temp;
  tg_sem_release(sem, 1); /* defer sem.Release(1) */
}

int main(int argc, char **argv) {
  if (argc != 2) {
    printf("Need #jobs!\n");
    return 0;
  }
  int n_jobs = atoi(argv[1]);
  sem = tg_sem_new(workers);
  results = calloc((size_t)n_jobs, sizeof *results); /* Where to store the results */
  tg_ctx *ctx = tg_todo();                           /* Needed by Acquire() */
  for (int i = 0; i < n_jobs; i++) {
    int err = tg_sem_acquire(sem, ctx, 1);
    if (err != 0) {
      printf("Cannot acquire semaphore: %d\n", err);
      break;
    }
    tg_go(job, (void *)(intptr_t)i);
  }
  int err = tg_sem_acquire(sem, ctx, workers);
  if (err != 0)
    printf("%d\n", err);
  for (int k = 0; k < n_jobs; k++)
    printf("%d -> %d\n", k, results[k]);
  printf("at most %d workers at once: %s\n", workers,
         atomic_load(&max_running) <= workers ? "yes" : "no");
  tg_sem_release(sem, workers);
  tg_sem_free(sem);
  return 0;
}
