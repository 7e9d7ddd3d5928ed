/* Unbuffered ping-pong: the seeds' BenchmarkContextSwitch. A sender and a
 * receiver exchange empty elements over an unbuffered channel; both wait on
 * a begin channel so that starting them is not measured. One op = one
 * send/receive rendezvous. Completion is signalled on a done channel (the
 * seeds use a WaitGroup; the Go peer does the same as here). */
#include "bench.h"
#include <tangle.h>

static tg_chan *begin, *c, *done; /* set up by main before the goroutines start */
static long n;
static char token; /* elements are empty: nothing is copied */

static void sender(void *arg) {
  (void)arg;
  tg_chan_recv(begin, NULL);
  for (long i = 0; i < n; i++)
    tg_chan_send(c, &token);
  tg_chan_send(done, &token);
}

static void receiver(void *arg) {
  long *got = arg;
  tg_chan_recv(begin, NULL);
  for (long i = 0; i < n; i++)
    if (tg_chan_recv(c, NULL))
      (*got)++;
  tg_chan_send(done, &token);
}

int main(int argc, char **argv) {
  n = bench_ops(argc, argv, 1000000);
  begin = tg_chan_make(0, 0);
  c = tg_chan_make(0, 0);
  done = tg_chan_make(0, 2);
  long got = 0;
  tg_go(sender, NULL);
  tg_go(receiver, &got);
  int64_t t0 = bench_now();
  tg_chan_close(begin);
  tg_chan_recv(done, NULL);
  tg_chan_recv(done, NULL);
  int64_t t1 = bench_now();
  bench_check(got == n, "receiver count");
  bench_report("pingpong", t1 - t0, n, NULL);
  return 0;
}
