/* Seed 001_3dfe1f1bcc3944a6.txt, "Deadlock": printSum locks its first value,
 * sleeps, then locks the second; the two goroutines lock a and b in opposite
 * orders, so each waits for the other forever and main waits on the
 * WaitGroup: all four Coffman conditions hold and nothing can run.
 *
 * The seed relies on its 2 s sleep (50 ms here) for both goroutines to hold
 * their first lock before either asks for its second. So that a slow machine
 * cannot make them miss each other, the port also meets at a barrier (a
 * second WaitGroup) after the first lock. */
#include <stdio.h>
#include <tangle.h>

struct value {
  tg_mutex mu;
  int value;
};

static tg_waitgroup wg;          /* main waits for both printSums */
static tg_waitgroup first_locks; /* both hold their first lock */

struct pair {
  struct value *v1, *v2;
};

static void print_sum(void *arg) {
  struct pair *p = arg;
  tg_mutex_lock(&p->v1->mu);
  tg_waitgroup_done(&first_locks);
  tg_waitgroup_wait(&first_locks);
  tg_sleep(50 * TG_MILLISECOND);
  tg_mutex_lock(&p->v2->mu);
  printf("sum=%d\n", p->v1->value + p->v2->value);
  tg_mutex_unlock(&p->v2->mu);
  tg_mutex_unlock(&p->v1->mu);
  tg_waitgroup_done(&wg);
}

int main(void) {
  static struct value a, b;
  struct pair ab = {&a, &b}, ba = {&b, &a};
  tg_waitgroup_add(&wg, 2);
  tg_waitgroup_add(&first_locks, 2);
  tg_go(print_sum, &ab);
  tg_go(print_sum, &ba);
  tg_waitgroup_wait(&wg);
  return 0;
}
