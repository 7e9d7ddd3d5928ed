/* cockroach#18101 (Resource, double locking in GoBench's table; a channel
 * leak in substance): restore stops reading readyForImportCh when its
 * context is done, but splitAndScatter keeps sending: once the buffer is
 * full it blocks forever. Fix: the sender gives up with the context. */
#include "goker.h"

#define CHAN_SIZE 6

struct job {
  tg_ctx *ctx;
  tg_chan *ready;
};

static void split_and_scatter(void *p) { /* G2 */
  struct job *j = p;
  for (int i = 0; i < CHAN_SIZE + 2; i++) {
    bool v = i != 0;
    if (fixed) {
      tg_case cs[] = {TG_SEND(j->ready, &v), TG_RECV(tg_ctx_done(j->ctx), NULL, NULL)};
      if (tg_select(cs, 2) == 1)
        break;
    } else {
      tg_chan_send(j->ready, &v);
    }
  }
  tg_chan_close(j->ready);
}

static void restore(void *p) { /* G1 */
  struct job *j = p;
  j->ready = tg_chan_make(sizeof(bool), CHAN_SIZE);
  GO(split_and_scatter, j);
  bool v;
  while (tg_chan_recv(j->ready, &v)) {
    tg_chan_recv(tg_ctx_done(j->ctx), NULL); /* select { case <-ctx.Done(): return } */
    return;
  }
}

static void canceller(void *p) {
  tg_sleep(10 * MS);
  tg_cancel(p);
}

static void kernel(void) {
  struct job *j = new0(sizeof *j);
  j->ctx = tg_with_cancel(tg_background());
  GO(restore, j);
  GO(canceller, j->ctx);
}
