/* etcd#5509 (Resource, double locking): acquire returns ErrConnClosed while
 * still holding the client's read lock; Close's Lock then waits for a
 * reader that has returned (its goroutine even exited). Fix: RUnlock
 * before returning. */
#include "goker.h"

struct client {
  tg_rwmutex mu;
  tg_ctx *ctx;
  bool has_cancel;
};

struct remote {
  struct client *client;
  tg_mutex mu;
  tg_chan *donec;
};

static int acquire(struct remote *r) {
  for (;;) {
    tg_rwmutex_rlock(&r->client->mu);
    bool closed = !r->client->has_cancel;
    tg_mutex_lock(&r->mu);
    tg_mutex_unlock(&r->mu);
    if (closed) {
      if (fixed)
        tg_rwmutex_runlock(&r->client->mu);
      return -1; /* ErrConnClosed */
    }
    tg_rwmutex_runlock(&r->client->mu);
  }
}

static void getter(void *p) {
  struct remote *r = p;
  acquire(r); /* kv.Get */
  tg_chan_close(r->donec);
}

static void client_close(struct client *c) {
  tg_rwmutex_lock(&c->mu);
  if (c->has_cancel) {
    tg_cancel(c->ctx);
    c->has_cancel = false;
  }
  tg_rwmutex_unlock(&c->mu);
}

static void g1(void *p) {
  (void)p;
  struct client *cli = new0(sizeof *cli);
  cli->ctx = tg_with_cancel(tg_todo());
  struct remote *r = new0(sizeof *r);
  r->client = cli;
  r->donec = tg_chan_make(0, 0);
  GO(getter, r);
  tg_sleep(10 * MS); /* runtime.Gosched() */
  client_close(cli);
  tg_chan_recv(r->donec, NULL);
  tg_ctx_release(cli->ctx);
}

static void kernel(void) { GO(g1, NULL); }
