/* The seeds' pipeline: generator -> multiply(2) -> add(1) -> multiply(2) ->
 * consumer, each stage a goroutine that sends on an unbuffered channel inside
 * a select with the done channel, and closes its output when its input is
 * drained. One op = one value through all stages. */
#include "bench.h"
#include <tangle.h>

typedef struct stage {
  tg_chan *done, *in, *out;
  long arg; /* generator: count; multiply: factor; add: addend */
  int kind;
} stage;
enum { GEN, MUL, ADD };

/* Sends v on out unless done is closed first; false means stop. */
static bool emit(stage *s, long v) {
  tg_case cs[] = {TG_RECV(s->done, NULL, NULL), TG_SEND(s->out, &v)};
  return tg_select(cs, 2) == 1;
}

static void run_stage(void *arg) {
  stage *s = arg;
  long v;
  if (s->kind == GEN) {
    for (long i = 1; i <= s->arg; i++)
      if (!emit(s, i))
        break;
  } else {
    while (tg_chan_recv(s->in, &v))
      if (!emit(s, s->kind == MUL ? v * s->arg : v + s->arg))
        break;
  }
  tg_chan_close(s->out);
}

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 300000);
  tg_chan *done = tg_chan_make(0, 0);
  stage st[4] = {{.kind = GEN, .arg = n},
                 {.kind = MUL, .arg = 2},
                 {.kind = ADD, .arg = 1},
                 {.kind = MUL, .arg = 2}};
  tg_chan *prev = NULL;
  for (int i = 0; i < 4; i++) {
    st[i].done = done;
    st[i].in = prev;
    st[i].out = prev = tg_chan_make(sizeof(long), 0);
  }
  int64_t t0 = bench_now();
  for (int i = 0; i < 4; i++)
    tg_go(run_stage, &st[i]);
  long v, sum = 0, count = 0;
  while (tg_chan_recv(prev, &v)) {
    sum += v;
    count++;
  }
  int64_t t1 = bench_now();
  tg_chan_close(done);
  /* sum over i=1..n of 2*(2i+1) = 2n(n+1) + 2n */
  bench_check(count == n && sum == 2 * n * (n + 1) + 2 * n, "pipeline sum");
  bench_report("pipeline", t1 - t0, n, NULL);
  return 0;
}
