/* Text and findings of the wait-for graph's reports (race build only):
 * deadlocks (a cycle, or a wait on a lock whose holder exited) with the four
 * Coffman conditions spelled out, and the misuses the graph sees. Layout:
 * REPORTS.md (the sink adds the "==================" lines). */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const char *tg__wf_kind_name(int kind) {
  switch (kind) {
  case TG_RES_CHAN:
    return "channel";
  case TG_RES_SELECT:
    return "select";
  case TG_RES_MUTEX:
    return "mutex";
  case TG_RES_RWMUTEX_R:
  case TG_RES_RWMUTEX_W:
    return "rwmutex";
  case TG_RES_WAITGROUP:
    return "WaitGroup";
  case TG_RES_COND:
    return "Cond";
  case TG_RES_ONCE:
    return "Once";
  case TG_RES_SEM:
    return "semaphore";
  case TG_RES_IO:
    return "network I/O";
  case TG_RES_SLEEP:
    return "sleep";
  }
  return "resource";
}

/* How a goroutine waits, in Go's words. */
const char *tg__wf_wait_words(int kind) {
  switch (kind) {
  case TG_RES_MUTEX:
    return "sync.Mutex.Lock";
  case TG_RES_RWMUTEX_R:
    return "sync.RWMutex.RLock";
  case TG_RES_RWMUTEX_W:
    return "sync.RWMutex.Lock";
  case TG_RES_ONCE:
    return "sync.Once.Do";
  case TG_RES_SEM:
    return "semaphore acquire";
  case TG_RES_WAITGROUP:
    return "sync.WaitGroup.Wait";
  case TG_RES_COND:
    return "sync.Cond.Wait";
  case TG_RES_CHAN:
    return "chan send or receive";
  case TG_RES_SELECT:
    return "select";
  }
  return "waiting";
}

/* The goroutine's own wait reason when it is parked in that wait. */
static const char *how_waits(const struct wf_hop *h) {
  struct tg_g *g = h->w->g;
  if (g->id == h->w->id && atomic_load(&g->status) == TG_G_WAITING &&
      g->wait_reason != TG_WAIT_NONE)
    return tg__wait_reason_str(g->wait_reason);
  return tg__wf_wait_words(h->kind);
}

static void put_site(struct tg_buf *b, uintptr_t pc) {
  struct tg_frame fr[8];
  int n = tg__symbolize(pc, fr, 8);
  if (n <= 0)
    return;
  if (fr[0].file)
    tg__buf_printf(b, "%s() %s:%d", fr[0].function, tg__stack_path(fr[0].file), fr[0].line);
  else
    tg__buf_printf(b, "%s()", fr[0].function);
}

void tg__wf_put_res(struct tg_buf *b, const void *addr, int kind) {
  if (kind == TG_RES_CHAN && !addr) {
    tg__buf_str(b, "nil channel");
    return;
  }
  tg__buf_printf(b, "%s %p", tg__wf_kind_name(kind), addr);
  if (!tg__wf_is_lock_kind(kind))
    return;
  tg__lock *sl = tg__wf_res_lock(addr);
  tg__lock_acquire(sl);
  struct wf_res *r = tg__wf_res(addr, kind, false);
  uint32_t cls = r ? r->cls : 0;
  tg__lock_release(sl);
  uintptr_t site = cls ? tg__lockorder_class_site(cls) : 0;
  if (site) {
    tg__buf_str(b, " (first locked at ");
    put_site(b, site);
    tg__buf_str(b, ")");
  }
}

void tg__wf_put_res_short(struct tg_buf *b, const void *addr, int kind) {
  if (kind == TG_RES_CHAN && !addr)
    tg__buf_str(b, "nil channel");
  else
    tg__buf_printf(b, "%s %p", tg__wf_kind_name(kind), addr);
}

void tg__wf_put_stack(struct tg_buf *b, const uintptr_t *pcs, int n) {
  if (n <= 0) {
    tg__buf_str(b, "  (stack unavailable)\n");
    return;
  }
  char tmp[4096];
  size_t len = tg__stack_format(tmp, sizeof tmp, pcs, n);
  if (len == 0) {
    tg__buf_str(b, "  (no frames outside the runtime)\n");
    return;
  }
  tg__buf_put(b, tmp, len);
}

void tg__wf_put_created(struct tg_buf *b, struct wf_g *w) {
  if (w->id == 1 || w->ncreate == 0) {
    tg__buf_printf(b, "Goroutine %llu is the main goroutine.\n", (unsigned long long)w->id);
    return;
  }
  tg__buf_printf(b, "Goroutine %llu created at (by goroutine %llu):\n", (unsigned long long)w->id,
                 (unsigned long long)w->parent_id);
  tg__wf_put_stack(b, w->create, w->ncreate);
}

int tg__wf_g_stack(struct wf_g *w, uintptr_t *pcs, int max) {
  struct tg_g *g = w->g;
  if (g == tg__getg())
    return tg__stack_capture(pcs, max, 1);
  if (g->id != w->id)
    return 0;
  int s = atomic_load(&g->status);
  if (s != TG_G_WAITING && s != TG_G_RUNNABLE)
    return 0;
  return tg__stack_capture_g(g, pcs, max);
}

uintptr_t tg__wf_user_pc(const uintptr_t *pcs, int n) {
  struct tg_frame fr[32];
  int k = tg__stack_frames(pcs, n, fr, 32);
  for (int i = 0; i < k; i++) {
    if (fr[i].inlined)
      continue;
    if (strncmp(fr[i].function, "tg_", 3) == 0)
      continue;
    return fr[i].pc;
  }
  return k > 0 ? fr[k - 1].pc : 0;
}

bool tg__wf_stack_has(const uintptr_t *pcs, int n, const char *fn, int depth) {
  for (int i = 0; i < n && i < depth; i++) {
    struct tg_frame fr[8];
    int k = tg__symbolize(pcs[i], fr, 8);
    for (int j = 0; j < k; j++)
      if (strcmp(fr[j].function, fn) == 0)
        return true;
  }
  return false;
}

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h;
}

static void sleep_us(long us) {
  struct timespec ts = {0, us * 1000};
  nanosleep(&ts, NULL);
}

/* A goroutine of a cycle may be between its wait hook and its park when the
 * cycle is found: its stack can be read once it has parked. */
void tg__wf_await_parked(struct wf_g *w) {
  if (w->g == tg__getg())
    return;
  for (int i = 0; i < 200; i++) {
    struct tg_g *g = w->g;
    if (g->id != w->id || atomic_load(&g->status) == TG_G_WAITING)
      return;
    sleep_us(500);
  }
}

void tg__wf_report_misuse(const char *what, const void *addr, int kind, struct wf_g *holder) {
  TG_REPORT_IN_FLIGHT();
  struct wf_g *self = tg__wf_self();
  uintptr_t pcs[32];
  int n = tg__stack_capture(pcs, 32, 1);
  struct tg_buf b = {0};
  tg__buf_str(&b, "WARNING: MISUSE\n");
  tg__buf_printf(&b, "%s: ", what);
  tg__wf_put_res(&b, addr, kind);
  tg__buf_str(&b, "\n");
  tg__buf_printf(&b, "Goroutine %llu:\n", (unsigned long long)(self ? self->id : 0));
  tg__wf_put_stack(&b, pcs, n);
  struct tg_report_goroutine gs[2];
  int ng = 0;
  struct wf_held h;
  bool has_h = false;
  if (holder) {
    has_h = tg__wf_held_of(holder, addr, &h);
    tg__buf_printf(&b, "The lock is held by goroutine %llu%s", (unsigned long long)holder->id,
                   has_h ? ", acquired at:\n" : ".\n");
    if (has_h)
      tg__wf_put_stack(&b, h.at.pcs, h.at.n);
  }
  if (self) {
    tg__wf_put_created(&b, self);
    gs[ng++] = (struct tg_report_goroutine){
        .id = self->id,
        .state = "running",
        .created_at = {.pcs = self->create, .n = self->ncreate},
        .stack = {.pcs = pcs, .n = n},
    };
  }
  if (holder) {
    tg__wf_put_created(&b, holder);
    gs[ng++] = (struct tg_report_goroutine){
        .id = holder->id,
        .state = "holds the lock",
        .created_at = {.pcs = holder->create, .n = holder->ncreate},
        .stack = {.pcs = has_h ? h.at.pcs : NULL, .n = has_h ? h.at.n : 0},
    };
  }
  struct tg_finding f = {
      .kind = TG_FIND_MISUSE,
      .message = what,
      .goroutines = gs,
      .ngoroutines = ng,
      .dedup_key = mix(mix(0x6d697375, tg__wf_user_pc(pcs, n)), (uint64_t)kind),
  };
  tg__report_emit(&f, b.s ? b.s : "WARNING: MISUSE\n");
  tg__buf_free(&b);
}

/* Mutual exclusion, in the words of the locks involved. */
static void put_coffman(struct tg_buf *b, struct wf_hop *hops, int n, bool cycle) {
  tg__buf_str(b, "\nHow the four Coffman conditions hold:\n");
  tg__buf_str(b, "  mutual exclusion: ");
  for (int i = 0; i < n; i++) {
    struct wf_hop *h = &hops[(i + 1) % n];
    if (!cycle && i == n - 1)
      break;
    if (i)
      tg__buf_str(b, "; ");
    tg__wf_put_res_short(b, hops[i].res, hops[i].kind);
    if (hops[i].ownerless)
      tg__buf_printf(
          b, " can be completed by goroutine %llu alone (no running goroutine can reach it)",
          (unsigned long long)h->w->id);
    else if (hops[i].kind == TG_RES_RWMUTEX_R || hops[i].kind == TG_RES_RWMUTEX_W)
      tg__buf_printf(b, " admits no %s while goroutine %llu holds it",
                     hops[i].kind == TG_RES_RWMUTEX_R ? "reader" : "writer",
                     (unsigned long long)h->w->id);
    else if (hops[i].kind == TG_RES_ONCE)
      tg__buf_printf(b, " lets no caller return while goroutine %llu runs its function",
                     (unsigned long long)h->w->id);
    else
      tg__buf_printf(b, " is held by goroutine %llu alone", (unsigned long long)h->w->id);
  }
  tg__buf_str(b, ".\n");
  tg__buf_str(b, "  hold and wait: ");
  if (!cycle) {
    tg__buf_printf(b, "goroutine %llu kept ", (unsigned long long)hops[n - 1].w->id);
    tg__wf_put_res_short(b, hops[n - 2].res, hops[n - 2].kind);
    tg__buf_printf(b, " when it exited, and goroutine %llu waits for it.\n",
                   (unsigned long long)hops[n - 2].w->id);
  } else {
    for (int i = 0; i < n; i++) {
      struct wf_hop *h = &hops[i];
      if (i)
        tg__buf_str(b, "; ");
      tg__buf_printf(b, "goroutine %llu holds ", (unsigned long long)h->w->id);
      if (h->has_held)
        tg__wf_put_res_short(b, h->held.lock, h->held.kind);
      else if (hops[(i + n - 1) % n].ownerless)
        tg__buf_printf(b, "the only way out of goroutine %llu's wait",
                       (unsigned long long)hops[(i + n - 1) % n].w->id);
      else
        tg__buf_str(b, "what another waits for");
      tg__buf_str(b, " while it waits for ");
      tg__wf_put_res_short(b, h->res, h->kind);
    }
    tg__buf_str(b, ".\n");
  }
  bool any_ownerless = false;
  for (int i = 0; i < n; i++)
    any_ownerless |= hops[i].ownerless;
  if (cycle && any_ownerless)
    tg__buf_str(b, "  no preemption: a blocked channel, WaitGroup or Cond operation has no "
                   "timeout and nobody else can complete it; a lock is released only by its "
                   "holder.\n");
  else if (cycle)
    tg__buf_str(b, "  no preemption: a lock is released only by the goroutine holding it, and "
                   "every holder here is itself blocked; nothing takes a lock away.\n");
  else
    tg__buf_printf(b,
                   "  no preemption: only its holder could release it, and goroutine %llu has "
                   "exited.\n",
                   (unsigned long long)hops[n - 1].w->id);
  tg__buf_str(b, "  circular wait: ");
  for (int i = 0; i < n; i++) {
    if (!cycle && i == n - 1) {
      tg__buf_printf(b, "goroutine %llu (exited)", (unsigned long long)hops[i].w->id);
      break;
    }
    tg__buf_printf(b, "goroutine %llu -> ", (unsigned long long)hops[i].w->id);
    tg__wf_put_res_short(b, hops[i].res, hops[i].kind);
    tg__buf_str(b, " -> ");
  }
  if (cycle)
    tg__buf_printf(b, "goroutine %llu", (unsigned long long)hops[0].w->id);
  tg__buf_str(b, cycle ? " (the cycle).\n" : ": no cycle, but the holder is gone for good.\n");
}

/* Emits a WARNING: DEADLOCK whose text is in b (freed here): one goroutine
 * and one edge per hop. */
void tg__wf_emit_deadlock(const char *why, const struct tg_report_goroutine *gs,
                          const struct tg_report_edge *edges, int ng, uint64_t key,
                          struct tg_buf *b) {
  struct tg_finding f = {
      .kind = TG_FIND_DEADLOCK,
      .message = why,
      .goroutines = gs,
      .ngoroutines = ng,
      .cycle = edges,
      .ncycle = ng,
      .dedup_key = key,
  };
  tg__report_emit(&f, b->s ? b->s : "WARNING: DEADLOCK\n");
  tg__buf_free(b);
}

void tg__wf_report_deadlock(const char *why, struct wf_hop *hops, int n, bool cycle) {
  TG_REPORT_IN_FLIGHT();
  enum { MAXG = 16, DEPTH = 48 };
  int ng = n < MAXG ? n : MAXG;
  uintptr_t(*stacks)[DEPTH] = tg__wf_alloc(sizeof(uintptr_t[MAXG][DEPTH]));
  int nst[MAXG] = {0};
  struct tg_report_goroutine gs[MAXG];
  struct tg_report_edge edges[MAXG];
  char *desc[MAXG] = {0};
  struct tg_buf held_desc[MAXG];
  memset(held_desc, 0, sizeof held_desc);
  uint64_t key = 0x646561646c6f636bull;

  for (int i = 0; i < ng; i++) {
    struct wf_hop *h = &hops[i];
    if (!(!cycle && i == n - 1)) {
      tg__wf_await_parked(h->w);
      nst[i] = tg__wf_g_stack(h->w, stacks[i], DEPTH);
    } else if (h->has_held) {
      memcpy(stacks[i], h->held.at.pcs, h->held.at.n * sizeof(uintptr_t));
      nst[i] = h->held.at.n;
    }
    key = mix(key, h->w->id);
    key = mix(key, (uintptr_t)h->res);
  }

  struct tg_buf b = {0};
  tg__buf_str(&b, "WARNING: DEADLOCK\n");
  tg__buf_printf(&b, "%s.\n", why);
  for (int i = 0; i < ng; i++) {
    struct wf_hop *h = &hops[i];
    struct wf_hop *holder = &hops[(i + 1) % n];
    if (!cycle && i == n - 1)
      break;
    tg__buf_printf(&b, "  goroutine %llu", (unsigned long long)h->w->id);
    if (h->has_held) {
      tg__buf_str(&b, " holds ");
      tg__wf_put_res(&b, h->held.lock, h->held.kind);
      tg__buf_str(&b, " and");
    }
    tg__buf_str(&b, " waits for ");
    tg__wf_put_res(&b, h->res, h->kind);
    if (h->ownerless)
      tg__buf_printf(&b, ", which only goroutine %llu could complete\n",
                     (unsigned long long)holder->w->id);
    else if (holder->w == h->w)
      tg__buf_str(&b, ", which it holds itself\n");
    else
      tg__buf_printf(&b, ", held by goroutine %llu%s\n", (unsigned long long)holder->w->id,
                     holder->holder_exited ? " (exited)" : "");
  }

  for (int i = 0; i < ng; i++) {
    struct wf_hop *h = &hops[i];
    struct wf_hop *holder = &hops[(i + 1) % n];
    tg__buf_str(&b, "\n");
    if (!cycle && i == n - 1) {
      tg__buf_printf(&b, "Goroutine %llu exited without releasing ", (unsigned long long)h->w->id);
      tg__wf_put_res_short(&b, hops[i - 1].res, hops[i - 1].kind);
      tg__buf_str(&b, h->has_held ? "; it was acquired at:\n" : ".\n");
      if (h->has_held)
        tg__wf_put_stack(&b, h->held.at.pcs, h->held.at.n);
    } else {
      tg__buf_printf(&b, "Goroutine %llu (%s) waits for ", (unsigned long long)h->w->id,
                     how_waits(h));
      tg__wf_put_res_short(&b, h->res, h->kind);
      if (h->ownerless)
        tg__buf_printf(&b, "; only goroutine %llu, itself blocked, refers to it:\n",
                       (unsigned long long)holder->w->id);
      else if (holder->w == h->w)
        tg__buf_str(&b, ", which it holds itself:\n");
      else
        tg__buf_printf(&b, ", held by goroutine %llu:\n", (unsigned long long)holder->w->id);
      tg__wf_put_stack(&b, stacks[i], nst[i]);
      if (h->has_held) {
        tg__buf_printf(&b, "Goroutine %llu acquired ", (unsigned long long)h->w->id);
        tg__wf_put_res_short(&b, h->held.lock, h->held.kind);
        tg__buf_str(&b, " at:\n");
        tg__wf_put_stack(&b, h->held.at.pcs, h->held.at.n);
      }
    }
    tg__wf_put_created(&b, h->w);

    struct tg_buf wd = {0};
    if (!(!cycle && i == n - 1))
      tg__wf_put_res(&wd, h->res, h->kind);
    desc[i] = wd.s;
    if (h->has_held)
      tg__wf_put_res(&held_desc[i], h->held.lock, h->held.kind);
    gs[i] = (struct tg_report_goroutine){
        .id = h->w->id,
        .state = (!cycle && i == n - 1) ? "finished" : tg__wf_wait_words(h->kind),
        .waiting_on = desc[i],
        .created_at = {.pcs = h->w->create, .n = h->w->ncreate},
        .stack = {.pcs = stacks[i], .n = nst[i]},
    };
    edges[i] = (struct tg_report_edge){
        .goroutine = h->w->id,
        .holds = held_desc[i].s,
        .holds_at = {.pcs = h->has_held ? h->held.at.pcs : NULL,
                     .n = h->has_held ? h->held.at.n : 0},
        .waits_for = desc[i],
        .waits_at = {.pcs = stacks[i], .n = nst[i]},
    };
  }
  put_coffman(&b, hops, n, cycle);

  tg__wf_emit_deadlock(why, gs, edges, ng, key, &b);
  for (int i = 0; i < ng; i++) {
    struct tg_buf t = {.s = desc[i]};
    tg__buf_free(&t);
    tg__buf_free(&held_desc[i]);
  }
  tg__wf_free(stacks, sizeof(uintptr_t[MAXG][DEPTH]));
}

#endif
