/* A range written again in a newer epoch (a buffer cleared after every
 * synchronization: the range loop's fast case, race_access.c's
 * renew_whole_words) over a word that another goroutine wrote since, not
 * ordered before this second clear. The first clear is ordered before that
 * write (a hand-off), so only the second one races with it. Each word of
 * the range holds the clearing goroutine's older cell; one also holds the
 * other goroutine's write, which the renewal must not step over. */
//! races: 1
//! stderr: clear_again\(\)
//! stderr: poke\(\)
#include "race_test.h"

#include <stdatomic.h>
#include <string.h>

/* 2 KiB aligned: one shadow page of its own, whose secondary half no other
 * variable's accesses can touch (the fast case needs it untouched). */
long buf[256] __attribute__((aligned(2048)));
volatile size_t buf_bytes = 8 * sizeof buf[0]; /* unseen by the compiler: a memset call */
static tg_chan *to_poker, *finished;
static tg_mutex own; /* the clearer's alone: a new epoch, no edge */
#ifndef ORDER_POKE
static atomic_int poked; /* relaxed only: ordering without happens-before */
#else
static tg_chan *poke_done; /* norace_range_renewed.c: the write -> the second clear */
#endif

static NOINLINE void clear_first(void) {
  memset(buf, 0, buf_bytes);
}

static NOINLINE void clear_again(void) {
  memset(buf, 0, buf_bytes);
}

static NOINLINE void poke(void) {
  buf[3] = 42;
}

static void poker(void *arg) {
  (void)arg;
  int v;
  tg_chan_recv(to_poker, &v); /* after the first clear */
  poke();
#ifndef ORDER_POKE
  atomic_store_explicit(&poked, 1, memory_order_relaxed);
#else
  tg_chan_send(poke_done, &(int){0});
#endif
  tg_chan_send(finished, &(int){0});
}

static void clearer(void *arg) {
  (void)arg;
  clear_first();
  tg_chan_send(to_poker, &(int){0});
#ifndef ORDER_POKE
  AWAIT_RELAXED(poked);
#else
  int v;
  tg_chan_recv(poke_done, &v);
#endif
  tg_mutex_lock(&own);
  tg_mutex_unlock(&own);
  clear_again();
  tg_chan_send(finished, &(int){0});
}

int main(void) {
  to_poker = tg_chan_make(sizeof(int), 1);
  finished = tg_chan_make(sizeof(int), 2);
#ifdef ORDER_POKE
  poke_done = tg_chan_make(sizeof(int), 1);
#endif
  tg_go(poker, NULL);
  tg_go(clearer, NULL);
  int v;
  tg_chan_recv(finished, &v);
  tg_chan_recv(finished, &v);
  return 0;
}
