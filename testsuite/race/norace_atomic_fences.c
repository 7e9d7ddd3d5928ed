/* Fences (google/sanitizers#1415, which TSan gets wrong): a release fence
 * before a relaxed store synchronizes with an acquire fence after the
 * relaxed load that reads it. Correct C11: must stay silent. */
//! races: 0
//! stdout: data=42
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
  atomic_thread_fence(memory_order_acquire);
  printf("data=%d\n", data);
  return 0;
}
