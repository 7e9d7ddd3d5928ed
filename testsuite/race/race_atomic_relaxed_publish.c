/* TestRaceAtomicRelaxed: the same publication with relaxed orders does
 * not order the data (C11): a race. */
//! races: 1
//! stderr: producer\(\)
#include "race_test.h"
#include <stdatomic.h>

static int data;
static atomic_int flag;

static void producer(void *arg) {
  (void)arg;
  data = 42;
  atomic_store_explicit(&flag, 1, memory_order_relaxed);
}

int main(void) {
  tg_go(producer, NULL);
  AWAIT_RELAXED(flag);
  printf("data=%d\n", data);
  return 0;
}
