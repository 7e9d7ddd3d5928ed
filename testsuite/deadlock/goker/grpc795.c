/* grpc#795 (Resource, double locking): GracefulStop, called again once the
 * server is draining, locks the mutex a second time instead of unlocking.
 * Fix: unlock and return. */
#include "goker.h"

struct server {
  tg_mutex mu;
  bool drain;
};

static void graceful_stop(struct server *s) {
  tg_mutex_lock(&s->mu);
  if (s->drain) {
    if (fixed)
      tg_mutex_unlock(&s->mu);
    else
      tg_mutex_lock(&s->mu);
    return;
  }
  s->drain = true;
  tg_mutex_unlock(&s->mu);
}

static void serve(void *p) {
  struct server *s = p;
  tg_mutex_lock(&s->mu);
  tg_mutex_unlock(&s->mu);
}

static void test_idempotent(void *p) {
  (void)p;
  struct server *s = new0(sizeof *s);
  GO(serve, s);
  for (int i = 0; i < 3; i++)
    graceful_stop(s);
}

static void kernel(void) { GO(test_idempotent, NULL); }
