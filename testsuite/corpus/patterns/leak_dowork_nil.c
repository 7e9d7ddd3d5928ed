/* Seed 001_3dfe1f1bcc3944a6.txt, "Preventing Goroutine Leaks": the bad
 * goroutine. doWork ranges over a nil channel, which never delivers anything
 * and is never closed, so the goroutine stays blocked for the life of the
 * process: "doWork exited." is never printed. main does not wait for it, so
 * there is no deadlock, only a leak (which the race build reports at exit). */
#include <stdio.h>
#include <tangle.h>

struct work {
  tg_chan *strings; /* <-chan string */
  tg_chan *completed;
};

static void do_work_goroutine(void *arg) {
  struct work *w = arg;
  const char *s;
  while (tg_chan_recv(w->strings, &s))
    printf("%s\n", s); /* Do something interesting */
  tg_chan_close(w->completed);
  printf("doWork exited.\n");
}

static tg_chan *do_work(tg_chan *strings) {
  static struct work w; /* the one call's; lives as long as its goroutine */
  w.strings = strings;
  w.completed = tg_chan_make(0, 0);
  tg_go(do_work_goroutine, &w);
  return w.completed;
}

int main(void) {
  do_work(NULL);
  /* Perhaps more work is done here */
  tg_sleep(10 * TG_MILLISECOND);
  printf("Done.\n");
  return 0;
}
