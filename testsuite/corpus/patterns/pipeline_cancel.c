/* Seed 001_3dfe1f1bcc3944a6.txt, "Pipelines": "when we are done printing all
 * the numbers ... we close the done channels which would in turn cleanup the
 * goroutines". Here the consumer stops early: it takes two values of an
 * endless generator -> multiply -> add pipeline and closes done; every stage,
 * blocked on a send nobody will receive, sees done and returns, closing its
 * output. Main then checks that all stage goroutines are gone. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

struct stage {
  tg_chan *done, *in, *out;
  int operand;
};

static bool emit(struct stage *s, int v) {
  tg_case cs[] = {TG_RECV(s->done, NULL, NULL), TG_SEND(s->out, &v)};
  return tg_select(cs, 2) == 1;
}

static void endless_g(void *arg) {
  struct stage *s = arg;
  for (int i = 1; emit(s, i); i++) {
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

static tg_chan *start(tg_func fn, tg_chan *done, tg_chan *in, int operand) {
  struct stage *s = malloc(sizeof *s);
  *s = (struct stage){done, in, tg_chan_make(sizeof(int), 0), operand};
  tg_go(fn, s);
  return s->out;
}

int main(void) {
  tg_chan *done = tg_chan_make(sizeof(void *), 0);
  tg_chan *pipeline =
      start(add_g, done, start(multiply_g, done, start(endless_g, done, NULL, 0), 2), 1);
  for (int k = 0; k < 2; k++) {
    int v;
    tg_chan_recv(pipeline, &v);
    printf("%d\n", v);
  }
  printf("goroutines before close(done): %d\n", tg_num_goroutine());
  tg_chan_close(done);
  /* Drain what the last stage may still hand over until it closes. */
  while (tg_chan_recv(pipeline, NULL)) {
  }
  while (tg_num_goroutine() > 1)
    tg_yield();
  printf("goroutines after: %d\n", tg_num_goroutine());
  return 0;
}
