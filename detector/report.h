/* The one sink every finding goes through (race, deadlock, lock order, leak,
 * starvation, misuse, and the global deadlock of the race build).
 *
 * A detector builds a struct tg_finding and its text body; the sink applies
 * suppressions, de-duplicates, writes text (REPORTS.md's layout: the body
 * between "==================" lines) or one JSON object a line to stderr or
 * log_path.PID, always also a JSON line to the side channel fd named by the
 * environment variable TANGLE_REPORT_FD when `tangle run`/`tangle test` set
 * it, counts findings per kind, and at exit prints the summary and sets the
 * exit status (REPORTS.md "Exit statuses"). It never loses a finding: each is
 * written (unbuffered) as soon as it is emitted. */
#ifndef TANGLE_REPORT_H
#define TANGLE_REPORT_H

#include "stack.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tg_finding_kind {
  TG_FIND_DATA_RACE = 0,
  TG_FIND_DEADLOCK,
  TG_FIND_LOCK_ORDER,
  TG_FIND_GLOBAL_DEADLOCK,
  TG_FIND_LEAK,
  TG_FIND_STARVATION,
  TG_FIND_MISUSE,
  TG_FIND__COUNT
};
/* "data_race", "deadlock", "lock_order", ... (REPORTS.md JSON kinds) */
const char *tg__finding_kind_name(enum tg_finding_kind k);

struct tg_report_stack {
  const uintptr_t *pcs; /* raw return addresses, symbolized by the sink */
  int n;
};

struct tg_report_goroutine {
  uint64_t id;
  const char *state;      /* "running", "finished", "chan receive", ... */
  const char *waiting_on; /* resource description, or NULL */
  struct tg_report_stack created_at;
  struct tg_report_stack stack;
};

struct tg_report_access {
  bool write;
  uintptr_t addr;
  size_t size;
  uint64_t goroutine;
  struct tg_report_stack stack;
};

struct tg_report_edge {
  uint64_t goroutine;
  const char *holds; /* resource held, or NULL */
  struct tg_report_stack holds_at;
  const char *waits_for; /* resource waited for */
  struct tg_report_stack waits_at;
};

struct tg_finding {
  enum tg_finding_kind kind;
  const char *message; /* one line, e.g. "Write at 0x... by goroutine 7" */
  const struct tg_report_goroutine *goroutines;
  int ngoroutines;
  const struct tg_report_access *accesses;
  int naccesses;
  const struct tg_report_edge *cycle;
  int ncycle;
  /* De-duplication key: findings with the same kind and key are reported
   * once (e.g. the pair of racing pcs). 0: never de-duplicated. */
  uint64_t dedup_key;
};

/* Emits a finding. `text` is the body of the text report without the
 * "==================" lines (it starts with "WARNING: ..." or "fatal error:
 * ..."). Returns false if it was suppressed or a duplicate. Thread-safe;
 * callable from any goroutine or scheduler thread. */
bool tg__report_emit(const struct tg_finding *f, const char *text);
/* Whether a stack matches a suppression for this kind (suppressions= file:
 * lines "race:PATTERN", "deadlock:PATTERN", "lock_order:", "leak:",
 * "starvation:", "misuse:"; PATTERN matched as a substring/glob against
 * function and file names). */
bool tg__report_suppressed(enum tg_finding_kind k, const uintptr_t *pcs, int n);
/* Number of findings emitted so far of a kind. */
int tg__report_count(enum tg_finding_kind k);
/* Called once at exit (atexit, or from the fatal paths): prints
 * "Found N data race(s)" etc., the JSON summary, and returns the exit status
 * the findings call for (0 or exitcode=). */
int tg__report_finish(void);
/* A report is being put together (symbolizing it can take a loaded machine
 * hundreds of milliseconds): tg__report_finish waits for it rather than let
 * the process end without it. TG_REPORT_IN_FLIGHT() as the first statement
 * of a function that builds and emits a report covers every return. */
int tg__report_in_flight_begin(void);
void tg__report_in_flight_end(int *unused);
/* Waits (10 s at most) for reports other threads are building. */
void tg__report_await_in_flight(void);
#define TG_REPORT_IN_FLIGHT()                                                                      \
  int tg__report_in_flight_ __attribute__((cleanup(tg__report_in_flight_end), unused)) =           \
      tg__report_in_flight_begin()

#endif
