/* Seed 001_3dfe1f1bcc3944a6.txt, "Fan-Out, Fan-In": the prime finder. A
 * stream of random numbers (repeatFn + toInt) goes through primeFinder, a
 * deliberately slow stage, and take keeps the first 10 primes. Then the same
 * search fanned out: one primeFinder per CPU reading the same stream, their
 * outputs multiplexed back into one stream by fanIn (a goroutine per input
 * and a WaitGroup to close the output once all are drained).
 *
 * The numbers are below 50,000 instead of 50,000,000 so the search takes
 * milliseconds, and the random source is seeded so the serial search is
 * reproducible; which primes the fanned-out search finds first is not
 * defined. The port adds a check of its own that every number printed is
 * prime by primeFinder's definition (n - 1 has no divisor in (1, n - 1)). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>
#include <unistd.h>

#define ELEM sizeof(intptr_t) /* interface{} */

struct stage {
  tg_chan *done, *in, *out;
  int num;
};

static struct stage *stage(tg_chan *done, tg_chan *in, size_t out_elem) {
  struct stage *s = malloc(sizeof *s);
  *s = (struct stage){done, in, tg_chan_make(out_elem, 0), 0};
  return s;
}

static bool send_or_done(struct stage *s, void *v) {
  tg_case cs[] = {TG_RECV(s->done, NULL, NULL), TG_SEND(s->out, v)};
  return tg_select(cs, 2) == 1;
}

static void repeat_fn_g(void *arg) {
  struct stage *s = arg;
  for (;;) {
    intptr_t v = (intptr_t)(random() % 50000); /* rand.Intn(50000000) */
    if (!send_or_done(s, &v))
      break;
  }
  tg_chan_close(s->out);
}

static void to_int_g(void *arg) {
  struct stage *s = arg;
  intptr_t v;
  while (tg_chan_recv(s->in, &v)) {
    int i = (int)v; /* v.(int) */
    if (!send_or_done(s, &i))
      break;
  }
  tg_chan_close(s->out);
}

static bool prime_by_finder(int integer) {
  for (int divisor = integer - 1; divisor > 1; divisor--)
    if (integer % divisor == 0)
      return false;
  return true;
}

static void prime_finder_g(void *arg) {
  struct stage *s = arg;
  int integer;
  while (tg_chan_recv(s->in, &integer)) {
    integer -= 1;
    if (prime_by_finder(integer)) {
      intptr_t v = integer;
      if (!send_or_done(s, &v))
        break;
    }
  }
  tg_chan_close(s->out);
}

static void take_g(void *arg) {
  struct stage *s = arg;
  for (int i = 0; i < s->num; i++) {
    intptr_t v;
    tg_chan_recv(s->in, &v);
    if (!send_or_done(s, &v))
      break;
  }
  tg_chan_close(s->out);
}

static tg_chan *run(tg_func fn, struct stage *s) {
  tg_go(fn, s);
  return s->out;
}

struct fan_in {
  tg_chan *done, *multiplexed_stream;
  tg_waitgroup wg;
};

struct multiplex_args {
  struct fan_in *f;
  tg_chan *c;
};

static void multiplex(void *arg) {
  struct multiplex_args *m = arg;
  intptr_t i;
  while (tg_chan_recv(m->c, &i)) {
    tg_case cs[] = {TG_RECV(m->f->done, NULL, NULL), TG_SEND(m->f->multiplexed_stream, &i)};
    if (tg_select(cs, 2) == 0)
      break;
  }
  tg_waitgroup_done(&m->f->wg);
}

static void wait_and_close(void *arg) {
  struct fan_in *f = arg;
  tg_waitgroup_wait(&f->wg); /* Wait for all the reads to complete */
  tg_chan_close(f->multiplexed_stream);
}

static tg_chan *fan_in(tg_chan *done, tg_chan **channels, int n) {
  struct fan_in *f = calloc(1, sizeof *f);
  f->done = done;
  f->multiplexed_stream = tg_chan_make(ELEM, 0);
  tg_waitgroup_add(&f->wg, n);
  for (int i = 0; i < n; i++) {
    struct multiplex_args *m = malloc(sizeof *m);
    *m = (struct multiplex_args){f, channels[i]};
    tg_go(multiplex, m);
  }
  tg_go(wait_and_close, f);
  return f->multiplexed_stream;
}

/* Prints what take delivers; returns how many fail primeFinder's test. */
static int print_primes(tg_chan *primes, int *count) {
  int bad = 0;
  intptr_t prime;
  printf("Primes:\n");
  while (tg_chan_recv(primes, &prime)) {
    printf("\t%ld\n", (long)prime);
    bad += !prime_by_finder((int)prime);
    ++*count;
  }
  return bad;
}

int main(void) {
  srandom(1);
  tg_chan *done = tg_chan_make(sizeof(void *), 0);

  int64_t start = tg_now();
  tg_chan *rand_int_stream =
      run(to_int_g, stage(done, run(repeat_fn_g, stage(done, NULL, ELEM)), sizeof(int)));
  struct stage *t = stage(done, run(prime_finder_g, stage(done, rand_int_stream, ELEM)), ELEM);
  t->num = 10;
  int count = 0, bad = print_primes(run(take_g, t), &count);
  fprintf(stderr, "Search took: %.3fms\n", (double)(tg_now() - start) / 1e6);
  printf("serial: %d primes, %d not prime\n", count, bad);

  start = tg_now();
  int num_finders = (int)sysconf(_SC_NPROCESSORS_ONLN); /* runtime.NumCPU() */
  if (num_finders < 2)
    num_finders = 2;
  printf("Spinning up %d prime finders.\n", num_finders);
  tg_chan **finders = malloc(sizeof *finders * (size_t)num_finders);
  for (int i = 0; i < num_finders; i++)
    finders[i] = run(prime_finder_g, stage(done, rand_int_stream, ELEM));
  t = stage(done, fan_in(done, finders, num_finders), ELEM);
  t->num = 10;
  count = 0;
  bad = print_primes(run(take_g, t), &count);
  fprintf(stderr, "Search took: %.3fms\n", (double)(tg_now() - start) / 1e6);
  printf("fan-out: %d primes, %d not prime\n", count, bad);
  tg_chan_close(done); /* defer close(done) */
  return 0;
}
