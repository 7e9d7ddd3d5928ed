/* Seed 001_3dfe1f1bcc3944a6.txt, "handy generators": repeat sends its values
 * over and over until done is closed; take passes on the first num values of
 * a stream and closes. The seed gives the two functions; the usage is the
 * book's: take(done, repeat(done, 1), 10), then repeatFn with a random
 * function. interface{} values are intptr_t here. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

#define ELEM sizeof(intptr_t)

struct repeat_args {
  tg_chan *done, *value_stream;
  const intptr_t *values;
  int n;
  intptr_t (*fn)(void); /* repeatFn's function, or NULL for repeat */
};

static void repeat_g(void *arg) {
  struct repeat_args *a = arg;
  for (;;) {
    for (int i = 0; i < (a->fn ? 1 : a->n); i++) {
      intptr_t v = a->fn ? a->fn() : a->values[i];
      tg_case cs[] = {TG_RECV(a->done, NULL, NULL), TG_SEND(a->value_stream, &v)};
      if (tg_select(cs, 2) == 0)
        goto out;
    }
  }
out:
  tg_chan_close(a->value_stream); /* defer close(valueStream) */
}

static tg_chan *repeat(tg_chan *done, const intptr_t *values, int n) {
  struct repeat_args *a = malloc(sizeof *a);
  *a = (struct repeat_args){done, tg_chan_make(ELEM, 0), values, n, NULL};
  tg_go(repeat_g, a);
  return a->value_stream;
}

static tg_chan *repeat_fn(tg_chan *done, intptr_t (*fn)(void)) {
  struct repeat_args *a = malloc(sizeof *a);
  *a = (struct repeat_args){done, tg_chan_make(ELEM, 0), NULL, 0, fn};
  tg_go(repeat_g, a);
  return a->value_stream;
}

struct take_args {
  tg_chan *done, *value_stream, *take_stream;
  int num;
};

static void take_g(void *arg) {
  struct take_args *a = arg;
  for (int i = 0; i < a->num; i++) {
    intptr_t v;
    tg_chan_recv(a->value_stream, &v); /* takeStream <- <-valueStream */
    tg_case cs[] = {TG_RECV(a->done, NULL, NULL), TG_SEND(a->take_stream, &v)};
    if (tg_select(cs, 2) == 0)
      break;
  }
  tg_chan_close(a->take_stream); /* defer close(takeStream) */
}

static tg_chan *take(tg_chan *done, tg_chan *value_stream, int num) {
  struct take_args *a = malloc(sizeof *a);
  *a = (struct take_args){done, value_stream, tg_chan_make(ELEM, 0), num};
  tg_go(take_g, a);
  return a->take_stream;
}

static intptr_t rand_fn(void) {
  return (intptr_t)(random() % 1000);
}

int main(void) {
  tg_chan *done = tg_chan_make(sizeof(void *), 0);
  static const intptr_t one[] = {1};
  intptr_t num;
  tg_chan *s = take(done, repeat(done, one, 1), 10);
  while (tg_chan_recv(s, &num))
    printf("%ld ", (long)num);
  printf("\n");

  static const intptr_t seq[] = {1, 2, 3};
  s = take(done, repeat(done, seq, 3), 7);
  while (tg_chan_recv(s, &num))
    printf("%ld ", (long)num);
  printf("\n");

  s = take(done, repeat_fn(done, rand_fn), 5);
  while (tg_chan_recv(s, &num))
    printf("%ld\n", (long)num);
  tg_chan_close(done); /* defer close(done): the repeaters stop */
  while (tg_num_goroutine() > 1)
    tg_sleep(TG_MILLISECOND);
  printf("all generators stopped\n");
  return 0;
}
