/* TestRaceRenewedEpochs: a goroutine reads x, and after a new epoch (an
 * unbuffered hand-off with a third goroutine) writes it at another line:
 * its write supersedes its own earlier read cell, the detector's inline
 * "renewed" case. In between, another goroutine read x with no
 * synchronization with it (the two are ordered only by relaxed atomics,
 * which carry no happens-before). That read did not conflict with a read;
 * the write must see it. */
//! races: 1
//! stderr: write_after_handoff\(\)
//! stderr: stray_read\(\)
#include "race_test.h"

#include <stdatomic.h>

long x;
static atomic_int phase; /* relaxed only: ordering without happens-before */
static tg_chan *tick, *finished;

static void wait_phase(int p) {
  AWAIT_RELAXED_EQ(phase, p);
}

static void ticker(void *arg) {
  (void)arg;
  tg_chan_send(tick, &(int){1});
}

static NOINLINE void first_read(void) {
  KEEP(x);
}

static NOINLINE void write_after_handoff(int v) {
  x = v;
}

static void writer(void *arg) {
  (void)arg;
  first_read();
  atomic_store_explicit(&phase, 1, memory_order_relaxed);
  wait_phase(2);
  int v;
  tg_chan_recv(tick, &v); /* a new epoch for this goroutine */
  write_after_handoff(v);
  tg_chan_send(finished, &(int){0});
}

static NOINLINE void stray_read(void) {
  KEEP(x);
}

static void stray(void *arg) {
  (void)arg;
  wait_phase(1);
  stray_read();
  atomic_store_explicit(&phase, 2, memory_order_relaxed);
  tg_chan_send(finished, &(int){0});
}

int main(void) {
  tick = tg_chan_make(sizeof(int), 0);
  finished = tg_chan_make(sizeof(int), 2);
  tg_go(ticker, NULL);
  tg_go(writer, NULL);
  tg_go(stray, NULL);
  int v;
  tg_chan_recv(finished, &v);
  tg_chan_recv(finished, &v);
  return 0;
}
