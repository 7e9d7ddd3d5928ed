/* Memory, string-vector and error helpers shared by all verbs. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    cli_fatal("out of memory");
  return p;
}

void *xcalloc(size_t n, size_t size) {
  void *p = calloc(n ? n : 1, size ? size : 1);
  if (!p)
    cli_fatal("out of memory");
  return p;
}

void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p)
    cli_fatal("out of memory");
  return p;
}

char *xstrdup(const char *s) {
  char *d = strdup(s);
  if (!d)
    cli_fatal("out of memory");
  return d;
}

char *xasprintf(const char *fmt, ...) {
  va_list ap;
  char *s;
  va_start(ap, fmt);
  int r = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (r < 0)
    cli_fatal("out of memory");
  return s;
}

void sv_push(struct strvec *s, const char *str) {
  if (s->n + 2 > s->cap) {
    s->cap = s->cap ? s->cap * 2 : 16;
    s->v = xrealloc(s->v, s->cap * sizeof *s->v);
  }
  s->v[s->n++] = xstrdup(str);
  s->v[s->n] = NULL;
}

void sv_pushf(struct strvec *s, const char *fmt, ...) {
  va_list ap;
  char *str;
  va_start(ap, fmt);
  int r = vasprintf(&str, fmt, ap);
  va_end(ap);
  if (r < 0)
    cli_fatal("out of memory");
  sv_push(s, str);
  free(str);
}

void sv_extend(struct strvec *s, const struct strvec *from) {
  for (size_t i = 0; i < from->n; i++)
    sv_push(s, from->v[i]);
}

void sv_free(struct strvec *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
  s->v = NULL;
  s->n = s->cap = 0;
}

void cli_error(const char *verb, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (verb)
    fprintf(stderr, "tangle %s: ", verb);
  else
    fputs("tangle: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

void cli_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("tangle: fatal: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(EXIT_USAGE);
}
