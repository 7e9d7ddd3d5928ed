/* Seed 001_3dfe1f1bcc3944a6.txt, "pool": the calculators. The pool is seeded
 * with four 1 KiB buffers; then 1,048,576 goroutines each Get one, use it
 * briefly and Put it back. Because buffers are recycled, only a handful are
 * ever created, where allocating one per goroutine would take a GiB.
 *
 * 2^16 goroutines here, to stay well under 2 s on a shared machine; the
 * seed's `numCalcsCreated += 1` in New is a data race when New runs on
 * several threads at once, so the port counts atomically. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tangle.h>

static atomic_int num_calcs_created;
static tg_pool calc_pool;
static tg_waitgroup wg;

static void *new_calc(void *ctx) {
  (void)ctx;
  atomic_fetch_add(&num_calcs_created, 1);
  return malloc(1024); /* mem := make([]byte, 1024) */
}

static void worker(void *arg) {
  (void)arg;
  char *mem = tg_pool_get(&calc_pool);
  /* Assume something interesting, but quick is being done with this memory. */
  memset(mem, 1, 1024);
  tg_pool_put(&calc_pool, mem); /* defer calcPool.Put(mem) */
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_pool_init(&calc_pool, new_calc, NULL);
  /* Seed the pool with 4KB */
  for (int i = 0; i < 4; i++)
    tg_pool_put(&calc_pool, new_calc(NULL));
  const int num_workers = 1 << 16;
  tg_waitgroup_add(&wg, num_workers);
  for (int i = num_workers; i > 0; i--)
    tg_go(worker, NULL);
  tg_waitgroup_wait(&wg);
  int n = atomic_load(&num_calcs_created);
  printf("%d calculators were created.\n", n);
  printf("fewer than one per goroutine: %s\n", n < num_workers / 16 ? "yes" : "no");
  tg_pool_destroy(&calc_pool, free);
  return 0;
}
