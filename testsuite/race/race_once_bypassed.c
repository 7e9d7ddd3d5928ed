/* TestRaceOnce: one goroutine reads the configuration without going
 * through the Once. */
//! races: 1
//! stderr: impatient\(\)
#include "race_test.h"

static tg_once once;
static int config;
static tg_waitgroup wg;

static void init_config(void *arg) {
  (void)arg;
  config = 42;
}

static void user(void *arg) {
  (void)arg;
  tg_once_do(&once, init_config, NULL);
  tg_waitgroup_done(&wg);
}

static void impatient(void *arg) {
  (void)arg;
  KEEP(config);
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(user, NULL);
  tg_go(impatient, NULL);
  tg_waitgroup_wait(&wg);
  return 0;
}
