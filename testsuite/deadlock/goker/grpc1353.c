/* grpc#1353 (Mixed, Channel & Lock; read from github.com/timmyyuan/gobench,
 * not in Go's set): the round-robin balancer sends address updates on an
 * unbuffered channel while holding its mutex; the watcher, processing the
 * previous update, tears connections down, and that needs the balancer's
 * mutex. Fix: a buffered channel, drained before each send, so the send
 * never blocks under the mutex. */
#include "goker.h"

struct rr {
  tg_mutex mu;
  tg_chan *addr_ch;
};

struct addr_conn {
  tg_mutex mu;
  struct rr *rr;
};

static void watch_addr_updates(struct rr *rr) {
  tg_mutex_lock(&rr->mu);
  bool v = true;
  if (fixed) {
    tg_case drain[] = {TG_RECV(rr->addr_ch, NULL, NULL)};
    tg_select_nb(drain, 1);
  }
  tg_chan_send(rr->addr_ch, &v);
  tg_mutex_unlock(&rr->mu);
}

static void balancer(void *p) { /* G2 */
  struct rr *rr = p;
  for (int i = 0; i < 3; i++)
    watch_addr_updates(rr);
  tg_sleep(20 * MS);
  tg_mutex_lock(&rr->mu); /* Close */
  tg_chan_close(rr->addr_ch);
  tg_mutex_unlock(&rr->mu);
}

struct cc {
  struct addr_conn *conns[2];
  struct rr *rr;
};

static void lb_watcher(void *p) { /* G3 */
  struct cc *cc = p;
  bool addr;
  while (tg_chan_recv(cc->rr->addr_ch, &addr)) {
    tg_sleep(5 * MS); /* the next update is being sent meanwhile */
    for (int i = 0; i < 2; i++) { /* tearDown */
      tg_mutex_lock(&cc->conns[i]->mu);
      tg_mutex_lock(&cc->rr->mu); /* down() */
      tg_mutex_unlock(&cc->rr->mu);
      tg_mutex_unlock(&cc->conns[i]->mu);
    }
  }
}

static void kernel(void) {
  struct cc *cc = new0(sizeof *cc);
  cc->rr = new0(sizeof *cc->rr);
  cc->rr->addr_ch = tg_chan_make(sizeof(bool), fixed ? 1 : 0);
  for (int i = 0; i < 2; i++) {
    cc->conns[i] = new0(sizeof(struct addr_conn));
    cc->conns[i]->rr = cc->rr;
  }
  GO(balancer, cc->rr);
  GO(lb_watcher, cc);
}
