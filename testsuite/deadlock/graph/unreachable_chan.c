/* A goroutine blocked on a channel that nothing able to run can reach is
 * deadlocked (Go's GC-based leak detection's rule): reported while the
 * program runs, not only as a leak at exit. Each variant keeps main
 * running 400 ms after the goroutine blocked:
 *   (none)  the channel was made by a function that returned: nobody else
 *           has it. Reported.
 *   freed   the only other copy of the pointer was in a heap block that was
 *           freed, by another goroutine (the chunk sits in the cache of
 *           a thread, whose stack is a root, and keeps stale bytes): still
 *           reported.
 *   fixed   main keeps the channel in a heap block it can reach, and
 *           closes it at the end: silent.
 *   timer   only a timer can complete the wait (tg_after): silent.
 *   global  the channel is in a global variable, which main reads at the
 *           end to close it: silent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tangle.h>

struct box {
  tg_chan *c;
  long pad[5];
};

static tg_chan *global;
static tg_waitgroup wg;

static void freer(void *arg) {
  free(arg);
  tg_waitgroup_done(&wg);
}

static void waiter(void *arg) {
  tg_chan_recv(arg, NULL);
  tg_waitgroup_done(&wg);
}

__attribute__((noinline)) static void start(const char *mode, struct box **keep) {
  tg_chan *c = strcmp(mode, "timer") == 0 ? tg_after(300 * TG_MILLISECOND) : tg_chan_make(0, 0);
  if (strcmp(mode, "global") == 0)
    global = c;
  struct box *b = calloc(1, sizeof *b);
  b->c = c;
  tg_waitgroup_add(&wg, 1);
  tg_go(waiter, c);
  if (strcmp(mode, "freed") == 0) {
    tg_waitgroup_add(&wg, 1);
    tg_go(freer, b);
  } else if (strcmp(mode, "fixed") == 0)
    *keep = b;
  else
    free(b), b = NULL;
}

struct job {
  const char *mode;
  struct box *keep;
  tg_chan *started;
};

/* start() runs on a goroutine of its own that then exits: main's stack
 * never holds the channel (a conservative scan of main's frames could
 * find a stale copy of it there). */
static void spawner(void *arg) {
  struct job *j = arg;
  start(j->mode, &j->keep);
  tg_chan_close(j->started);
}

int main(int argc, char **argv) {
  static struct job j;
  j.mode = argc > 1 ? argv[1] : "";
  j.started = tg_chan_make(0, 0);
  tg_go(spawner, &j);
  tg_chan_recv(j.started, NULL);
  tg_sleep(400 * TG_MILLISECOND);
  if (j.keep) {
    tg_chan_close(j.keep->c);
    tg_waitgroup_wait(&wg);
  }
  if (global) {
    tg_chan_close(global);
    tg_waitgroup_wait(&wg);
  }
  if (strcmp(j.mode, "timer") == 0)
    tg_waitgroup_wait(&wg);
  printf("main exits\n");
  return 0;
}
