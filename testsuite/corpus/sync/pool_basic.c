/* Seed 001_3dfe1f1bcc3944a6.txt, "pool": Get on an empty pool calls New
 * (twice here); Put returns an instance; the next Get reuses it instead of
 * creating one. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static void *new_instance(void *ctx) {
  (void)ctx;
  printf("Creating new instance.\n");
  return malloc(1); /* struct{}{} */
}

int main(void) {
  tg_pool my_pool;
  tg_pool_init(&my_pool, new_instance, NULL);
  void *first = tg_pool_get(&my_pool);
  void *instance = tg_pool_get(&my_pool);
  tg_pool_put(&my_pool, instance);
  void *again = tg_pool_get(&my_pool);
  printf("reused the instance put back: %s\n", again == instance ? "yes" : "no");
  free(first);
  free(again);
  tg_pool_destroy(&my_pool, free);
  return 0;
}
