/* Seed 001_3dfe1f1bcc3944a6.txt, "once": initA calls onceB.Do(initB), which
 * calls onceA.Do(initA) - inside onceA's own Do, which cannot return before
 * initA does. Go's result: all goroutines are asleep - deadlock! */
#include <stdio.h>
#include <tangle.h>

static tg_once once_a, once_b;

static void init_a(void *arg);

static void init_b(void *arg) {
  (void)arg;
  tg_once_do(&once_a, init_a, NULL);
}

static void init_a(void *arg) {
  (void)arg;
  tg_once_do(&once_b, init_b, NULL);
}

int main(void) {
  tg_once_do(&once_a, init_a, NULL);
  printf("unreachable\n");
  return 0;
}
