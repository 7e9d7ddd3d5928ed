/* Seed 001_3dfe1f1bcc3944a6.txt, "Pipelines": the same pipeline with
 * channels. generator turns 1, 2, 3, 4 into a stream; multiply and add are
 * stages that each run a goroutine reading one stream and writing another;
 * every stage stops when done is closed or its input ends, and closes its
 * output. multiply(add(multiply(stream, 2), 1), 2) prints 6 10 14 18. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

struct stage {
  tg_chan *done, *in, *out;
  int operand; /* multiplier or additive */
  const int *integers;
  int n;
};

static struct stage *new_stage(tg_chan *done, tg_chan *in, int operand) {
  struct stage *s = calloc(1, sizeof *s);
  s->done = done;
  s->in = in;
  s->out = tg_chan_make(sizeof(int), 0);
  s->operand = operand;
  return s;
}

/* Sends v downstream unless done is closed first. */
static bool emit(struct stage *s, int v) {
  tg_case cs[] = {TG_RECV(s->done, NULL, NULL), TG_SEND(s->out, &v)};
  return tg_select(cs, 2) == 1;
}

static void generator_g(void *arg) {
  struct stage *s = arg;
  for (int i = 0; i < s->n && emit(s, s->integers[i]); i++) {
  }
  tg_chan_close(s->out);
}

static void multiply_g(void *arg) {
  struct stage *s = arg;
  int i;
  while (tg_chan_recv(s->in, &i) && emit(s, i * s->operand)) {
  }
  tg_chan_close(s->out);
}

static void add_g(void *arg) {
  struct stage *s = arg;
  int i;
  while (tg_chan_recv(s->in, &i) && emit(s, i + s->operand)) {
  }
  tg_chan_close(s->out);
}

static tg_chan *generator(tg_chan *done, const int *integers, int n) {
  struct stage *s = new_stage(done, NULL, 0);
  s->integers = integers;
  s->n = n;
  tg_go(generator_g, s);
  return s->out;
}

static tg_chan *multiply(tg_chan *done, tg_chan *int_stream, int multiplier) {
  struct stage *s = new_stage(done, int_stream, multiplier);
  tg_go(multiply_g, s);
  return s->out;
}

static tg_chan *add(tg_chan *done, tg_chan *int_stream, int additive) {
  struct stage *s = new_stage(done, int_stream, additive);
  tg_go(add_g, s);
  return s->out;
}

int main(void) {
  tg_chan *done = tg_chan_make(sizeof(void *), 0);
  static const int ints[] = {1, 2, 3, 4};
  tg_chan *int_stream = generator(done, ints, 4);
  tg_chan *pipeline = multiply(done, add(done, multiply(done, int_stream, 2), 1), 2);
  int v;
  while (tg_chan_recv(pipeline, &v))
    printf("%d\n", v);
  tg_chan_close(done); /* defer close(done) */
  return 0;
}
