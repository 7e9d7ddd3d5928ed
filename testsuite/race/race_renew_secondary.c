/* A renewed read whose cell lives in the word's secondary pair, racing with
 * a write that came after the reader's first read. main writes x and a
 * first reader reads it (the primary pair is full); a second reader's read
 * goes to the secondary pair. A writer ordered after both reads writes x,
 * and the second reader, in a new epoch but not ordered after that write,
 * reads x again: it finds its own older cell in the secondary pair and may
 * renew it only if no other cell conflicts (race_fast.h,
 * tg__fast_renew_secondary). The write is the conflict. */
//! races: 1
//! stderr: second_read\(\)
//! stderr: late_write\(\)
#include "race_test.h"

#include <stdatomic.h>

long x;
static tg_chan *first_done, *second_done, *writer_done;
static tg_mutex own; /* the second reader's alone: a new epoch, no edge */
#ifndef ORDER_WRITE
static atomic_int written; /* relaxed only: ordering without happens-before */
#else
static tg_chan *handoff; /* norace_renew_secondary.c: write -> second read */
#endif

static NOINLINE void first_read(void) {
  KEEP(x);
}

static NOINLINE void second_read(void) {
  KEEP(x);
}

static NOINLINE void late_write(void) {
  x = 2;
}

static void first(void *arg) {
  (void)arg;
  first_read();
  tg_chan_send(first_done, &(int){0});
}

static void second(void *arg) {
  (void)arg;
  second_read(); /* the secondary pair: main's write and first_read fill the primary */
  tg_chan_send(second_done, &(int){0});
#ifndef ORDER_WRITE
  AWAIT_RELAXED(written);
#else
  int v;
  tg_chan_recv(handoff, &v);
#endif
  tg_mutex_lock(&own);
  tg_mutex_unlock(&own);
  second_read(); /* renewed: the same access, a newer epoch */
  tg_chan_send(second_done, &(int){0});
}

static void writer(void *arg) {
  (void)arg;
  late_write();
#ifndef ORDER_WRITE
  atomic_store_explicit(&written, 1, memory_order_relaxed);
#else
  tg_chan_send(handoff, &(int){0});
#endif
  tg_chan_send(writer_done, &(int){0});
}

int main(void) {
  first_done = tg_chan_make(sizeof(int), 1);
  second_done = tg_chan_make(sizeof(int), 2);
  writer_done = tg_chan_make(sizeof(int), 1);
#ifdef ORDER_WRITE
  handoff = tg_chan_make(sizeof(int), 0);
#endif
  int v;
  x = 1;
  tg_go(first, NULL);
  tg_chan_recv(first_done, &v);
  tg_go(second, NULL);
  tg_chan_recv(second_done, &v);
  tg_go(writer, NULL); /* after main's write and both first reads */
  tg_chan_recv(writer_done, &v);
  tg_chan_recv(second_done, &v);
  return 0;
}
