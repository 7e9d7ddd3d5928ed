/* moby#28462 (Mixed, Channel & Lock): StateChanged holds the container's
 * lock while CloseMonitorChannel sends on the monitor's stop channel; the
 * monitor, between two probes, is waiting for that lock. Fix: the stop
 * channel is closed (never blocks) instead of sent on. */
#include "goker.h"

struct container {
  tg_mutex mu;
  tg_chan *stop;
};

static void monitor(void *p) { /* G1 */
  struct container *c = p;
  for (;;) {
    tg_case cs[] = {TG_RECV(c->stop, NULL, NULL)};
    if (tg_select_nb(cs, 1) == 0)
      return;
    tg_sleep(5 * MS); /* handleProbeResult: runtime.Gosched() */
    tg_mutex_lock(&c->mu);
    tg_mutex_unlock(&c->mu);
  }
}

static void state_changed(void *p) { /* G2 */
  struct container *c = p;
  tg_sleep(1 * MS);
  tg_mutex_lock(&c->mu);
  if (fixed) /* updateHealthMonitor: CloseMonitorChannel */
    tg_chan_close(c->stop);
  else
    tg_chan_send(c->stop, NULL);
  tg_mutex_unlock(&c->mu);
}

static void kernel(void) {
  struct container *c = new0(sizeof *c);
  c->stop = tg_chan_make(0, 0);
  GO(monitor, c);
  GO(state_changed, c);
}
