/* TestNoRaceAtomicPublish: a release store of a flag publishes the data
 * written before it to the goroutine whose acquire load sees the flag. */
//! races: 0
//! stdout: data=42
#include "race_test.h"
#include <stdatomic.h>

static int data;
static atomic_int flag;

static void producer(void *arg) {
  (void)arg;
  data = 42;
  atomic_store_explicit(&flag, 1, memory_order_release);
}

int main(void) {
  tg_go(producer, NULL);
  while (!atomic_load_explicit(&flag, memory_order_acquire))
    tg_yield();
  printf("data=%d\n", data);
  return 0;
}
