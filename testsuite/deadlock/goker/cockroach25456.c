/* cockroach#25456 (Communication, Channel): deciding whether an error is
 * worth logging, the consistency queue waits until the store quiesces,
 * which in the test never happens. Fix: only check, without waiting. */
#include "goker.h"

struct stopper {
  tg_chan *quiescer;
};

static void process(struct stopper *s) {
  if (fixed) {
    tg_case cs[] = {TG_RECV(s->quiescer, NULL, NULL)};
    tg_select_nb(cs, 1);
  } else {
    tg_chan_recv(s->quiescer, NULL);
  }
}

static void g1(void *p) {
  (void)p;
  struct stopper *s = new0(sizeof *s);
  s->quiescer = tg_chan_make(0, 0);
  for (int i = 0; i < 2; i++)
    process(s);
}

static void kernel(void) { GO(g1, NULL); }
