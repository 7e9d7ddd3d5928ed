/* Seed 001_3dfe1f1bcc3944a6.txt, "Channels": closing a channel signals many
 * goroutines at once. Five goroutines block on <-begin; one close releases all
 * of them. Their order is not defined (the seed's run shows 4 2 3 0 1). */
#include <stdint.h>
#include <stdio.h>
#include <tangle.h>

static tg_chan *begin;  /* set by main before any goroutine starts */
static tg_waitgroup wg; /* zero value is ready */

static void waiter(void *arg) {
  int i = (int)(intptr_t)arg;
  tg_chan_recv(begin, NULL); /* blocks until close(begin) */
  printf("%d has begun\n", i);
  tg_waitgroup_done(&wg);
}

int main(void) {
  begin = tg_chan_make(sizeof(void *), 0); /* chan interface{} */
  for (int i = 0; i < 5; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(waiter, (void *)(intptr_t)i);
  }
  printf("Unblocking goroutines...\n");
  tg_chan_close(begin);
  tg_waitgroup_wait(&wg);
  tg_chan_free(begin);
  return 0;
}
