/* Seed 001, "Deadlock": printSum(&a, &b) and printSum(&b, &a) each lock one
 * value's mutex, sleep, then lock the other: all four Coffman conditions
 * hold. The race build reports the DEADLOCK cycle (goroutine holds a, waits
 * for b; the other holds b, waits for a) and main then waits forever: the
 * global deadlock. Sleep scaled down from 2 s. */
#include <stdio.h>
#include <tangle.h>

struct value {
  tg_mutex mu;
  int value;
};

struct pair {
  struct value *v1, *v2;
};

static tg_waitgroup wg;

static void print_sum(void *arg) {
  struct pair *p = arg;
  tg_mutex_lock(&p->v1->mu);
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
  tg_go(print_sum, &ab);
  tg_go(print_sum, &ba);
  tg_waitgroup_wait(&wg);
  return 0;
}
