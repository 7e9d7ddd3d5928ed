/* etcd#6708 (Resource, double locking): Sync holds the cluster client's
 * write lock while SetEndpoints asks the members API for the leader, which
 * calls the client's Do, which read-locks the same RWMutex. Fix: the
 * endpoints are set after the lock is released. */
#include "goker.h"

struct client {
  tg_rwmutex mu;
  bool prioritize_leader;
};

static void do_request(struct client *c) {
  tg_rwmutex_rlock(&c->mu);
  tg_rwmutex_runlock(&c->mu);
}

static void set_endpoints(struct client *c) {
  if (c->prioritize_leader)
    do_request(c); /* getLeaderEndpoint -> Leader -> Do */
}

static void sync_client(void *p) {
  struct client *c = p;
  tg_rwmutex_lock(&c->mu);
  if (fixed) {
    tg_rwmutex_unlock(&c->mu);
    set_endpoints(c);
    return;
  }
  set_endpoints(c);
  tg_rwmutex_unlock(&c->mu);
}

static void kernel(void) {
  struct client *c = new0(sizeof *c);
  c->prioritize_leader = true;
  GO(sync_client, c);
}
