/* The wait-for graph's monitor thread (race build only): woken when an
 * owner-less wait begins, it runs the scan's passes (waitfor_scan.c) while
 * there is something to decide, backing off when the same waits are found
 * live again, skipping them while the last pass's witnesses still hold
 * (waitfor_scan_witness.c), and never spends more than a tenth of the time
 * on them. */
#ifdef TANGLE_RACE
#include "waitfor_scan.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- the monitor thread ---------------------------------------------------- */

static pthread_once_t monitor_once = PTHREAD_ONCE_INIT;
/* Set once monitor_start ran: every channel wait kicks, and pthread_once
 * is a call. Owned by monitor_start. */
static _Atomic bool monitor_started;

static _Atomic int kicks;

static _Atomic bool stopping;

static tg__lock pass_lock; /* one pass at a time */

static void sleep_ns(int64_t ns) {
  struct timespec ts = {ns / 1000000000, ns % 1000000000};
  nanosleep(&ts, NULL);
}

static void *monitor(void *arg) {
  (void)arg;
  pthread_attr_t at;
  if (pthread_getattr_np(pthread_self(), &at) == 0) {
    void *lo;
    size_t sz;
    pthread_attr_getstack(&at, &lo, &sz);
    tg__wfs.self_lo = (uintptr_t)lo;
    tg__wfs.self_hi = (uintptr_t)lo + sz;
    pthread_attr_destroy(&at);
  }
  int idle = 0;
  /* The same goroutines in the same waits, found live again: look less
   * often (a main goroutine waiting on a WaitGroup for busy workers must not
   * cost a scan every period). */
  uint64_t last_sig = 0;
  int64_t backoff = PERIOD_NS, next_pass = 0;
  while (!atomic_load(&stopping)) {
    sleep_ns(PERIOD_NS);
    int k = atomic_exchange(&kicks, 0);
    if (k == 0 && tg__wfs.nprev == 0 && ++idle > 2)
      continue; /* nothing new blocked and nothing pending confirmation */
    idle = 0;
    if (!tg__lock_try(&pass_lock))
      continue;
    int64_t t0 = tg__wf_now();
    if (atomic_load(&stopping) || tg__wfs_gather(t0) == 0) {
      tg__wfs.nprev = 0;
      tg__lock_release(&pass_lock);
      continue;
    }
    uint64_t sig = 0;
    for (int i = 0; i < tg__wfs.n; i++)
      if (!tg__wfs.c[i].live)
        sig += (tg__wfs.c[i].id * 0x9E3779B97F4A7C15ull) ^ tg__wfs.c[i].seq;
    if (sig == last_sig && tg__wfs.nprev == 0 && t0 < next_pass) {
      tg__lock_release(&pass_lock);
      atomic_fetch_add(&kicks, 1);
      continue;
    }
    if (tg__wfs.nprev == 0 && tg__wfs.nwit > 0) {
      if (tg__wfs_witnessed()) {
        /* every candidate live as the last pass found it: no pass */
        tg__lock_release(&pass_lock);
        last_sig = sig;
        atomic_fetch_add(&kicks, 1);
        continue;
      }
      /* the check changed the live flags: the pass starts from a new gather */
      if (tg__wfs_gather(t0) == 0) {
        tg__wfs.nprev = 0;
        tg__lock_release(&pass_lock);
        continue;
      }
    }
    bool trusted = tg__wfs_analyse();
    tg__wfs_witness_end(trusted);
    if (trusted) {
      tg__wfs_confirm();
      tg__wfs_report_cycles();
    } else {
      tg__wfs.nprev = 0;
    }
    int64_t took = tg__wf_now() - t0;
    if (tg__wfs_dbg)
      fprintf(stderr, "tangle-waitfor: pass of %d goroutines, %d blocks: %lld us\n", tg__wfs.n,
              tg__wfs.nobjs, (long long)(took / 1000));
    bool pending = tg__wfs.nprev > 0;
    tg__lock_release(&pass_lock);
    if (sig == last_sig && !pending)
      backoff = backoff * 2 < 2 * TG_SECOND ? backoff * 2 : 2 * TG_SECOND;
    else
      backoff = PERIOD_NS;
    last_sig = sig;
    next_pass = tg__wf_now() + backoff;
    /* a pass costs: never spend more than a tenth of the time on it */
    if (took * 10 > PERIOD_NS)
      sleep_ns(took * 9);
    atomic_fetch_add(&kicks, 1); /* look again (confirm, or watch the same waits) */
  }
  return NULL;
}

static void monitor_start(void) {
  tg__wfs.c = tg__wf_alloc(MAX_CANDS * sizeof *tg__wfs.c);
  tg__wfs.refs = tg__wf_alloc(MAX_CANDS * MAX_RES_PER * sizeof *tg__wfs.refs);
  tg__wfs.stacks = tg__wf_alloc(MAX_CANDS * sizeof *tg__wfs.stacks);
  tg__wfs.stack_cand = tg__wf_alloc(MAX_CANDS * sizeof *tg__wfs.stack_cand);
  tg__wfs.work = tg__wf_alloc(MAX_RANGES * 4 * sizeof *tg__wfs.work);
  tg__wfs.excl = tg__wf_alloc(MAX_RANGES * sizeof *tg__wfs.excl);
  tg__wfs.statics = tg__wf_alloc(512 * sizeof *tg__wfs.statics);
  tg__wfs.maps = tg__wf_alloc(MAX_RANGES * sizeof *tg__wfs.maps);
  tg__wfs.objs = tg__wf_alloc(MAX_OBJS * sizeof *tg__wfs.objs);
  tg__wfs.mark = tg__wf_alloc(MAX_OBJS);
  tg__wfs.buf = tg__wf_alloc(BUF_SIZE);
  tg__wfs.wit = tg__wf_alloc(MAX_CANDS * sizeof *tg__wfs.wit);
  tg__wfs_learn_tcache_key();
  const char *d = getenv("TANGLE_WF_DEBUG");
  tg__wfs_dbg = d ? atoi(d) : 0;
  /* The scanner's own static state holds candidates' addresses. */
  tg__wf_scan_exclude(&tg__wfs, sizeof tg__wfs);
  pthread_t t;
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  if (pthread_create(&t, &a, monitor, NULL) == 0)
    pthread_setname_np(t, "tangle-waitfor");
  pthread_attr_destroy(&a);
  atomic_store_explicit(&monitor_started, true, memory_order_release);
}

void tg__wf_monitor_kick(void) {
  if (__builtin_expect(!atomic_load_explicit(&monitor_started, memory_order_acquire), 0))
    pthread_once(&monitor_once, monitor_start);
  /* one pending kick is enough: no shared write on a hot wait path */
  if (!atomic_load_explicit(&kicks, memory_order_relaxed))
    atomic_store_explicit(&kicks, 1, memory_order_relaxed);
}

void tg__wf_monitor_stop(void) {
  atomic_store(&stopping, true);
  /* wait for a pass in progress to end */
  tg__lock_acquire(&pass_lock);
  tg__lock_release(&pass_lock);
}

#endif
