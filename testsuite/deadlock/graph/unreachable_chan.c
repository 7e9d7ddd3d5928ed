/* A goroutine blocked on a channel that nothing able to run can reach is
 * deadlocked (Go's GC-based leak detection's rule): reported while the
 * program runs, not only as a leak at exit. Each variant keeps main
 * running 400 ms after the goroutine blocked:
 *   (none)  the channel was made by a function that returned: nobody else
 *           has it. Reported.
 *   freed   the only other copy of the pointer was in a heap block that was
 *           freed (a free chunk keeps stale bytes): still reported.
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
  if (strcmp(mode, "freed") == 0)
    free(b);
  else if (strcmp(mode, "fixed") == 0)
    *keep = b;
  else
    free(b), b = NULL;
}

/* start()'s locals may linger below main's frame: overwrite them, as a
 * precise collector would know them dead. */
__attribute__((noinline)) static void scrub(void) {
  volatile char junk[8192];
  memset((char *)junk, 0, sizeof junk);
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "";
  struct box *keep = NULL;
  start(mode, &keep);
  scrub();
  tg_sleep(400 * TG_MILLISECOND);
  if (keep) {
    tg_chan_close(keep->c);
    tg_waitgroup_wait(&wg);
  }
  if (global) {
    tg_chan_close(global);
    tg_waitgroup_wait(&wg);
  }
  if (strcmp(mode, "timer") == 0)
    tg_waitgroup_wait(&wg);
  printf("main exits\n");
  return 0;
}
