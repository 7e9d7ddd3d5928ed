/* Seed 002_86b5fec98460e5da.txt, "Timing out a goroutine - outside main()"
 * (timeOut2.go). The seed has only the heading ("the select block holds the
 * logic of the time out"); this is the book's program. timeout() waits for a
 * WaitGroup in a helper goroutine and gives up after t. The first call times
 * out because nobody has called Done yet; the second succeeds. The book's 5 s
 * helper sleep is 20 ms here and t is 500 ms (the book takes t from the
 * command line). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

struct helper_args {
  tg_waitgroup *wg;
  tg_chan *temp;
};

static void helper(void *arg) {
  struct helper_args *a = arg;
  tg_sleep(20 * TG_MILLISECOND);
  tg_waitgroup_wait(a->wg);
  tg_chan_close(a->temp); /* defer close(temp) */
}

static bool timeout(tg_waitgroup *wg, int64_t t) {
  /* Not freed: after a timeout the helper still uses them (Go's GC would
   * keep them alive for as long as it does). */
  struct helper_args *a = malloc(sizeof *a);
  a->wg = wg;
  a->temp = tg_chan_make(sizeof(int), 0);
  tg_go(helper, a);
  tg_case cs[] = {TG_RECV(a->temp, NULL, NULL), TG_AFTER(t)};
  return tg_select(cs, 2) == 1;
}

int main(void) {
  int64_t duration = 500 * TG_MILLISECOND;
  printf("Timeout period is %lldms\n", (long long)(duration / TG_MILLISECOND));
  tg_waitgroup wg = {0};
  tg_waitgroup_add(&wg, 1);
  tg_sleep(10 * TG_MILLISECOND);
  if (timeout(&wg, duration))
    printf("Timed out!\n");
  else
    printf("OK!\n");
  tg_waitgroup_done(&wg);
  if (timeout(&wg, duration))
    printf("Timed out!\n");
  else
    printf("OK!\n");
  return 0;
}
