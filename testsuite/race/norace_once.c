/* TestNoRaceOnce: the once function's writes happen before every Do
 * returns, in every goroutine. */
//! races: 0
//! stdout: config=42 seen=8
#include "race_test.h"

static tg_once once;
static int config;
static tg_waitgroup wg;
static tg_mutex mu;
static int seen;

static void init_config(void *arg) {
  (void)arg;
  config = 42;
}

static void user(void *arg) {
  (void)arg;
  tg_once_do(&once, init_config, NULL);
  int c = config;
  tg_mutex_lock(&mu);
  seen += c == 42;
  tg_mutex_unlock(&mu);
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (int i = 0; i < 8; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(user, NULL);
  }
  tg_waitgroup_wait(&wg);
  printf("config=%d seen=%d\n", config, seen);
  return 0;
}
