/* etcd#7902 (Mixed, Channel & Lock): round clients take mu around
 * release(); a follower's release waits for the leader to close nextc, and
 * the leader needs mu to get to its own release. Fix: release() runs
 * without mu. The port makes the follower reach its release first. */
#include "goker.h"

#define ROUNDS 2

struct election {
  tg_mutex mu;
  tg_waitgroup wg;
  tg_chan *_Atomic nextc;
};

struct round_client {
  struct election *e;
  int i, progress;
  tg_chan *rc_nextc;
};

static void release(struct round_client *rc) {
  if (rc->i == 0) { /* the leader */
    tg_chan *c = atomic_load(&rc->e->nextc);
    atomic_store(&rc->e->nextc, tg_chan_make(0, 0));
    tg_chan_close(c);
  }
  tg_chan_recv(rc->rc_nextc, NULL); /* a follower blocks here */
}

static void round_client(void *p) { /* G2, G3 */
  struct round_client *rc = p;
  struct election *e = rc->e;
  while (rc->progress < ROUNDS) {
    tg_mutex_lock(&e->mu);
    rc->rc_nextc = atomic_load(&e->nextc); /* validate */
    tg_mutex_unlock(&e->mu);
    tg_sleep((rc->i == 0 ? 20 : 10) * MS);
    rc->progress++;
    if (!fixed)
      tg_mutex_lock(&e->mu);
    release(rc);
    if (!fixed)
      tg_mutex_unlock(&e->mu);
  }
  tg_waitgroup_done(&e->wg);
}

static void run_election(void *p) { /* G1 */
  (void)p;
  struct election *e = new0(sizeof *e);
  atomic_store(&e->nextc, tg_chan_make(0, 0));
  tg_waitgroup_add(&e->wg, 2);
  for (int i = 0; i < 2; i++) {
    struct round_client *rc = new0(sizeof *rc);
    rc->e = e;
    rc->i = i;
    GO(round_client, rc);
  }
  tg_waitgroup_wait(&e->wg);
}

static void kernel(void) { GO(run_election, NULL); }
