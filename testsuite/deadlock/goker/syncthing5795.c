/* syncthing#5795 (Communication, Channel): the dispatcher loop handles a
 * ClusterConfig whose callback closes the connection; Close waits for the
 * dispatcher loop to stop, from inside that very loop. Fix: the callback
 * closes the connection from another goroutine. */
#include "goker.h"

struct conn {
  tg_chan *inbox, *stopped, *closed;
  tg_once close_once;
};

static void close_body(void *p) {
  struct conn *c = p;
  tg_chan_close(c->closed);
  tg_chan_recv(c->stopped, NULL);
}

static void conn_close(void *p) {
  struct conn *c = p;
  tg_once_do(&c->close_once, close_body, c);
}

static void dispatcher_loop(void *p) { /* G2 */
  struct conn *c = p;
  for (;;) {
    int msg;
    tg_case cs[] = {TG_RECV(c->inbox, &msg, NULL), TG_RECV(c->closed, NULL, NULL)};
    if (tg_select(cs, 2) == 1)
      break;
    if (msg != 1) /* not a ClusterConfig */
      break;
    if (fixed) /* receiver.ClusterConfig -> ccFn */
      GO(conn_close, c);
    else
      conn_close(c);
  }
  tg_chan_close(c->stopped);
}

static void g1(void *p) {
  (void)p;
  struct conn *c = new0(sizeof *c);
  c->inbox = tg_chan_make(sizeof(int), 0);
  c->stopped = tg_chan_make(0, 0);
  c->closed = tg_chan_make(0, 0);
  GO(dispatcher_loop, c);
  int msg = 1;
  tg_chan_send(c->inbox, &msg);
  tg_chan_recv(c->stopped, NULL);
}

static void kernel(void) { GO(g1, NULL); }
