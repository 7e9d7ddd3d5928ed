/* Seed 001_3dfe1f1bcc3944a6.txt, "Preventing Goroutine Leaks": the fix. The
 * parent passes a done channel; doWork's for-select returns when it is
 * closed. Another goroutine cancels after 1 s (100 ms here), and main joins
 * doWork's goroutine through `terminated`. doWork's deferred calls run last in,
 * first out: close(terminated), then the Println, so "doWork exited." and
 * main's "Done." may come in either order. So that the line is not lost when
 * main wins, the port waits at the end until the other goroutines are gone. */
#include <stdio.h>
#include <tangle.h>

struct work {
  tg_chan *done, *strings, *terminated;
};

static void do_work_goroutine(void *arg) {
  struct work *w = arg;
  for (;;) {
    const char *s;
    tg_case cs[] = {TG_RECV(w->strings, &s, NULL), TG_RECV(w->done, NULL, NULL)};
    if (tg_select(cs, 2) == 0) {
      printf("%s\n", s); /* Do something interesting */
      continue;
    }
    break;
  }
  tg_chan_close(w->terminated);
  printf("doWork exited.\n");
}

static void canceler(void *arg) {
  tg_chan *done = arg;
  tg_sleep(100 * TG_MILLISECOND); /* Cancel the operation after 1 second. */
  printf("Canceling doWork goroutine...\n");
  tg_chan_close(done);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct work w = {tg_chan_make(0, 0), NULL, tg_chan_make(0, 0)};
  tg_go(do_work_goroutine, &w); /* terminated := doWork(done, nil) */
  tg_go(canceler, w.done);
  tg_chan_recv(w.terminated, NULL);
  printf("Done.\n");
  while (tg_num_goroutine() > 1)
    tg_sleep(TG_MILLISECOND);
  return 0;
}
