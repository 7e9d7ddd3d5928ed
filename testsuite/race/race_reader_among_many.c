/* A read that is remembered although four later readers of the same word
 * came after it: the word's cells fill up (two in the primary pair, two in
 * the secondary one, shadow.h), and the fifth reader makes room by moving a
 * primary cell over a secondary one, never by dropping the earliest
 * access outright. main then writes, ordered after the four later readers
 * (a WaitGroup) but not after the first one, whose read it must report. */
//! races: 1
//! stderr: early_read\(\)
//! stderr: write_after_readers\(\)
#include "race_test.h"

#include <stdatomic.h>

long x;
static atomic_int early_done; /* relaxed only: ordering without happens-before */
static tg_waitgroup wg;
#ifdef JOIN_EARLY_READER
static tg_chan *joined; /* norace_reader_among_many.c: the first reader is joined too */
#endif

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
#ifdef JOIN_EARLY_READER
  tg_chan_send(joined, &(int){0});
#endif
}

static void late(void *arg) {
  (void)arg;
  late_read();
  tg_waitgroup_done(&wg);
}

int main(void) {
#ifdef JOIN_EARLY_READER
  joined = tg_chan_make(sizeof(int), 1);
#endif
  tg_go(early, NULL);
  AWAIT_RELAXED(early_done);
  for (int i = 0; i < 4; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(late, NULL);
    tg_waitgroup_wait(&wg); /* one at a time: each fills the next cell */
  }
#ifdef JOIN_EARLY_READER
  int v;
  tg_chan_recv(joined, &v);
#endif
  write_after_readers();
  return 0;
}
