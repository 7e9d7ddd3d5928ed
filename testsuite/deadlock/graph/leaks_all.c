/* A goroutine sleeping at exit is not a leak by default (a timer will wake
 * it), but leaks=all lists it; one blocked on a channel is listed either
 * way. */
#include <tangle.h>

static void sleeper(void *p) {
  (void)p;
  tg_sleep(10 * TG_SECOND);
}

static void blocked(void *p) { tg_chan_recv(p, NULL); }

int main(void) {
  tg_go(sleeper, NULL);
  tg_go(blocked, tg_chan_make(0, 0));
  tg_sleep(20 * TG_MILLISECOND);
  return 0;
}
