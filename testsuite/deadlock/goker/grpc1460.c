/* grpc#1460 (Mixed, Channel & Lock): with no active stream, keepalive waits
 * for awakenKeepalive while holding the transport's mutex; NewStream needs
 * that mutex to add the stream and wake it. Fix: keepalive releases the
 * mutex while it waits. */
#include "goker.h"

struct client {
  tg_mutex mu;
  tg_chan *awaken;
  int active;
};

static void keepalive(void *p) { /* G1 */
  struct client *t = p;
  tg_mutex_lock(&t->mu);
  if (t->active < 1) {
    if (fixed) {
      tg_mutex_unlock(&t->mu);
      tg_chan_recv(t->awaken, NULL);
      return;
    }
    tg_chan_recv(t->awaken, NULL);
    tg_yield();
  }
  tg_mutex_unlock(&t->mu);
}

static void new_stream(void *p) { /* G2 */
  struct client *t = p;
  tg_sleep(5 * MS);
  tg_mutex_lock(&t->mu);
  if (++t->active == 1) {
    if (fixed) {
      tg_mutex_unlock(&t->mu);
      tg_chan_send(t->awaken, NULL); /* the keepalive is waiting */
      return;
    }
    tg_case cs[] = {TG_SEND(t->awaken, NULL)};
    tg_select_nb(cs, 1);
  }
  tg_mutex_unlock(&t->mu);
}

static void kernel(void) {
  struct client *t = new0(sizeof *t);
  t->awaken = tg_chan_make(0, 0);
  GO(keepalive, t);
  GO(new_stream, t);
}
