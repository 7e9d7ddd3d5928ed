#include "opts.h"
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int opt_value(const char *verb, int argc, char **argv, int *i, const char *name, const char **val) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (strncmp(a, name, n) != 0)
    return 0;
  if (a[n] == '=') {
    *val = a + n + 1;
    return 1;
  }
  if (a[n] != 0)
    return 0;
  if (*i + 1 >= argc) {
    cli_error(verb, "option %s needs a value", name);
    return -1;
  }
  *val = argv[++*i];
  return 1;
}

int opt_int(const char *verb, const char *name, const char *val, long min, long *out) {
  char *end;
  errno = 0;
  long v = strtol(val, &end, 10);
  if (errno || end == val || *end || v < min || v > 1000000) {
    cli_error(verb, "%s: '%s' is not a number >= %ld", name, val, min);
    return -1;
  }
  *out = v;
  return 0;
}

int opt_u64(const char *verb, const char *name, const char *val, uint64_t *out) {
  char *end;
  errno = 0;
  if (val[0] == '-') {
    cli_error(verb, "%s: '%s' is not a non-negative integer", name, val);
    return -1;
  }
  unsigned long long v = strtoull(val, &end, 0);
  if (errno || end == val || *end) {
    cli_error(verb, "%s: '%s' is not a non-negative integer", name, val);
    return -1;
  }
  *out = v;
  return 0;
}

FILE *open_output(const char *verb, const char *path, FILE *dflt) {
  if (!path || strcmp(path, "-") == 0)
    return dflt;
  FILE *f = fopen(path, "w");
  if (!f) {
    cli_error(verb, "cannot write %s: %s", path, strerror(errno));
    exit(EXIT_USAGE);
  }
  return f;
}

char *make_tmpdir(const char *verb) {
  const char *tmp = getenv("TMPDIR");
  char *dir = xasprintf("%s/tangle-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", verb);
  if (!mkdtemp(dir)) {
    cli_error(verb, "cannot create a temporary directory %s: %s", dir, strerror(errno));
    exit(EXIT_USAGE);
  }
  return dir;
}

void remove_tmpdir(char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    while ((e = readdir(d)))
      if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
        char *p = xasprintf("%s/%s", dir, e->d_name);
        unlink(p);
        free(p);
      }
    closedir(d);
  }
  rmdir(dir);
  free(dir);
}
