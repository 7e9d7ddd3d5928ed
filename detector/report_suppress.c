/* Suppressions (TANGLE_OPTIONS suppressions=FILE): lines "KIND:PATTERN",
 * '#' comments. KIND is race, deadlock, lock_order, global_deadlock, leak,
 * starvation or misuse; PATTERN is matched against the function and the
 * file of every frame of a finding (inlined frames too) as TSan does: a
 * substring, with '*' matching anything, '^' anchoring the start and '$'
 * the end. An unknown kind stops the program at start-up, naming it. */
#ifdef TANGLE_RACE
#include "report.h"
#include "rt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__libc_malloc(size_t n);
void *__libc_realloc(void *p, size_t n);

struct supp {
  enum tg_finding_kind kind;
  char *pattern;
};

/* Loaded once by tg__suppress_load (start-up, before findings); read-only
 * afterwards. */
static struct supp *supps;
static int nsupps;

static const struct {
  const char *name;
  enum tg_finding_kind kind;
} kinds[] = {
    {"race", TG_FIND_DATA_RACE},
    {"data_race", TG_FIND_DATA_RACE},
    {"deadlock", TG_FIND_DEADLOCK},
    {"lock_order", TG_FIND_LOCK_ORDER},
    {"global_deadlock", TG_FIND_GLOBAL_DEADLOCK},
    {"leak", TG_FIND_LEAK},
    {"starvation", TG_FIND_STARVATION},
    {"misuse", TG_FIND_MISUSE},
};

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
    s[--n] = 0;
  return s;
}

_Noreturn static void bad(const char *path, int line, const char *what, const char *text) {
  tg__fdprintf(2, "tangle: suppressions file %s:%d: %s: %s\n", path, line, what, text);
  _exit(2);
}

void tg__suppress_load(const char *path) {
  if (!path)
    return;
  FILE *f = fopen(path, "re");
  if (!f) {
    tg__fdprintf(2, "tangle: suppressions file %s: %s\n", path, strerror(errno));
    _exit(2);
  }
  char line[4096];
  int lineno = 0;
  while (fgets(line, sizeof line, f)) {
    lineno++;
    char *s = trim(line);
    if (!*s || *s == '#')
      continue;
    char *colon = strchr(s, ':');
    if (!colon)
      bad(path, lineno, "expected KIND:PATTERN", s);
    *colon = 0;
    char *kind = trim(s), *pat = trim(colon + 1);
    int k = -1;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
      if (!strcmp(kinds[i].name, kind))
        k = (int)kinds[i].kind;
    if (k < 0)
      bad(path, lineno, "unknown kind", kind);
    if (!*pat)
      bad(path, lineno, "empty pattern", kind);
    struct supp *v = __libc_realloc(supps, (size_t)(nsupps + 1) * sizeof *v);
    char *copy = __libc_malloc(strlen(pat) + 1);
    if (!v || !copy)
      bad(path, lineno, "out of memory", pat);
    strcpy(copy, pat);
    supps = v;
    supps[nsupps].kind = (enum tg_finding_kind)k;
    supps[nsupps].pattern = copy;
    nsupps++;
  }
  fclose(f);
}

/* '*' globs over s[0..n); the pattern has no anchors left. */
static bool glob_at(const char *p, const char *s, bool to_end) {
  for (; *p; p++, s++) {
    if (*p == '*') {
      while (p[1] == '*')
        p++;
      if (!p[1] && !to_end)
        return true;
      for (const char *t = s;; t++) {
        if (glob_at(p + 1, t, to_end))
          return true;
        if (!*t)
          return false;
      }
    }
    if (*p == '$' && !p[1])
      return !*s;
    if (!*s || *p != *s)
      return false;
  }
  return !to_end || !*s;
}

bool tg__suppress_match(const char *pattern, const char *s) {
  if (!s)
    return false;
  size_t n = strlen(pattern);
  bool to_end = n && pattern[n - 1] == '$';
  if (pattern[0] == '^')
    return glob_at(pattern + 1, s, to_end);
  for (const char *t = s;; t++) {
    if (glob_at(pattern, t, to_end))
      return true;
    if (!*t)
      return false;
  }
}

bool tg__suppress_frames(enum tg_finding_kind k, const struct tg_frame *fr, int n) {
  for (int i = 0; i < nsupps; i++) {
    if (supps[i].kind != k)
      continue;
    for (int j = 0; j < n; j++)
      if (tg__suppress_match(supps[i].pattern, fr[j].function) ||
          tg__suppress_match(supps[i].pattern, fr[j].file))
        return true;
  }
  return false;
}

bool tg__suppress_any(enum tg_finding_kind k) {
  for (int i = 0; i < nsupps; i++)
    if (supps[i].kind == k)
      return true;
  return false;
}
#endif
