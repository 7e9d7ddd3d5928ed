/* A growable text buffer for building reports (detector-internal memory:
 * libc's allocator directly, never the race build's interposers). */
#ifndef TANGLE_REPORT_BUF_H
#define TANGLE_REPORT_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tg_buf {
  char *s;
  size_t n, cap;
  bool failed; /* out of memory: contents truncated */
};

void tg__buf_put(struct tg_buf *b, const char *s, size_t n);
void tg__buf_str(struct tg_buf *b, const char *s);
void tg__buf_printf(struct tg_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quotes included; NULL becomes null. */
void tg__buf_json_str(struct tg_buf *b, const char *s);
void tg__buf_free(struct tg_buf *b);

#endif
