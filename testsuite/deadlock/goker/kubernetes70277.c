/* kubernetes#70277 (Communication, Channel): the test receives from the
 * `done` channel it handed to WaitFor, which is its own stopCh, closed only
 * by its own deferred close: it waits for itself forever (the poller
 * goroutine ends at its timeout). Fix: do not wait on it. */
#include "goker.h"

struct poll {
  tg_chan *ch, *done;
};

static void poller(void *p) {
  struct poll *pl = p;
  tg_ticker *tick = tg_ticker_new(1 * MS);
  tg_chan *after = tg_after(80 * MS);
  for (;;) {
    tg_case cs[] = {TG_RECV(tg_ticker_chan(tick), NULL, NULL), TG_RECV(after, NULL, NULL),
                    TG_RECV(pl->done, NULL, NULL)};
    int i = tg_select(cs, 3);
    if (i != 0)
      break;
    tg_case send[] = {TG_SEND(pl->ch, NULL)};
    tg_select_nb(send, 1);
  }
  tg_ticker_stop(tick);
  tg_ticker_free(tick);
  tg_chan_free(after);
  tg_chan_close(pl->ch);
}

static void g(void *p) {
  (void)p;
  tg_chan *stop = tg_chan_make(0, 0);
  struct poll *pl = new0(sizeof *pl);
  pl->ch = tg_chan_make(0, 0);
  pl->done = stop; /* WaitFor's wait(done): doneCh = done */
  GO(poller, pl);
  tg_chan_recv(pl->ch, NULL); /* one poll */
  tg_sleep(10 * MS);           /* fn(): the condition holds */
  if (!fixed)
    tg_chan_recv(pl->done, NULL); /* <-doneCh: block here */
  tg_chan_close(stop);            /* defer close(stopCh) */
}

static void kernel(void) { GO(g, NULL); }
