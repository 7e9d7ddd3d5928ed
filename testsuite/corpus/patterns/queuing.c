/* Seed 001_3dfe1f1bcc3944a6.txt, "Queuing": repeat -> take 3 -> a short stage
 * (sleeps 1 s per value) -> a long stage (4 s per value), first directly,
 * then with buffer(done, 2, short) between the two sleep stages. (The seed's
 * second pipeline passes `short` to the long stage, a typo: the buffer is
 * what it means to insert.) The book's point: the pipeline takes the same
 * time (13 s) either way, but with the queue the short stage finishes after
 * 3 s instead of 9 s, because it no longer waits for the long stage.
 *
 * Scaled: 1 s -> 10 ms, 4 s -> 40 ms. The long stage notes whether the short
 * stage had finished when it took its second value. Without a queue it cannot
 * have: the short stage hands over its third value only after the long stage
 * took the second, so stdout says "no", whatever the machine's speed. With the
 * queue it usually has (after 30 of the long stage's 40 ms), but that depends
 * on the clock, so it goes to stderr with the timings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

#define ELEM sizeof(intptr_t)

struct stage {
  tg_chan *done, *in, *out;
  int64_t delay;
  int n;
  const char *name;
  tg_chan *finished;           /* closed when the stage's goroutine has sent its last value */
  tg_chan *watch;              /* the long stage: the short stage's `finished` */
  bool watched_done_at_second; /* written by the stage, read after it closed out */
};

static struct stage *stage(tg_chan *done, tg_chan *in, size_t cap) {
  struct stage *s = calloc(1, sizeof *s);
  s->done = done;
  s->in = in;
  s->out = tg_chan_make(ELEM, cap);
  s->finished = tg_chan_make(0, 0);
  return s;
}

static bool emit(struct stage *s, intptr_t v) {
  tg_case cs[] = {TG_RECV(s->done, NULL, NULL), TG_SEND(s->out, &v)};
  return tg_select(cs, 2) == 1;
}

static void repeat_g(void *arg) { /* repeat(done, 0) */
  struct stage *s = arg;
  while (emit(s, 0)) {
  }
  tg_chan_close(s->out);
}

static void take_g(void *arg) { /* take(done, n, in) */
  struct stage *s = arg;
  for (int i = 0; i < s->n; i++) {
    intptr_t v;
    tg_chan_recv(s->in, &v);
    if (!emit(s, v))
      break;
  }
  tg_chan_close(s->out);
}

static void sleep_g(void *arg) { /* sleep(done, d, in) */
  struct stage *s = arg;
  intptr_t v;
  for (int n = 1; tg_chan_recv(s->in, &v); n++) {
    if (n == 2 && s->watch) {
      tg_case cs[] = {TG_RECV(s->watch, NULL, NULL)};
      s->watched_done_at_second = tg_select_nb(cs, 1) == 0;
    }
    tg_sleep(s->delay);
    if (!emit(s, v))
      break;
  }
  tg_chan_close(s->finished);
  tg_chan_close(s->out);
}

static void buffer_g(void *arg) { /* buffer(done, n, in): a queue of n */
  struct stage *s = arg;
  intptr_t v;
  while (tg_chan_recv(s->in, &v) && emit(s, v)) {
  }
  tg_chan_close(s->out);
}

static tg_chan *go(tg_func fn, struct stage *s) {
  tg_go(fn, s);
  return s->out;
}

static void run(bool with_buffer) {
  tg_chan *done = tg_chan_make(0, 0);
  int64_t start = tg_now();
  struct stage *take = stage(done, go(repeat_g, stage(done, NULL, 0)), 0);
  take->n = 3;
  struct stage *short_stage = stage(done, go(take_g, take), 0);
  short_stage->delay = 10 * TG_MILLISECOND;
  tg_chan *after_short = go(sleep_g, short_stage);
  if (with_buffer)
    after_short = go(buffer_g, stage(done, after_short, 2));
  struct stage *long_stage = stage(done, after_short, 0);
  long_stage->delay = 40 * TG_MILLISECOND;
  long_stage->watch = short_stage->finished;
  tg_chan *pipeline = go(sleep_g, long_stage);

  intptr_t v;
  int received = 0;
  while (tg_chan_recv(pipeline, &v)) {
    received++;
    printf("%ld ", (long)v);
  }
  const char *early = long_stage->watched_done_at_second ? "yes" : "no";
  if (with_buffer)
    printf("\nbuffered: %d values\n", received);
  else
    printf("\nunbuffered: %d values; short stage done before the long stage's second value: %s\n",
           received, early);
  fprintf(stderr,
          "%s pipeline took %.1fms; short stage done before the long stage's second value: %s\n",
          with_buffer ? "buffered" : "unbuffered", (double)(tg_now() - start) / 1e6, early);
  tg_chan_close(done); /* defer close(done) */
}

int main(void) {
  run(false);
  run(true);
  return 0;
}
