/* cockroach#2448 (Communication, Channel): processRaft runs an event's
 * callback, which sends on callbackChan; the state loop that consumes
 * callbackChan is itself blocked sending the next event on Events, which
 * processRaft will only receive after the callback. Fix: sendEvent also
 * consumes callbacks while it waits. The port delays the callback so the
 * state loop is already sending; the fixed run stops both loops at the
 * end. */
#include "goker.h"

typedef void (*callback_fn)(void *);

struct multiraft {
  tg_chan *done; /* the stopper */
  tg_chan *events, *callbacks;
};

static void noop(void *p) { (void)p; }

static void callback(void *p) {
  struct multiraft *m = p;
  callback_fn cb = noop;
  tg_case cs[] = {TG_SEND(m->callbacks, &cb), TG_RECV(m->done, NULL, NULL)};
  tg_select(cs, 2);
}

static void send_event(struct multiraft *m) {
  callback_fn ev = callback;
  for (;;) {
    callback_fn cb;
    tg_case cs[] = {TG_SEND(m->events, &ev), TG_RECV(m->done, NULL, NULL),
                    TG_RECV(m->callbacks, &cb, NULL)};
    int i = tg_select(cs, fixed ? 3 : 2);
    if (i == 2) {
      cb(m);
      continue;
    }
    return;
  }
}

static void state_start(void *p) { /* G2 */
  struct multiraft *m = p;
  for (;;) {
    callback_fn cb;
    tg_case cs[] = {TG_RECV(m->done, NULL, NULL), TG_RECV(m->callbacks, &cb, NULL)};
    switch (tg_select_nb(cs, 2)) {
    case 0:
      return;
    case 1:
      cb(m);
      break;
    default:
      send_event(m); /* handleWriteResponse */
      tg_sleep(100 * TG_MICROSECOND);
    }
  }
}

static void process_raft(void *p) { /* G1 */
  struct multiraft *m = p;
  for (;;) {
    callback_fn ev;
    tg_case cs[] = {TG_RECV(m->events, &ev, NULL), TG_RECV(m->done, NULL, NULL)};
    if (tg_select(cs, 2) == 1)
      return;
    tg_sleep(10 * MS); /* runtime.Gosched(): the state loop sends again */
    ev(m);
  }
}

static void kernel(void) {
  struct multiraft *m = new0(sizeof *m);
  m->done = tg_chan_make(0, 0);
  m->events = tg_chan_make(sizeof(callback_fn), 0);
  m->callbacks = tg_chan_make(sizeof(callback_fn), 0);
  GO(process_raft, m);
  GO(state_start, m);
  if (fixed) {
    tg_sleep(100 * MS);
    tg_chan_close(m->done);
  }
}
