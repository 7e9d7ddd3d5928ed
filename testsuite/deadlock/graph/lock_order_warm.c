/* lock_order_ab with the first lock taken on the acquisition fast path
 * (the goroutine locked and unlocked it many times before): its
 * acquisition stack, recorded lazily, is copied out of the shadow call
 * stack when the second lock is taken, and the inversion report shows it
 * with its caller. `fixed`: both goroutines take A before B. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex a, b;
static int fixed, total;

__attribute__((noinline)) static void take_a_then_b(void) {
  for (int i = 0; i < 100; i++) {
    tg_mutex_lock(&a);
    tg_mutex_unlock(&a);
  }
  tg_mutex_lock(&a); /* A_LINE */
  tg_mutex_lock(&b);
  total++;
  tg_mutex_unlock(&b);
  tg_mutex_unlock(&a);
}

static void first(void *arg) {
  take_a_then_b(); /* CALLER_LINE */
  tg_chan_close(arg);
}

static void second(void *arg) {
  tg_mutex *x = fixed ? &a : &b, *y = fixed ? &b : &a;
  tg_mutex_lock(x);
  tg_mutex_lock(y);
  total++;
  tg_mutex_unlock(y);
  tg_mutex_unlock(x);
  tg_chan_close(arg);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_chan *d1 = tg_chan_make(0, 0), *d2 = tg_chan_make(0, 0);
  tg_go(first, d1);
  tg_chan_recv(d1, NULL);
  tg_go(second, d2);
  tg_chan_recv(d2, NULL);
  printf("total: %d\n", total);
  return 0;
}
