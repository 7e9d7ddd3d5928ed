/* The fence twin: the reader's acquire fence is missing, so nothing orders
 * the data. */
//! races: 1
#include "race_test.h"
#include <stdatomic.h>

static int data;
static atomic_int flag;

static void producer(void *arg) {
  (void)arg;
  data = 42;
  atomic_thread_fence(memory_order_release);
  atomic_store_explicit(&flag, 1, memory_order_relaxed);
}

int main(void) {
  tg_go(producer, NULL);
  AWAIT_RELAXED(flag);
  printf("data=%d\n", data);
  return 0;
}
