/* Stress of the context tree under GOMAXPROCS=2: round after round, workers
 * build subtrees (cancel, timeout, value contexts) under a shared root while
 * another goroutine cancels the root at an arbitrary moment. Invariants:
 * every descendant's Done gets closed (a descendant created after the
 * cancel too) and it then reports an error; a timeout
 * context reports TG_DEADLINE_EXCEEDED only if its own deadline passed;
 * after all releases the number of allocated contexts and of pending
 * timers is back where it started (within the release quarantine). */
#include <tangle.h>

#include "rt.h"
#include "sema.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                        \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

#define ROUNDS     20000
#define WORKERS    6
#define PER_WORKER 12

static tg_ctx *root;
static atomic_int violations;
static tg_waitgroup wg;
static const char key;

static bool closed(tg_chan *c) {
  bool ok = true;
  tg_case cs[] = {TG_RECV(c, NULL, &ok)};
  return tg_select_nb(cs, 1) == 0 && !ok;
}

static void worker(void *arg) {
  uint32_t x = (uint32_t)(intptr_t)arg * 2654435761u + 3;
  tg_ctx *mine[PER_WORKER];
  int64_t deadline[PER_WORKER];
  for (int i = 0; i < PER_WORKER; i++) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    tg_ctx *parent = i > 0 && x % 2 ? mine[x % i] : root;
    deadline[i] = 0;
    switch (x % 3) {
    case 0:
      mine[i] = tg_with_cancel(parent);
      break;
    case 1:
      deadline[i] = tg_now() + (int64_t)(x % 300) * TG_MICROSECOND;
      mine[i] = tg_with_deadline(parent, deadline[i]);
      break;
    default:
      mine[i] = tg_with_value(parent, &key, (void *)(intptr_t)i);
      break;
    }
    if (x % 5 == 0)
      tg_yield();
  }
  /* Every context we made ends (the root's cancel reaches it, or its own
   * deadline passes): a lost propagation hangs here. Once Done is closed,
   * Err is set. */
  for (int i = 0; i < PER_WORKER; i++) {
    tg_chan_recv(tg_ctx_done(mine[i]), NULL);
    int err = tg_ctx_err(mine[i]);
    if (err == 0 || !closed(tg_ctx_done(mine[i])))
      atomic_fetch_add(&violations, 1);
    if (err == TG_DEADLINE_EXCEEDED) {
      int64_t d;
      if (!tg_ctx_deadline(mine[i], &d) || tg_now() < d)
        atomic_fetch_add(&violations, 1);
    }
  }
  /* Release in a scrambled order: parents before children sometimes. */
  for (int i = 0; i < PER_WORKER; i++)
    tg_ctx_release(mine[(i * 5) % PER_WORKER]);
  tg_waitgroup_done(&wg);
}

static void root_canceller(void *arg) {
  int spins = (int)(intptr_t)arg;
  for (int i = 0; i < spins; i++)
    tg_yield();
  tg_cancel(root);
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_maxprocs(2);
  /* Warm-up so the quarantine is full before the baseline is taken. */
  for (int i = 0; i < 2 * TG__CTX_QUARANTINE; i++)
    tg_ctx_release(tg_with_cancel(tg_background()));
  int64_t live0 = tg__ctx_live();
  int timers0 = atomic_load(&tg__sched.ntimers);
  for (int r = 0; r < ROUNDS; r++) {
    root = tg_with_cancel(tg_background());
    tg_waitgroup_add(&wg, WORKERS + 1);
    for (int i = 0; i < WORKERS; i++)
      tg_go(worker, (void *)(intptr_t)(r * WORKERS + i + 1));
    tg_go(root_canceller, (void *)(intptr_t)(r % 40));
    tg_waitgroup_wait(&wg);
    tg_ctx_release(root);
  }
  CHECK(atomic_load(&violations) == 0);
  for (int i = 0; i < 2 * TG__CTX_QUARANTINE; i++)
    tg_ctx_release(tg_with_cancel(tg_background()));
  CHECK(tg__ctx_live() - live0 <= TG__CTX_QUARANTINE);
  CHECK(atomic_load(&tg__sched.ntimers) == timers0);
  printf("stress_context: ok (%d rounds, %d contexts each)\n", ROUNDS, WORKERS * PER_WORKER);
  return 0;
}
