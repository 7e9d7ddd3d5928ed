/* history_size=0 (one 64 KiB part per slot) and a million accesses
 * between the two racing ones: the previous stack cannot be restored, and
 * the report says so and names the option. */
//! races: 1
//! options: history_size=0
//! env: TANGLE_MAXPROCS=1
//! unrestored: yes
#include "race_test.h"

static int target;
static char noise[1 << 20];
static tg_chan *done, *go_ahead;

static void writer(void *arg) {
  (void)arg;
  int t;
  tg_chan_recv(go_ahead, &t); /* orders only main's actions before its send */
  target = 1;
  tg_chan_send(done, &(int){1});
}

int main(void) {
  done = tg_chan_make(sizeof(int), 0);
  go_ahead = tg_chan_make(sizeof(int), 1);
  tg_go(writer, NULL);
  tg_chan_send(go_ahead, &(int){1});
  int v = target;
  for (int i = 0; i < (1 << 20); i += 8)
    noise[i] = (char)i;
  int x;
  tg_chan_recv(done, &x);
  printf("%d %d\n", v, noise[8]);
  return 0;
}
