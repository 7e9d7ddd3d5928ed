/* Seed 001_3dfe1f1bcc3944a6.txt, "1 Introduction To Concurrency" > "Memory
 * Access Synchronization": the goroutine's increment and main's read are in
 * critical sections of the same mutex, so they cannot overlap. Which comes
 * first is still not defined: the value printed is 0 or 1. */
#include <stdio.h>
#include <tangle.h>

static tg_mutex memory_access; /* guards value */
static int value;

static void increment(void *arg) {
  (void)arg;
  tg_mutex_lock(&memory_access);
  value++;
  tg_mutex_unlock(&memory_access);
}

int main(void) {
  tg_go(increment, NULL);
  tg_mutex_lock(&memory_access);
  if (value == 0)
    printf("the value is %d.\n", value);
  else
    printf("the value is %d.\n", value);
  tg_mutex_unlock(&memory_access);
  return 0;
}
