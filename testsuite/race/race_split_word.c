/* TestRaceSplitWord: a goroutine writes a whole 8-byte word, and after a
 * new epoch (an unbuffered hand-off with a third goroutine) writes only its
 * upper half. The renewed case splits the word's cell: the older write
 * keeps the lower half, the new one takes the upper. Another goroutine,
 * with no synchronization with the writer (relaxed atomics only), then
 * reads the lower half: it races with the whole-word write, which the
 * split must not have forgotten. */
//! races: 1
//! stderr: write_whole\(\)
//! stderr: read_low\(\)
#include "race_test.h"

#include <stdatomic.h>
#include <stdint.h>

union word {
  uint64_t whole;
  uint32_t half[2];
} w;
static atomic_int phase; /* relaxed only: ordering without happens-before */
static tg_chan *tick, *finished;

static void ticker(void *arg) {
  (void)arg;
  tg_chan_send(tick, &(int){1});
}

static NOINLINE void write_whole(void) {
  w.whole = 0x0101010101010101ull;
}

static NOINLINE void write_high(int v) {
  w.half[1] = (uint32_t)v;
}

static void writer(void *arg) {
  (void)arg;
  write_whole();
  int v;
  tg_chan_recv(tick, &v); /* a new epoch for this goroutine */
  write_high(v);
  atomic_store_explicit(&phase, 1, memory_order_relaxed);
  tg_chan_send(finished, &(int){0});
}

static NOINLINE void read_low(void) {
  KEEP(w.half[0]);
}

static void reader(void *arg) {
  (void)arg;
  AWAIT_RELAXED_EQ(phase, 1);
  read_low();
  tg_chan_send(finished, &(int){0});
}

int main(void) {
  tick = tg_chan_make(sizeof(int), 0);
  finished = tg_chan_make(sizeof(int), 2);
  tg_go(ticker, NULL);
  tg_go(writer, NULL);
  tg_go(reader, NULL);
  int v;
  tg_chan_recv(finished, &v);
  tg_chan_recv(finished, &v);
  return 0;
}
