/* Seed 001_3dfe1f1bcc3944a6.txt, "3 Go's Concurrency Building Blocks" >
 * "GoRoutines": BenchmarkContextSwitch, as a small program. A sender and a
 * receiver wait on `begin`, then pass N empty tokens over an unbuffered
 * channel: each token is two goroutine switches. The timing goes to stderr;
 * stdout only says how many tokens went through, which does not depend on the
 * machine. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

struct bench {
  tg_waitgroup wg;
  tg_chan *begin; /* closed to start both goroutines at once */
  tg_chan *c;     /* chan struct{} */
  long n;
  long sent, received; /* each written by one goroutine, read after Wait */
};

static void sender(void *arg) {
  struct bench *b = arg;
  tg_chan_recv(b->begin, NULL);
  char token = 0;
  for (long i = 0; i < b->n; i++) {
    tg_chan_send(b->c, &token);
    b->sent++;
  }
  tg_waitgroup_done(&b->wg);
}

static void receiver(void *arg) {
  struct bench *b = arg;
  tg_chan_recv(b->begin, NULL);
  for (long i = 0; i < b->n; i++) {
    tg_chan_recv(b->c, NULL);
    b->received++;
  }
  tg_waitgroup_done(&b->wg);
}

int main(int argc, char **argv) {
  struct bench b = {.n = argc > 1 ? atol(argv[1]) : 100000};
  b.begin = tg_chan_make(0, 0);
  b.c = tg_chan_make(0, 0);
  tg_waitgroup_add(&b.wg, 2);
  tg_go(sender, &b);
  tg_go(receiver, &b);
  int64_t start = tg_now(); /* b.StartTimer() */
  tg_chan_close(b.begin);
  tg_waitgroup_wait(&b.wg);
  int64_t elapsed = tg_now() - start;
  printf("sent %ld tokens, received %ld\n", b.sent, b.received);
  fprintf(stderr, "BenchmarkContextSwitch %ld %.1f ns/op\n", b.n, (double)elapsed / (double)b.n);
  tg_chan_free(b.c);
  tg_chan_free(b.begin);
  return 0;
}
