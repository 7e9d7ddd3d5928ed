/* A small JSON reader and writer for the findings the race build writes on
 * its side channel, for saved reports, and for SARIF output.
 *
 * The reader is strict (RFC 8259 grammar, nesting limited so that hostile
 * input cannot exhaust the stack, invalid UTF-8 replaced by U+FFFD) and never
 * aborts on bad input: it returns NULL and a message with the column. */
#ifndef TANGLE_JSON_H
#define TANGLE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
  enum json_type type;
  bool boolean;
  char *str;  /* JSON_STRING: the value (NUL-terminated); JSON_NUMBER: its text */
  size_t len; /* length of str */
  /* JSON_ARRAY: items; JSON_OBJECT: keys[i] -> items[i], in input order */
  struct json **items;
  char **keys;
  size_t n, cap;
};

/* Parses exactly one JSON value (surrounding white space allowed). On error
 * returns NULL and writes "column N: what" to err. */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json *v);

/* Lookups; NULL/false when absent or of another type. */
const struct json *json_get(const struct json *obj, const char *key);
const char *json_string(const struct json *v);
const char *json_get_string(const struct json *obj, const char *key);
bool json_u64(const struct json *v, uint64_t *out); /* a non-negative integer */
bool json_i64(const struct json *v, int64_t *out);  /* an integer */
bool json_is(const struct json *v, enum json_type t);

/* Builders (for SARIF and re-serialized findings). */
struct json *json_new(enum json_type t);
struct json *json_new_string(const char *s);
struct json *json_new_number_u64(uint64_t v);
struct json *json_new_number_i64(int64_t v);
struct json *json_new_bool(bool b);
struct json *json_clone(const struct json *v);
/* Appends to an array, or sets key (replacing an existing one) in an object;
 * takes ownership of v. Returns v. */
struct json *json_push(struct json *arr, struct json *v);
struct json *json_set(struct json *obj, const char *key, struct json *v);

/* Writes v: compact on one line when indent < 0, else pretty-printed. */
void json_write(FILE *f, const struct json *v, int indent);
/* Writes s as a quoted JSON string. */
void json_write_string(FILE *f, const char *s, size_t len);

#endif
