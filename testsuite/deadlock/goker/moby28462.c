/* moby#28462 (Mixed, Channel & Lock): StateChanged holds the container's
 * lock while CloseMonitorChannel sends on the monitor's stop channel; the
 * monitor, between two probes, is waiting for that lock. Fix: the stop
 * channel is closed (never blocks) instead of sent on. The port forces the
 * buggy interleaving with two flags: G2 locks only after G1's first probe
 * (else that probe could take G2's send), and G1 locks only once G2 holds
 * the lock (on a loaded machine it could lock, unlock and probe again
 * before G2 started). */
#include "goker.h"

struct container {
  tg_mutex mu;
  tg_chan *stop;
  atomic_bool probed, locked;
};

static void await_flag(atomic_bool *f) {
  while (!atomic_load(f))
    tg_sleep(1 * MS);
}

static void monitor(void *p) { /* G1 */
  struct container *c = p;
  for (;;) {
    tg_case cs[] = {TG_RECV(c->stop, NULL, NULL)};
    if (tg_select_nb(cs, 1) == 0)
      return;
    atomic_store(&c->probed, true);
    tg_sleep(5 * MS); /* handleProbeResult: runtime.Gosched() */
    await_flag(&c->locked);
    tg_mutex_lock(&c->mu);
    tg_mutex_unlock(&c->mu);
  }
}

static void state_changed(void *p) { /* G2 */
  struct container *c = p;
  await_flag(&c->probed);
  tg_mutex_lock(&c->mu);
  atomic_store(&c->locked, true);
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
