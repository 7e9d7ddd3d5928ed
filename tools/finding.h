/* Findings as tools see them: the JSON objects of REPORTS.md ("JSON"),
 * checked for shape, with the locations that identify them (de-duplication
 * and fingerprints), merged over runs and binaries. */
#ifndef TANGLE_FINDING_H
#define TANGLE_FINDING_H

#include "cli.h"
#include "json.h"

#include <stdbool.h>
#include <stdint.h>

/* Known finding kinds, in REPORTS.md's order. */
enum kind {
  K_DATA_RACE,
  K_DEADLOCK,
  K_LOCK_ORDER,
  K_GLOBAL_DEADLOCK,
  K_LEAK,
  K_STARVATION,
  K_MISUSE,
  K__COUNT
};
extern const char *const kind_names[K__COUNT];  /* "data_race", ... */
extern const char *const kind_titles[K__COUNT]; /* "WARNING: DATA RACE", ... */
int kind_from_name(const char *name);           /* -1 if unknown */

/* One source location: a stack's top user frame. */
struct loc {
  const char *function; /* never NULL ("?") */
  const char *file;     /* NULL when unknown */
  int64_t line;
  const char *what; /* e.g. "Write by goroutine 7", "previous read" */
};

struct finding {
  enum kind kind;
  struct json *obj; /* the finding as received, "seed" filled in */
  uint64_t seed;
  bool has_seed;
  char *key;        /* de-duplication key: kind + sorted locations */
  struct loc *locs; /* locations, the primary one first */
  size_t nlocs;
  struct strvec binaries; /* where it was found (test), in order */
  int hits;               /* how many runs reported it */
};

struct findings {
  struct finding **v;
  size_t n, cap;
};

/* Checks obj's shape for its kind. Returns 0, or -1 with a message in err.
 * *control is set for "hello" and "summary" lines (not findings). */
int finding_check(const struct json *obj, bool *control, char *err, size_t errlen);
/* Builds a finding from a checked object (takes ownership of obj). */
struct finding *finding_new(struct json *obj, const char *binary, bool has_seed, uint64_t seed);
void finding_free(struct finding *f);

/* Adds f, or merges it into an equal finding (same key) and frees it.
 * Returns the finding kept. */
struct finding *findings_add(struct findings *fs, struct finding *f);
void findings_free(struct findings *fs);

/* Whether findings of this kind make the gate fail: leaks and starvation only
 * when TANGLE_OPTIONS says leaks=error / starvation=error. */
bool kind_counts(enum kind k);
/* "2 data races, 1 deadlock, 0 leaks" (+ other kinds when present). */
char *findings_summary(const struct findings *fs);
int findings_counting(const struct findings *fs);

/* Frames of a stack: "stack", "created_at" or "at" arrays. */
struct loc stack_top(const struct json *frames);
/* A stable hash of the finding's kind and locations without line numbers, so
 * code-scanning services can track it across commits that move code. */
char *finding_fingerprint(const struct finding *f);

#endif
