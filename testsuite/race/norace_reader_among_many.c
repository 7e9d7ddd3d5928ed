/* race_reader_among_many.c's clean twin: the first reader is joined too
 * (it sends on a channel main receives before writing), so main's write is
 * ordered after all five reads, wherever their cells went. */
//! races: 0
#include "race_test.h"

#include <stdatomic.h>

long x;
static atomic_int early_done; /* relaxed only: ordering without happens-before */
static tg_waitgroup wg;
static tg_chan *joined;

static NOINLINE void early_read(void) {
  KEEP(x);
}

static NOINLINE void late_read(void) {
  KEEP(x);
}

static NOINLINE void write_after_readers(void) {
  x = 42;
}

static void early(void *arg) {
  (void)arg;
  early_read();
  atomic_store_explicit(&early_done, 1, memory_order_relaxed);
  tg_chan_send(joined, &(int){0});
}

static void late(void *arg) {
  (void)arg;
  late_read();
  tg_waitgroup_done(&wg);
}

int main(void) {
  joined = tg_chan_make(sizeof(int), 1);
  tg_go(early, NULL);
  while (!atomic_load_explicit(&early_done, memory_order_relaxed))
    tg_yield();
  for (int i = 0; i < 4; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(late, NULL);
    tg_waitgroup_wait(&wg);
  }
  int v;
  tg_chan_recv(joined, &v);
  write_after_readers();
  return 0;
}
