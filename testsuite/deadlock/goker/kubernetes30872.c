/* kubernetes#30872 (Resource, AB-BA): the informer's controller pops from
 * its DeltaFIFO under the FIFO's lock (L2) and the add handler takes the
 * federated informer's lock (L1); ClustersSynced holds L1 while it asks
 * the controller whether it synced, which takes L2. Fix: ClustersSynced
 * asks after releasing L1. */
#include "goker.h"

struct informer {
  tg_mutex l1;        /* federatedInformerImpl */
  tg_rwmutex fifo_l2; /* DeltaFIFO */
  tg_chan *stop_chan;
};

static void pop(struct informer *f) { /* processLoop -> Pop -> process -> OnAdd */
  tg_rwmutex_lock(&f->fifo_l2);
  tg_mutex_lock(&f->l1); /* addCluster */
  tg_mutex_unlock(&f->l1);
  tg_rwmutex_unlock(&f->fifo_l2);
}

static void controller_run(void *p) { /* G2 */
  struct informer *f = p;
  for (int i = 0; i < 50; i++) {
    tg_case cs[] = {TG_RECV(f->stop_chan, NULL, NULL)};
    if (tg_select_nb(cs, 1) == 0)
      return;
    pop(f);
    tg_sleep(200 * TG_MICROSECOND);
  }
}

static void clusters_synced(void *p) { /* G4: reconcileNamespace -> isSynced */
  struct informer *f = p;
  tg_mutex_lock(&f->l1);
  if (fixed)
    tg_mutex_unlock(&f->l1);
  tg_rwmutex_lock(&f->fifo_l2); /* HasSynced */
  tg_rwmutex_unlock(&f->fifo_l2);
  if (!fixed)
    tg_mutex_unlock(&f->l1);
}

struct stopper {
  struct informer *f;
  tg_chan *stop;
};

static void stopper(void *p) { /* G3 */
  struct stopper *s = p;
  tg_chan_recv(s->stop, NULL);
  tg_mutex_lock(&s->f->l1);
  tg_chan_close(s->f->stop_chan);
  tg_mutex_unlock(&s->f->l1);
}

static void g(void *p) { /* G1 */
  (void)p;
  struct informer *f = new0(sizeof *f);
  tg_mutex_lock(&f->l1); /* Start */
  f->stop_chan = tg_chan_make(0, 0);
  GO(controller_run, f);
  tg_mutex_unlock(&f->l1);
  struct stopper *s = new0(sizeof *s);
  *s = (struct stopper){f, tg_chan_make(0, 0)};
  GO(stopper, s);
  GO(clusters_synced, f);
  tg_sleep(20 * MS);
  tg_chan_close(s->stop);
}

static void kernel(void) { GO(g, NULL); }
