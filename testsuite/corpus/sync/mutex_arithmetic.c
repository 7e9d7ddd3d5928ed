/* Seed 001_3dfe1f1bcc3944a6.txt, "Mutex and RWMutex": six goroutines
 * increment and six decrement a shared count, each inside the mutex (the
 * seed's `defer lock.Unlock()` becomes an unlock at the end of the critical
 * section). The interleaving is not defined; every printed value is one step
 * from the one before, and the count ends at 0, which the port prints. */
#include <stdio.h>
#include <tangle.h>

static int count; /* guarded by lock */
static tg_mutex lock;
static tg_waitgroup arithmetic;

static void increment(void *arg) {
  (void)arg;
  tg_mutex_lock(&lock);
  count++;
  printf("Incrementing: %d\n", count);
  tg_mutex_unlock(&lock);
  tg_waitgroup_done(&arithmetic);
}

static void decrement(void *arg) {
  (void)arg;
  tg_mutex_lock(&lock);
  count--;
  printf("Decrementing: %d\n", count);
  tg_mutex_unlock(&lock);
  tg_waitgroup_done(&arithmetic);
}

int main(void) {
  for (int i = 0; i <= 5; i++) { /* Increment */
    tg_waitgroup_add(&arithmetic, 1);
    tg_go(increment, NULL);
  }
  for (int i = 0; i <= 5; i++) { /* Decrement */
    tg_waitgroup_add(&arithmetic, 1);
    tg_go(decrement, NULL);
  }
  tg_waitgroup_wait(&arithmetic);
  printf("Arithmetic complete.\n");
  printf("count: %d\n", count);
  return 0;
}
