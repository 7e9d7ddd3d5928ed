/* etcd#6857 (Communication, Channel): Status hands a reply channel to the
 * node's run loop; once Stop has ended the loop, nobody receives it. Fix:
 * Status also gives up when the node is done. */
#include "goker.h"

struct node {
  tg_chan *status, *stop, *done;
};

static void run(void *p) { /* G1 */
  struct node *n = p;
  for (;;) {
    tg_chan *c;
    tg_case cs[] = {TG_RECV(n->status, &c, NULL), TG_RECV(n->stop, NULL, NULL)};
    if (tg_select(cs, 2) == 1) {
      tg_chan_close(n->done);
      return;
    }
    tg_chan_send(c, NULL);
    tg_chan_free(c);
  }
}

static void status(void *p) { /* G2 */
  struct node *n = p;
  tg_sleep(20 * MS); /* after the node stopped */
  tg_chan *c = tg_chan_make(0, 0);
  if (fixed) {
    tg_case cs[] = {TG_SEND(n->status, &c), TG_RECV(n->done, NULL, NULL)};
    if (tg_select(cs, 2) == 1) {
      tg_chan_free(c);
      return;
    }
  } else {
    tg_chan_send(n->status, &c);
  }
  tg_chan_recv(c, NULL);
}

static void stop(void *p) { /* G3 */
  struct node *n = p;
  tg_case cs[] = {TG_SEND(n->stop, NULL), TG_RECV(n->done, NULL, NULL)};
  if (tg_select(cs, 2) == 1)
    return;
  tg_chan_recv(n->done, NULL);
}

static void kernel(void) {
  struct node *n = new0(sizeof *n);
  n->status = tg_chan_make(sizeof(tg_chan *), 0);
  n->stop = tg_chan_make(0, 0);
  n->done = tg_chan_make(0, 0);
  GO(run, n);
  GO(status, n);
  GO(stop, n);
}
