/* Two locks taken in opposite orders by two goroutines that never overlap
 * (the second starts after the first finished): no deadlock happens in this
 * run, but the lock-order graph has the cycle A -> B -> A, which lockdep
 * calls a possible deadlock. `fixed`: both take A before B. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex a, b;
static int fixed, total;

static void take_a_then_b(void *arg) {
  (void)arg;
  tg_mutex_lock(&a);
  tg_mutex_lock(&b);
  total++;
  tg_mutex_unlock(&b);
  tg_mutex_unlock(&a);
}

static void take_b_then_a(void *arg) {
  (void)arg;
  tg_mutex_lock(&b);
  tg_mutex_lock(&a);
  total++;
  tg_mutex_unlock(&a);
  tg_mutex_unlock(&b);
}

static void run_and_wait(tg_func fn) {
  tg_chan *done = tg_chan_make(0, 0);
  struct {
    tg_func fn;
    tg_chan *done;
  } job = {fn, done};
  void trampoline(void *p);
  tg_go(trampoline, &job);
  tg_chan_recv(done, NULL);
  tg_chan_free(done);
}

void trampoline(void *p) {
  struct {
    tg_func fn;
    tg_chan *done;
  } *job = p;
  job->fn(NULL);
  tg_chan_send(job->done, NULL);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  run_and_wait(take_a_then_b);
  run_and_wait(fixed ? take_a_then_b : take_b_then_a);
  printf("total: %d\n", total);
  return 0;
}
