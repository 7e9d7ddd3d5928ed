/* Seed 001_3dfe1f1bcc3944a6.txt, "The for-select Loop": its two scenarios.
 * (1) Sending iteration variables out on a channel, giving up when done is
 * closed. (2) Looping infinitely, doing non-preemptable work between checks
 * of done in a select with a default case. */
#include <stdio.h>
#include <tangle.h>

struct strings {
  tg_chan *done, *string_stream;
};

static void send_strings(void *arg) {
  struct strings *s = arg;
  const char *words[] = {"a", "b", "c"};
  for (int i = 0; i < 3; i++) {
    tg_case cs[] = {TG_RECV(s->done, NULL, NULL), TG_SEND(s->string_stream, &words[i])};
    if (tg_select(cs, 2) == 0)
      return;
  }
  tg_chan_close(s->string_stream);
}

struct loop {
  tg_chan *done, *stopped;
  long iterations;
};

static void loop_until_done(void *arg) {
  struct loop *l = arg;
  for (;;) {
    tg_case cs[] = {TG_RECV(l->done, NULL, NULL)};
    if (tg_select_nb(cs, 1) == 0)
      break;
    /* Do non-preemptable work */
    l->iterations++;
    tg_yield();
  }
  tg_chan_close(l->stopped);
}

int main(void) {
  struct strings s = {tg_chan_make(0, 0), tg_chan_make(sizeof(char *), 0)};
  tg_go(send_strings, &s);
  const char *str;
  while (tg_chan_recv(s.string_stream, &str))
    printf("%s\n", str);

  struct loop l = {tg_chan_make(0, 0), tg_chan_make(0, 0), 0};
  tg_go(loop_until_done, &l);
  tg_sleep(10 * TG_MILLISECOND);
  tg_chan_close(l.done);
  tg_chan_recv(l.stopped, NULL);
  printf("infinite loop stopped by done\n");
  return 0;
}
