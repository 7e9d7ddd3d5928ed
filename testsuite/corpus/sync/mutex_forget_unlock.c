/* Seed 002_86b5fec98460e5da.txt, "What happens if you forget to unlock a
 * mutex?" (forgetMutex.go): function() locks and never unlocks. The first of
 * the book's two goroutines gets the lock; the second waits for it forever,
 * and so does main's Wait: "the program crashes because of the deadlock". */
#include <stdio.h>
#include <tangle.h>

static tg_mutex m;
static tg_waitgroup w;

static void function(void) {
  tg_mutex_lock(&m);
  printf("Locked!\n");
}

static void goroutine(void *arg) {
  (void)arg;
  function();
  tg_waitgroup_done(&w); /* defer w.Done() */
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  tg_waitgroup_add(&w, 1);
  tg_go(goroutine, NULL);
  tg_waitgroup_add(&w, 1);
  tg_go(goroutine, NULL);
  tg_waitgroup_wait(&w);
  return 0;
}
