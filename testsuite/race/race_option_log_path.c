/* log_path=PATH: the reports go to PATH.PID, not to stderr. */
//! races: 2
//! mode: log
//! stderr: ^Found 2 data race\(s\)$
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
  return 0;
}
