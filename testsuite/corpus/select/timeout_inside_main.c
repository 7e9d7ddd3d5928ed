/* Seed 002_86b5fec98460e5da.txt, "Timing out a goroutine - inside main()"
 * (timeOut1.go). The first goroutine answers long after main stops waiting
 * for it; the second answers well within its timeout. The seed's margins (3 s
 * vs 1 s and 4 s) are widened and shortened so a loaded machine cannot flip
 * the outcome: 1 s of work against a 50 ms timeout, then 50 ms of work against
 * a 1 s timeout. */
#include <stdio.h>
#include <tangle.h>

struct slow {
  tg_chan *c;
  int64_t delay;
  const char *msg;
};

static void answer(void *arg) {
  struct slow *s = arg;
  tg_sleep(s->delay);
  tg_chan_send(s->c, &s->msg);
}

int main(void) {
  struct slow s1 = {tg_chan_make(sizeof(char *), 0), TG_SECOND, "c1 OK"};
  tg_go(answer, &s1);
  const char *res;
  tg_case c1[] = {TG_RECV(s1.c, &res, NULL), TG_AFTER(50 * TG_MILLISECOND)};
  if (tg_select(c1, 2) == 0)
    printf("%s\n", res);
  else
    printf("timeout c1\n");

  struct slow s2 = {tg_chan_make(sizeof(char *), 0), 50 * TG_MILLISECOND, "c2 OK"};
  tg_go(answer, &s2);
  tg_case c2[] = {TG_RECV(s2.c, &res, NULL), TG_AFTER(TG_SECOND)};
  if (tg_select(c2, 2) == 0)
    printf("%s\n", res);
  else
    printf("timeout c2\n");
  /* The first goroutine is still asleep; main returning abandons it. */
  return 0;
}
