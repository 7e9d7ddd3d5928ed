/* halt_on_error=1: the program stops at the first report (two races in
 * it, one reported), with the exit status. */
//! races: 1
//! options: halt_on_error=1
//! not-stdout: not reached
//! stderr: ^Found 1 data race\(s\)$
#include "race_test.h"

int a, b; /* external: the stores must stay */
static tg_waitgroup wg;

static void wa(void *arg) {
  (void)arg;
  a = 1;
  tg_waitgroup_done(&wg);
}

static void wb(void *arg) {
  (void)arg;
  b = 1;
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(wa, NULL);
  tg_go(wb, NULL);
  a = 2;
  b = 2;
  tg_waitgroup_wait(&wg);
  printf("not reached\n");
  return 0;
}
