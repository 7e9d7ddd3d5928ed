/* cockroach#3710 (Resource, RWR deadlock): ForceRaftLogScanAndProcess holds
 * the store's read lock while the queue it feeds calls RaftStatus, which
 * read-locks the store again; processRaft's Lock in between queues a
 * writer, which no new reader may pass. Fix: the replicas are collected
 * under the read lock and processed after it is released. */
#include "goker.h"

struct store {
  tg_rwmutex mu;
  tg_mutex queue_mu; /* baseQueue */
  int nreplicas;
};

static void raft_status(struct store *s) {
  tg_rwmutex_rlock(&s->mu);
  tg_rwmutex_runlock(&s->mu);
}

static void maybe_add(struct store *s) {
  tg_mutex_lock(&s->queue_mu);
  raft_status(s); /* shouldQueue -> getTruncatableIndexes -> RaftStatus */
  tg_mutex_unlock(&s->queue_mu);
}

static void force_scan(void *p) { /* G1 */
  struct store *s = p;
  tg_rwmutex_rlock(&s->mu);
  tg_sleep(20 * MS); /* the writer queues */
  int n = s->nreplicas;
  if (fixed)
    tg_rwmutex_runlock(&s->mu);
  for (int i = 0; i < n; i++)
    maybe_add(s);
  if (!fixed)
    tg_rwmutex_runlock(&s->mu);
}

static void process_raft(void *p) { /* G2 */
  struct store *s = p;
  tg_sleep(5 * MS);
  tg_rwmutex_lock(&s->mu);
  tg_rwmutex_unlock(&s->mu);
}

static void kernel(void) {
  struct store *s = new0(sizeof *s);
  s->nreplicas = 2;
  GO(force_scan, s);
  GO(process_raft, s);
}
