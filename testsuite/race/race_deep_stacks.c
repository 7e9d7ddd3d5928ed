/* Both stacks of a report, several calls deep, with inlined frames
 * allowed: the previous access's stack is restored from the history even
 * after many other accesses in between. */
//! races: 1
//! env: TANGLE_MAXPROCS=1
//! stderr: ^Write at 0x[0-9a-f]+ by goroutine \d+:\n  store_level3\(\) \S+:\d+\n(  .*\n)*
//! store_level2\(\) \S+:\d+\n(  .*\n)*  store_level1\(\) stderr: ^Previous read at 0x[0-9a-f]+ by
//! goroutine 1:\n  load_level3\(\) \S+:\d+\n(  .*\n)*  load_level2\(\) \S+:\d+\n(  .*\n)*  main\(\)
#include "race_test.h"

static int target;
static int noise[4096];
static tg_chan *done, *go_ahead;

static NOINLINE void store_level3(int v) {
  target = v;
}
static NOINLINE void store_level2(int v) {
  store_level3(v + 1);
}
static NOINLINE void store_level1(void *arg) {
  (void)arg;
  int t;
  tg_chan_recv(go_ahead, &t); /* orders only main's actions before its send */
  store_level2(1);
  tg_chan_send(done, &(int){1});
}

static NOINLINE int load_level3(void) {
  return target;
}
static NOINLINE int load_level2(void) {
  return load_level3() + 1;
}

int main(void) {
  done = tg_chan_make(sizeof(int), 0);
  go_ahead = tg_chan_make(sizeof(int), 1);
  tg_go(store_level1, NULL);
  tg_chan_send(go_ahead, &(int){1});
  int v = load_level2();
  for (int i = 0; i < 4096; i++) /* thousands of accesses after it */
    noise[i] = i;
  int x;
  tg_chan_recv(done, &x);
  printf("%d %d\n", v, noise[7]);
  return 0;
}
