/* Seed 001_3dfe1f1bcc3944a6.txt, "The or-channel": or() combines any number
 * of done channels into one that closes as soon as any of them closes, by
 * recursion: a goroutine selects on the first three channels and on the
 * or-channel of the rest (plus its own orDone, so the goroutines down the
 * tree exit with it). The usage example waits on five sig() channels; the
 * one-second one (50 ms here) closes first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tangle.h>

#define ELEM sizeof(void *) /* chan interface{} */

static tg_chan *or_chan(tg_chan **channels, int n);

struct or_args {
  tg_chan **channels;
  int n;
  tg_chan *or_done;
};

static void or_goroutine(void *arg) {
  struct or_args *a = arg;
  tg_chan **ch = a->channels;
  if (a->n == 2) {
    tg_case cs[] = {TG_RECV(ch[0], NULL, NULL), TG_RECV(ch[1], NULL, NULL)};
    tg_select(cs, 2);
  } else {
    /* or(append(channels[3:], orDone)...) */
    int rest_n = a->n - 3 + 1;
    tg_chan **rest = malloc(sizeof *rest * (size_t)rest_n);
    memcpy(rest, ch + 3, sizeof *rest * (size_t)(a->n - 3));
    rest[rest_n - 1] = a->or_done;
    tg_case cs[] = {TG_RECV(ch[0], NULL, NULL), TG_RECV(ch[1], NULL, NULL),
                    TG_RECV(ch[2], NULL, NULL), TG_RECV(or_chan(rest, rest_n), NULL, NULL)};
    tg_select(cs, 4);
  }
  tg_chan_close(a->or_done); /* defer close(orDone) */
}

static tg_chan *or_chan(tg_chan **channels, int n) {
  switch (n) {
  case 0:
    return NULL;
  case 1:
    return channels[0];
  }
  struct or_args *a = malloc(sizeof *a);
  a->channels = channels;
  a->n = n;
  a->or_done = tg_chan_make(ELEM, 0);
  tg_go(or_goroutine, a);
  return a->or_done;
}

struct sig_args {
  tg_chan *c;
  int64_t after;
};

static void sig_goroutine(void *arg) {
  struct sig_args *s = arg;
  tg_sleep(s->after);
  tg_chan_close(s->c); /* defer close(c) */
}

/* A channel that closes when `after` elapses. */
static tg_chan *sig(int64_t after) {
  struct sig_args *s = malloc(sizeof *s);
  s->c = tg_chan_make(ELEM, 0);
  s->after = after;
  tg_go(sig_goroutine, s);
  return s->c;
}

int main(void) {
  const int64_t minute = 60 * TG_SECOND, hour = 60 * minute;
  int64_t start = tg_now();
  tg_chan *channels[] = {sig(2 * hour), sig(5 * minute), sig(50 * TG_MILLISECOND), sig(1 * hour),
                         sig(1 * minute)};
  tg_chan_recv(or_chan(channels, 5), NULL);
  int64_t since = tg_now() - start;
  printf("done after %.3fms\n", (double)since / 1e6);
  printf("not before the first signal: %s\n", since >= 50 * TG_MILLISECOND ? "yes" : "no");
  return 0;
}
