/* cockroach#35931 (Communication, Channel): cancelling a flow pushes a
 * cancellation message into each inbound stream in turn; the first one's
 * buffer is already full and nobody reads it any more, so the canceller
 * blocks and never reaches the second. Fix: the cancellation messages are
 * pushed without blocking. */
#include "goker.h"

struct row_channel {
  tg_chan *data;
};

static void push(struct row_channel *rc) { tg_chan_send(rc->data, NULL); }

static void cancel_flow(struct row_channel **receivers, int n, tg_mutex *registry) {
  tg_mutex_lock(registry);
  struct row_channel *pending[2];
  for (int i = 0; i < n; i++)
    pending[i] = receivers[i]; /* cancelPendingStreamsLocked */
  tg_mutex_unlock(registry);
  for (int i = 0; i < n; i++) {
    if (fixed) {
      tg_case cs[] = {TG_SEND(pending[i]->data, NULL)};
      tg_select_nb(cs, 1);
    } else {
      push(pending[i]);
    }
  }
}

static void g(void *p) {
  (void)p;
  tg_mutex *registry = new0(sizeof *registry);
  struct row_channel **streams = new0(2 * sizeof *streams);
  for (int i = 0; i < 2; i++) {
    streams[i] = new0(sizeof **streams);
    streams[i]->data = tg_chan_make(0, 1);
  }
  push(streams[0]); /* left is full */
  cancel_flow(streams, 2, registry);
}

static void kernel(void) { GO(g, NULL); }
