/* Seed 001, "Deadlock": printSum locks v1, sleeps, then locks v2; two
 * goroutines call it with the arguments swapped, so each ends up holding one
 * value's mutex and waiting for the other's. Go's runtime sees only "all
 * goroutines are asleep"; the race build reports the cycle when it forms.
 * `fixed`: both lock the two values in one order (by address). */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static int fixed;

struct value {
  tg_mutex mu;
  int value;
};

static tg_waitgroup wg;
static struct value a = {.value = 1}, b = {.value = 2};

struct args {
  struct value *v1, *v2;
};

static void print_sum(void *p) {
  struct args *x = p;
  struct value *first = x->v1, *second = x->v2;
  if (fixed && first > second) {
    first = x->v2;
    second = x->v1;
  }
  tg_mutex_lock(&first->mu);
  tg_sleep(100 * TG_MILLISECOND);
  tg_mutex_lock(&second->mu);
  printf("sum=%d\n", x->v1->value + x->v2->value);
  tg_mutex_unlock(&second->mu);
  tg_mutex_unlock(&first->mu);
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  static struct args ab = {&a, &b}, ba = {&b, &a};
  tg_waitgroup_add(&wg, 2);
  tg_go(print_sum, &ab);
  tg_go(print_sum, &ba);
  tg_waitgroup_wait(&wg);
  return 0;
}
