/* suppressions=FILE: "race:quiet_writer" silences the race whose stacks
 * name quiet_writer; the other race is still reported and counted. */
//! races: 1
//! options: suppressions=supp.txt
//! file: supp.txt=# comment\nrace:quiet_writer
//! stderr: loud_writer\(\)
//! not-stderr: quiet_writer
#include "race_test.h"

int a, b; /* external: the stores must stay */
static tg_waitgroup wg;

static void quiet_writer(void *arg) {
  (void)arg;
  a = 1;
  tg_waitgroup_done(&wg);
}

static void loud_writer(void *arg) {
  (void)arg;
  b = 1;
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(quiet_writer, NULL);
  tg_go(loud_writer, NULL);
  a = 2;
  b = 2;
  tg_waitgroup_wait(&wg);
  return 0;
}
