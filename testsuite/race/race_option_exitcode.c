/* exitcode=N changes the status a race makes the program exit with. */
//! races: 1
//! options: exitcode=9
//! exit: 9
#include "race_test.h"

int a; /* external: the stores must stay */
static tg_waitgroup wg;

static void wa(void *arg) {
  (void)arg;
  a = 1;
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 1);
  tg_go(wa, NULL);
  a = 2;
  tg_waitgroup_wait(&wg);
  return 0;
}
