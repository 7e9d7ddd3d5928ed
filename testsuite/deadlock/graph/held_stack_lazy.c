/* A held lock's "acquired at" stack when the acquisition took the fast
 * path, which records only the call site and the depth of the shadow call
 * stack: the callers are copied out when the acquiring function returns
 * with the lock held (here grab() returns holding `a`). Goroutine 2 first
 * locks and unlocks `a` many times (so the next Lock is a fast one), then
 * grab()s it, and waits for `b`, which goroutine 3 holds while it waits for
 * `a`: the deadlock report must show `a` acquired in grab() called from
 * holder(). `fixed`: goroutine 3 releases `b` before it locks `a`. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex a, b;
static tg_chan *a_held, *b_held;
static tg_waitgroup wg;
static int fixed;

__attribute__((noinline)) static void warm(tg_mutex *m) {
  for (int i = 0; i < 100; i++) {
    tg_mutex_lock(m);
    tg_mutex_unlock(m);
  }
}

__attribute__((noinline)) static void grab(tg_mutex *m) {
  tg_mutex_lock(m); /* GRAB_LINE */
}

static void holder(void *arg) {
  (void)arg;
  warm(&a);
  grab(&a); /* HOLDER_LINE */
  tg_chan_close(a_held);
  tg_chan_recv(b_held, NULL);
  tg_mutex_lock(&b);
  tg_mutex_unlock(&b);
  tg_mutex_unlock(&a);
  tg_waitgroup_done(&wg);
}

static void other(void *arg) {
  (void)arg;
  tg_mutex_lock(&b);
  tg_chan_recv(a_held, NULL);
  tg_chan_close(b_held);
  tg_sleep(20 * TG_MILLISECOND); /* the holder blocks on b first, or not */
  if (fixed)
    tg_mutex_unlock(&b);
  tg_mutex_lock(&a);
  tg_mutex_unlock(&a);
  if (!fixed)
    tg_mutex_unlock(&b);
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  a_held = tg_chan_make(0, 0);
  b_held = tg_chan_make(0, 0);
  tg_waitgroup_add(&wg, 2);
  tg_go(holder, NULL);
  tg_go(other, NULL);
  if (fixed)
    tg_waitgroup_wait(&wg);
  else
    tg_sleep(300 * TG_MILLISECOND);
  printf("main exits\n");
  return 0;
}
