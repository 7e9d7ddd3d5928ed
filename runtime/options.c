/* TANGLE_OPTIONS="key=value ...": parsed once at start-up. Unknown keys and
 * malformed values stop the program with a message naming them; nothing is
 * silently ignored (REPORTS.md). */
#include "rt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Written once by tg__options_parse before any goroutine runs; read-only after. */
struct tg_options tg__opts = {
    .exitcode = 66,
    .leaks = 1,
    .starvation = 1,
    .starvation_ms = 1000,
    .deadlock = true,
    .history_size = 4,
};

_Noreturn static void bad(const char *key, const char *val, const char *why) {
  tg__fdprintf(2, "tangle: TANGLE_OPTIONS: %s%s%s: %s\n", key, val ? "=" : "", val ? val : "", why);
  _exit(2);
}

static int64_t parse_int(const char *key, const char *v, int64_t lo, int64_t hi) {
  char *end;
  errno = 0;
  long long x = strtoll(v, &end, 10);
  if (errno || end == v)
    bad(key, v, "not an integer");
  int64_t mult = 1;
  if (*end == 'k' || *end == 'K')
    mult = 1024, end++;
  else if (*end == 'm' || *end == 'M')
    mult = 1024 * 1024, end++;
  if (*end)
    bad(key, v, "not an integer");
  if (x < lo || x > hi / mult)
    bad(key, v, "out of range");
  return x * mult;
}

static bool parse_bool(const char *key, const char *v) {
  if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "yes"))
    return true;
  if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "no"))
    return false;
  bad(key, v, "expected 0/1, true/false or on/off");
}

static int parse_level(const char *key, const char *v, bool allow_all) {
  if (!strcmp(v, "off"))
    return 0;
  if (!strcmp(v, "warn"))
    return 1;
  if (!strcmp(v, "error"))
    return 2;
  if (allow_all && !strcmp(v, "all"))
    return 3;
  bad(key, v, allow_all ? "expected off, warn, error or all" : "expected off, warn or error");
}

static void set_option(const char *key, const char *v) {
  if (!strcmp(key, "halt_on_error"))
    tg__opts.halt_on_error = parse_bool(key, v);
  else if (!strcmp(key, "exitcode"))
    tg__opts.exitcode = (int)parse_int(key, v, 0, 255);
  else if (!strcmp(key, "log_path")) {
    if (!*v)
      bad(key, v, "empty path");
    tg__opts.log_path = v;
  } else if (!strcmp(key, "format")) {
    if (!strcmp(v, "text"))
      tg__opts.format = 0;
    else if (!strcmp(v, "json"))
      tg__opts.format = 1;
    else
      bad(key, v, "expected text or json");
  } else if (!strcmp(key, "leaks"))
    tg__opts.leaks = parse_level(key, v, true);
  else if (!strcmp(key, "starvation"))
    tg__opts.starvation = parse_level(key, v, false);
  else if (!strcmp(key, "starvation_ms"))
    tg__opts.starvation_ms = parse_int(key, v, 1, INT64_MAX / 1000000);
  else if (!strcmp(key, "deadlock"))
    tg__opts.deadlock = parse_bool(key, v);
  else if (!strcmp(key, "history_size"))
    tg__opts.history_size = parse_int(key, v, 0, 16);
  else if (!strcmp(key, "suppressions")) {
    if (access(v, R_OK) != 0)
      bad(key, v, "cannot read the file");
    tg__opts.suppressions = v;
  } else if (!strcmp(key, "seed")) {
    char *end;
    errno = 0;
    unsigned long long s = strtoull(v, &end, 0);
    if (errno || end == v || *end || *v == '-')
      bad(key, v, "not an unsigned integer");
    tg__opts.seed = s;
    tg__opts.seed_set = true;
  } else if (!strcmp(key, "stack_size"))
    tg__opts.stack_size = (size_t)parse_int(key, v, 16 << 10, (int64_t)1 << 30);
  else
    bad(key, NULL, "unknown option");
}

void tg__options_parse(void) {
  const char *env = getenv("TANGLE_OPTIONS");
  if (!env)
    return;
  /* The copy lives for the whole run: string options point into it. */
  char *s = strdup(env);
  if (!s)
    bad("TANGLE_OPTIONS", NULL, "out of memory");
  for (char *save = NULL, *tok = strtok_r(s, " \t\n", &save); tok;
       tok = strtok_r(NULL, " \t\n", &save)) {
    char *eq = strchr(tok, '=');
    if (!eq)
      bad(tok, NULL, "expected key=value");
    *eq = 0;
    set_option(tok, eq + 1);
  }
}
