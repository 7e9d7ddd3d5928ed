/* Seed 001: newRandStream's goroutine sends random numbers forever; the
 * consumer takes three and walks away, leaving it blocked on the send.
 * `fixed`: the seed's remedy, a done channel closed by the consumer; the
 * producer selects on it and returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tangle.h>

struct stream {
  tg_chan *done, *out;
};

static void producer(void *p) {
  struct stream *s = p;
  for (;;) {
    int v = rand();
    if (!s->done) {
      tg_chan_send(s->out, &v);
      continue;
    }
    tg_case cs[] = {TG_SEND(s->out, &v), TG_RECV(s->done, NULL, NULL)};
    if (tg_select(cs, 2) == 1)
      break;
  }
  printf("newRandStream closure exited.\n");
  tg_chan_close(s->out);
}

static tg_chan *new_rand_stream(tg_chan *done) {
  struct stream *s = malloc(sizeof *s);
  s->done = done;
  s->out = tg_chan_make(sizeof(int), 0);
  tg_go(producer, s);
  return s->out;
}

int main(int argc, char **argv) {
  bool fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_chan *done = fixed ? tg_chan_make(0, 0) : NULL;
  tg_chan *rs = new_rand_stream(done);
  printf("3 random ints:\n");
  for (int i = 1; i <= 3; i++) {
    int v;
    tg_chan_recv(rs, &v);
    printf("%d: %s\n", i, v >= 0 ? "ok" : "negative");
  }
  if (fixed) {
    tg_chan_close(done);
    tg_sleep(50 * TG_MILLISECOND);
  }
  return 0;
}
