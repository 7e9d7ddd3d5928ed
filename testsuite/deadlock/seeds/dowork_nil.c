/* Seed 001, "preventing goroutine leaks": doWork(nil) ranges over a nil
 * channel, so its goroutine blocks forever; main goes on and exits. The
 * race build lists it as a leak at exit. `fixed`: the seed's remedy, a done
 * channel the parent closes; doWork's goroutine selects on it and returns. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

struct work {
  tg_chan *done, *strings, *completed;
};

static void worker(void *p) {
  struct work *w = p;
  for (;;) {
    const char *s;
    bool ok;
    tg_case cs[] = {TG_RECV(w->strings, &s, &ok), TG_RECV(w->done, NULL, NULL)};
    int i = w->done ? tg_select(cs, 2) : (tg_chan_recv(w->strings, &s) ? 0 : 2);
    if (i != 0 || !ok)
      break;
    printf("%s\n", s);
  }
  printf("doWork exited.\n");
  tg_chan_close(w->completed);
}

static tg_chan *do_work(tg_chan *done, tg_chan *strings) {
  static struct work w;
  w = (struct work){done, strings, tg_chan_make(0, 0)};
  tg_go(worker, &w);
  return w.completed;
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "fixed") == 0) {
    tg_chan *done = tg_chan_make(0, 0);
    tg_chan *terminated = do_work(done, NULL);
    tg_sleep(50 * TG_MILLISECOND);
    printf("Canceling doWork goroutine...\n");
    tg_chan_close(done);
    tg_chan_recv(terminated, NULL);
  } else {
    do_work(NULL, NULL);
    tg_sleep(50 * TG_MILLISECOND); /* "perhaps more work is done here" */
  }
  printf("Done.\n");
  return 0;
}
