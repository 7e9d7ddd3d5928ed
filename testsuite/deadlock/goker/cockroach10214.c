/* cockroach#10214 (Resource, AB-BA): sendQueuedHeartbeats holds the store's
 * coalescedMu while it locks each replica's raftMu; a replica's tick holds
 * raftMu and, via maybeCoalesceHeartbeat, locks coalescedMu. Fix: release
 * coalescedMu before reporting to the replicas. */
#include "goker.h"

struct store;
struct replica {
  tg_mutex raft_mu, mu;
  struct store *store;
};
struct store {
  tg_mutex coalesced_mu;
  int responses;
  struct replica *replicas[2];
};

static void report_unreachable(struct replica *r) {
  tg_mutex_lock(&r->raft_mu);
  tg_yield();
  tg_mutex_unlock(&r->raft_mu);
}

static void send_queued_heartbeats(void *p) {
  struct store *s = p;
  tg_mutex_lock(&s->coalesced_mu);
  tg_yield();
  int n = s->responses;
  if (fixed)
    tg_mutex_unlock(&s->coalesced_mu);
  for (int i = 0; i < n; i++)
    for (int k = 0; k < 2; k++)
      report_unreachable(s->replicas[k]);
  if (!fixed)
    tg_mutex_unlock(&s->coalesced_mu);
}

static void tick(void *p) {
  struct replica *r = p;
  tg_mutex_lock(&r->raft_mu);
  tg_yield();
  tg_mutex_lock(&r->mu);
  for (int i = 0; i < 2; i++) { /* maybeQuiesceLocked -> maybeCoalesceHeartbeat */
    tg_mutex_lock(&r->store->coalesced_mu);
    tg_mutex_unlock(&r->store->coalesced_mu);
  }
  tg_mutex_unlock(&r->mu);
  tg_mutex_unlock(&r->raft_mu);
}

static void kernel(void) {
  struct store *s = new0(sizeof *s);
  s->responses = 2;
  for (int k = 0; k < 2; k++) {
    s->replicas[k] = new0(sizeof(struct replica));
    s->replicas[k]->store = s;
  }
  GO(send_queued_heartbeats, s);
  GO(tick, s->replicas[0]);
}
