/* Two distinct racing pairs give two reports, and the exit status is 66,
 * whatever the output: text on stderr; format=json, every report one JSON
 * line with both accesses' symbolized stacks and the summary last;
 * log_path=PATH, the reports in PATH.PID and not on stderr; TANGLE_REPORT_FD,
 * a side channel with hello, each finding and the summary as JSON lines. */
//! races: 2
//! runs: text json log side
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
  printf("main finished\n");
  return 0;
}
