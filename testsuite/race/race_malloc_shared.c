/* The twin: a heap block shared without synchronization still races. */
//! races: 1
#include "race_test.h"

static tg_waitgroup wg;

static void writer(void *arg) {
  int *p = arg;
  p[3] = 1;
  tg_waitgroup_done(&wg);
}

int main(void) {
  int *p = calloc(8, sizeof *p);
  tg_waitgroup_add(&wg, 2);
  tg_go(writer, p);
  tg_go(writer, p);
  tg_waitgroup_wait(&wg);
  free(p);
  return 0;
}
