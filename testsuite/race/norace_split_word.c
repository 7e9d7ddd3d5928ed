/* TestNoRaceSplitWord: race_split_word's twin. The writer hands the word
 * to the reader (an unbuffered send, also its new epoch) after writing it
 * whole, then writes the upper half; the reader, after that receive, reads
 * the lower half: it knows the whole-word write, and the upper-half write
 * is on other bytes. The split cells must not make either a race. */
//! races: 0
//! stdout: low=1010101
#include "race_test.h"

#include <stdatomic.h>
#include <stdint.h>

union word {
  uint64_t whole;
  uint32_t half[2];
} w;
static atomic_int phase; /* relaxed: the read comes after the split */
static tg_chan *handoff, *finished;

static NOINLINE void write_whole(void) {
  w.whole = 0x0101010101010101ull;
}

static NOINLINE void write_high(int v) {
  w.half[1] = (uint32_t)v;
}

static void writer(void *arg) {
  (void)arg;
  write_whole();
  tg_chan_send(handoff, &(int){1}); /* the reader learns the write; new epoch */
  write_high(7);
  atomic_store_explicit(&phase, 1, memory_order_relaxed);
  tg_chan_send(finished, &(int){0});
}

static NOINLINE uint32_t read_low(void) {
  return w.half[0];
}

static void reader(void *arg) {
  (void)arg;
  int v;
  tg_chan_recv(handoff, &v);
  AWAIT_RELAXED_EQ(phase, 1);
  printf("low=%x\n", read_low());
  tg_chan_send(finished, &(int){0});
}

int main(void) {
  handoff = tg_chan_make(sizeof(int), 0);
  finished = tg_chan_make(sizeof(int), 2);
  tg_go(writer, NULL);
  tg_go(reader, NULL);
  int v;
  tg_chan_recv(finished, &v);
  tg_chan_recv(finished, &v);
  return 0;
}
