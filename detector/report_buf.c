/* Growable text buffers for reports (report_buf.h). */
#ifdef TANGLE_RACE
#include "report_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);

static bool reserve(struct tg_buf *b, size_t extra) {
  if (b->failed)
    return false;
  if (b->n + extra + 1 <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->n + extra + 1)
    cap *= 2;
  char *s = __libc_realloc(b->s, cap);
  if (!s) {
    b->failed = true;
    return false;
  }
  b->s = s;
  b->cap = cap;
  return true;
}

void tg__buf_put(struct tg_buf *b, const char *s, size_t n) {
  if (!reserve(b, n))
    return;
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = 0;
}

void tg__buf_str(struct tg_buf *b, const char *s) {
  tg__buf_put(b, s, strlen(s));
}

void tg__buf_printf(struct tg_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  if ((size_t)n < sizeof small) {
    tg__buf_put(b, small, (size_t)n);
    return;
  }
  if (!reserve(b, (size_t)n))
    return;
  va_start(ap, fmt);
  vsnprintf(b->s + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

void tg__buf_json_str(struct tg_buf *b, const char *s) {
  if (!s) {
    tg__buf_str(b, "null");
    return;
  }
  tg__buf_put(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') {
      char e[2] = {'\\', (char)*p};
      tg__buf_put(b, e, 2);
    } else if (*p == '\n') {
      tg__buf_put(b, "\\n", 2);
    } else if (*p == '\t') {
      tg__buf_put(b, "\\t", 2);
    } else if (*p < 0x20) {
      tg__buf_printf(b, "\\u%04x", *p);
    } else {
      tg__buf_put(b, (const char *)p, 1);
    }
  }
  tg__buf_put(b, "\"", 1);
}

void tg__buf_free(struct tg_buf *b) {
  __libc_free(b->s);
  b->s = NULL;
  b->n = b->cap = 0;
}
#endif
