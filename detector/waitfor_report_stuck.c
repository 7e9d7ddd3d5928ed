/* The report of goroutines blocked on a resource that nothing able to run
 * can reach (race build only): a channel, select, WaitGroup, Cond or
 * semaphore whose wait no goroutine can complete any more, found by the
 * monitor's reachability scan (waitfor_scan.c) the way Go's GC-based
 * goroutine leak detection (GOLF, Go 1.26's goroutineleak profile) finds
 * them. There is no cycle to show: the goroutines that could have completed
 * the operation have exited or lost every way to the resource. Reported
 * while the program runs, under the deadlock header (REPORTS.md: the issue
 * calls such a goroutine deadlocked); the leak check at exit lists them
 * again among the leaks. */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <stdio.h>
#include <string.h>

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
  return h;
}

static const char *what_completes(int kind) {
  switch (kind) {
  case TG_RES_WAITGROUP:
    return "a Done";
  case TG_RES_COND:
    return "a Signal or Broadcast";
  case TG_RES_SEM:
    return "a Release";
  case TG_RES_SELECT:
    return "an operation on one of its channels";
  default:
    return "an operation on the other end (or a close)";
  }
}

void tg__wf_report_unreachable(struct wf_hop *hops, int n) {
  TG_REPORT_IN_FLIGHT();
  enum { MAXG = 16, DEPTH = 48 };
  int ng = n < MAXG ? n : MAXG;
  uintptr_t(*stacks)[DEPTH] = tg__wf_alloc(sizeof(uintptr_t[MAXG][DEPTH]));
  int nst[MAXG] = {0};
  struct tg_report_goroutine gs[MAXG];
  struct tg_report_edge edges[MAXG];
  uint64_t key = 0x756e7265616368ull;
  for (int i = 0; i < ng; i++) {
    tg__wf_await_parked(hops[i].w);
    nst[i] = tg__wf_g_stack(hops[i].w, stacks[i], DEPTH);
    key = mix(key, hops[i].w->id);
  }
  key = mix(key, (uintptr_t)hops[0].res);

  struct tg_buf what = {0};
  tg__wf_put_res(&what, hops[0].res, hops[0].kind);
  struct tg_buf b = {0};
  char why[320];
  snprintf(why, sizeof why,
           "%d goroutine%s blocked for good on %s: no goroutine that can still run can reach it "
           "(not from its stack, from memory it can reach, nor from global data), so nothing can "
           "ever complete the wait",
           n, n == 1 ? " is" : "s are", what.s ? what.s : "a resource");
  tg__buf_str(&b, "WARNING: DEADLOCK\n");
  tg__buf_printf(&b, "%s.\n", why);
  for (int i = 0; i < ng; i++)
    tg__buf_printf(&b, "  goroutine %llu waits for %s (%s)\n", (unsigned long long)hops[i].w->id,
                   what.s ? what.s : "?", tg__wf_wait_words(hops[i].kind));
  if (n > ng)
    tg__buf_printf(&b, "  ... and %d more\n", n - ng);
  for (int i = 0; i < ng; i++) {
    struct wf_hop *h = &hops[i];
    tg__buf_printf(&b, "\nGoroutine %llu (%s) waits for ", (unsigned long long)h->w->id,
                   tg__wf_wait_words(h->kind));
    tg__wf_put_res_short(&b, h->res, h->kind);
    tg__buf_str(&b, ":\n");
    tg__wf_put_stack(&b, stacks[i], nst[i]);
    tg__wf_put_created(&b, h->w);
    gs[i] = (struct tg_report_goroutine){
        .id = h->w->id,
        .state = tg__wf_wait_words(h->kind),
        .waiting_on = what.s,
        .created_at = {.pcs = h->w->create, .n = h->w->ncreate},
        .stack = {.pcs = stacks[i], .n = nst[i]},
    };
    edges[i] = (struct tg_report_edge){
        .goroutine = h->w->id,
        .waits_for = what.s,
        .waits_at = {.pcs = stacks[i], .n = nst[i]},
    };
  }
  tg__buf_str(&b, "\nHow the four Coffman conditions hold (a communication deadlock):\n");
  tg__buf_printf(&b,
                 "  mutual exclusion: only a goroutine that refers to %s can make %s; none "
                 "that can still run does.\n",
                 what.s ? what.s : "it", what_completes(hops[0].kind));
  tg__buf_str(&b, "  hold and wait: the blocked goroutine");
  tg__buf_str(&b, n == 1 ? " keeps its wait" : "s keep their waits");
  tg__buf_str(&b, " (and whatever they hold) forever.\n");
  tg__buf_str(&b, "  no preemption: a blocked channel, WaitGroup, Cond or semaphore operation "
                  "has no timeout, and no timer or I/O is armed to end it.\n");
  tg__buf_str(&b, "  circular wait: none is needed: the goroutine that could complete the wait "
                  "has exited or lost its way to the resource, and will never come.\n");

  tg__wf_emit_deadlock(why, gs, edges, ng, key, &b);
  tg__buf_free(&what);
  tg__wf_free(stacks, sizeof(uintptr_t[MAXG][DEPTH]));
}

#endif
