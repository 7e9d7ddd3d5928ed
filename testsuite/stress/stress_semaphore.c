/* Stress of tg_sem under GOMAXPROCS=2, with exact accounting: goroutines
 * acquire random weights (1..4 of 10), some without a context, some with a
 * short timeout, some with a context that another goroutine cancels at
 * random moments. The weight held at any moment never exceeds the size; a
 * failed Acquire returns its context's error and holds nothing; every
 * attempt either succeeds or fails so; at the end the whole count is free
 * and nobody waits. Exits 0 on success; a failed check aborts. */
#include <tangle.h>

#include "rt.h"
#include "sema.h"

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

#define SIZE    10
#define WORKERS 12
#define ITERS   20000

static tg_sem *sem;
static atomic_long held, max_held;
static atomic_long ok_count, canceled, expired, attempts;
static atomic_int bad_err;
static atomic_bool workers_done;
static tg_waitgroup wg;

/* Per worker: the cancelable context it is waiting with, for the canceller. */
static struct {
  tg_mutex mu;
  tg_ctx *ctx;
} slot[WORKERS];

static void worker(void *arg) {
  int id = (int)(intptr_t)arg;
  uint32_t x = (uint32_t)id * 2654435761u + 7;
  for (int i = 0; i < ITERS; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    int64_t n = 1 + x % 4;
    int mode = (x >> 8) % 3;
    tg_ctx *ctx = NULL;
    if (mode == 1)
      ctx = tg_with_timeout(tg_background(), (int64_t)((x >> 12) % 200) * TG_MICROSECOND);
    if (mode == 2) {
      ctx = tg_with_cancel(tg_background());
      tg_mutex_lock(&slot[id].mu);
      slot[id].ctx = ctx;
      tg_mutex_unlock(&slot[id].mu);
    }
    atomic_fetch_add(&attempts, 1);
    int err = tg_sem_acquire(sem, ctx, n);
    if (mode == 2) {
      tg_mutex_lock(&slot[id].mu);
      slot[id].ctx = NULL;
      tg_mutex_unlock(&slot[id].mu);
    }
    if (err == 0) {
      long h = atomic_fetch_add(&held, n) + n;
      long m = atomic_load(&max_held);
      while (h > m && !atomic_compare_exchange_weak(&max_held, &m, h))
        ;
      if (i % 4 == 0)
        tg_yield();
      atomic_fetch_sub(&held, n);
      tg_sem_release(sem, n);
      atomic_fetch_add(&ok_count, 1);
    } else if (err == TG_CANCELED && mode == 2) {
      atomic_fetch_add(&canceled, 1);
    } else if (err == TG_DEADLINE_EXCEEDED && mode == 1) {
      atomic_fetch_add(&expired, 1);
    } else {
      atomic_fetch_add(&bad_err, 1);
    }
    tg_ctx_release(ctx);
  }
  tg_waitgroup_done(&wg);
}

static void canceller(void *arg) {
  (void)arg;
  uint32_t x = 12345;
  while (!atomic_load(&workers_done)) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    int id = x % WORKERS;
    tg_mutex_lock(&slot[id].mu);
    if (slot[id].ctx)
      tg_cancel(slot[id].ctx);
    tg_mutex_unlock(&slot[id].mu);
    if (x % 4 == 0)
      tg_sleep(20 * TG_MICROSECOND);
    else
      tg_yield();
  }
}

int main(void) {
  tg_maxprocs(2);
  sem = tg_sem_new(SIZE);
  tg_go(canceller, NULL);
  tg_waitgroup_add(&wg, WORKERS);
  for (int i = 0; i < WORKERS; i++)
    tg_go(worker, (void *)(intptr_t)i);
  tg_waitgroup_wait(&wg);
  atomic_store(&workers_done, true);

  CHECK(atomic_load(&bad_err) == 0);
  CHECK(atomic_load(&max_held) <= SIZE);
  CHECK(atomic_load(&held) == 0);
  CHECK(atomic_load(&ok_count) + atomic_load(&canceled) + atomic_load(&expired) ==
        atomic_load(&attempts));
  CHECK(atomic_load(&attempts) == (long)WORKERS * ITERS);
  CHECK(tg__sem_nwaiters(sem) == 0);
  CHECK(tg_sem_try_acquire(sem, SIZE)); /* every unit came back */
  tg_sem_release(sem, SIZE);
  tg_sem_free(sem);
  printf("stress_semaphore: ok (%ld acquired, %ld canceled, %ld expired, max held %ld)\n",
         atomic_load(&ok_count), atomic_load(&canceled), atomic_load(&expired),
         atomic_load(&max_held));
  return 0;
}
