/* Seed 002_86b5fec98460e5da.txt, "The atomic package" (atomic.go): 100
 * goroutines each add 1 four times to a shared int64 with atomic.AddInt64;
 * Value() loads it atomically. C11 atomics play sync/atomic's part. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <tangle.h>

struct atom_counter {
  _Atomic int64_t val;
};

static int64_t value(struct atom_counter *c) {
  return atomic_load(&c->val);
}

static struct atom_counter counter;
static tg_waitgroup wait_group;
static const int Y = 4;

static void adder(void *arg) {
  (void)arg;
  for (int i = 0; i < Y; i++)
    atomic_fetch_add(&counter.val, 1);
  tg_waitgroup_done(&wait_group);
}

int main(void) {
  int X = 100;
  for (int i = 0; i < X; i++) {
    tg_waitgroup_add(&wait_group, 1);
    tg_go(adder, NULL);
  }
  tg_waitgroup_wait(&wait_group);
  printf("%lld\n", (long long)value(&counter));
  return 0;
}
