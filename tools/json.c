/* JSON reader (recursive descent, bounded depth) and writer. */
#include "json.h"
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting than any finding needs; bounds the recursion on hostile
 * input. */
enum { MAX_DEPTH = 64 };

struct parser {
  const char *p, *start, *end;
  char *err;
  size_t errlen;
  bool failed;
};

static void fail(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct parser *ps, const char *fmt, ...) {
  if (ps->failed)
    return;
  ps->failed = true;
  if (!ps->err || !ps->errlen)
    return;
  int n = snprintf(ps->err, ps->errlen, "column %zu: ", (size_t)(ps->p - ps->start) + 1);
  if (n < 0 || (size_t)n >= ps->errlen)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
  va_end(ap);
}

static void skip_ws(struct parser *ps) {
  while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
    ps->p++;
}

struct json *json_new(enum json_type t) {
  struct json *v = xcalloc(1, sizeof *v);
  v->type = t;
  return v;
}

/* A growable byte buffer for string values. */
struct buf {
  char *s;
  size_t n, cap;
};
static void buf_add(struct buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    b->cap = (b->n + n + 1) * 2;
    b->s = xrealloc(b->s, b->cap);
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = 0;
}

static void add_utf8(struct buf *b, uint32_t cp) {
  char out[4];
  size_t n;
  if (cp < 0x80) {
    out[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  buf_add(b, out, n);
}

/* Length of the valid UTF-8 sequence at s (at most avail bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t avail) {
  uint32_t cp;
  size_t n;
  if (s[0] < 0x80)
    return 1;
  if ((s[0] & 0xE0) == 0xC0)
    n = 2, cp = s[0] & 0x1F;
  else if ((s[0] & 0xF0) == 0xE0)
    n = 3, cp = s[0] & 0x0F;
  else if ((s[0] & 0xF8) == 0xF0)
    n = 4, cp = s[0] & 0x07;
  else
    return 0;
  if (n > avail)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

static int hex4(struct parser *ps, uint32_t *out) {
  if (ps->end - ps->p < 4) {
    fail(ps, "truncated \\u escape");
    return -1;
  }
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) {
    char c = ps->p[i];
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (uint32_t)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (uint32_t)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (uint32_t)(c - 'A' + 10);
    else {
      fail(ps, "bad \\u escape");
      return -1;
    }
  }
  ps->p += 4;
  *out = v;
  return 0;
}

/* At the opening quote; returns the decoded string. */
static char *parse_string(struct parser *ps, size_t *len) {
  struct buf b = {0};
  buf_add(&b, "", 0);
  ps->p++;
  for (;;) {
    if (ps->p >= ps->end) {
      fail(ps, "unterminated string");
      break;
    }
    unsigned char c = (unsigned char)*ps->p;
    if (c == '"') {
      ps->p++;
      *len = b.n;
      return b.s;
    }
    if (c < 0x20) {
      fail(ps, "control character in string");
      break;
    }
    if (c == '\\') {
      ps->p++;
      if (ps->p >= ps->end) {
        fail(ps, "unterminated string");
        break;
      }
      char e = *ps->p++;
      const char *simple = NULL;
      switch (e) {
      case '"':
        simple = "\"";
        break;
      case '\\':
        simple = "\\";
        break;
      case '/':
        simple = "/";
        break;
      case 'b':
        simple = "\b";
        break;
      case 'f':
        simple = "\f";
        break;
      case 'n':
        simple = "\n";
        break;
      case 'r':
        simple = "\r";
        break;
      case 't':
        simple = "\t";
        break;
      case 'u': {
        uint32_t cp;
        if (hex4(ps, &cp) < 0)
          goto bad;
        if (cp >= 0xD800 && cp <= 0xDBFF && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
            ps->p[1] == 'u') {
          const char *save = ps->p;
          uint32_t lo;
          ps->p += 2;
          if (hex4(ps, &lo) < 0)
            goto bad;
          if (lo >= 0xDC00 && lo <= 0xDFFF)
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          else
            ps->p = save, cp = 0xFFFD;
        } else if (cp >= 0xD800 && cp <= 0xDFFF) {
          cp = 0xFFFD; /* lone surrogate */
        }
        add_utf8(&b, cp);
        continue;
      }
      default:
        ps->p--;
        fail(ps, "bad escape '\\%c'", e);
        goto bad;
      }
      buf_add(&b, simple, 1);
      continue;
    }
    size_t n = utf8_len((const unsigned char *)ps->p, (size_t)(ps->end - ps->p));
    if (n == 0) {
      add_utf8(&b, 0xFFFD);
      ps->p++;
    } else {
      buf_add(&b, ps->p, n);
      ps->p += n;
    }
  }
bad:
  free(b.s);
  return NULL;
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static struct json *parse_number(struct parser *ps) {
  const char *s = ps->p;
  if (ps->p < ps->end && *ps->p == '-')
    ps->p++;
  if (ps->p >= ps->end || !is_digit(*ps->p)) {
    fail(ps, "bad number");
    return NULL;
  }
  if (*ps->p == '0')
    ps->p++;
  else
    while (ps->p < ps->end && is_digit(*ps->p))
      ps->p++;
  if (ps->p < ps->end && *ps->p == '.') {
    ps->p++;
    if (ps->p >= ps->end || !is_digit(*ps->p)) {
      fail(ps, "bad number");
      return NULL;
    }
    while (ps->p < ps->end && is_digit(*ps->p))
      ps->p++;
  }
  if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
    ps->p++;
    if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
      ps->p++;
    if (ps->p >= ps->end || !is_digit(*ps->p)) {
      fail(ps, "bad number");
      return NULL;
    }
    while (ps->p < ps->end && is_digit(*ps->p))
      ps->p++;
  }
  struct json *v = json_new(JSON_NUMBER);
  v->len = (size_t)(ps->p - s);
  v->str = xmalloc(v->len + 1);
  memcpy(v->str, s, v->len);
  v->str[v->len] = 0;
  return v;
}

static void add_item(struct json *c, char *key, struct json *v) {
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 4;
    c->items = xrealloc(c->items, c->cap * sizeof *c->items);
    if (c->type == JSON_OBJECT)
      c->keys = xrealloc(c->keys, c->cap * sizeof *c->keys);
  }
  if (c->type == JSON_OBJECT)
    c->keys[c->n] = key;
  c->items[c->n++] = v;
}

static struct json *parse_value(struct parser *ps, int depth);

static struct json *parse_container(struct parser *ps, int depth, bool object) {
  if (depth >= MAX_DEPTH) {
    fail(ps, "nested deeper than %d levels", MAX_DEPTH);
    return NULL;
  }
  struct json *c = json_new(object ? JSON_OBJECT : JSON_ARRAY);
  char close = object ? '}' : ']';
  ps->p++;
  skip_ws(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    return c;
  }
  for (;;) {
    char *key = NULL;
    skip_ws(ps);
    if (object) {
      if (ps->p >= ps->end || *ps->p != '"') {
        fail(ps, "expected a string key");
        goto bad;
      }
      size_t kl;
      key = parse_string(ps, &kl);
      if (!key)
        goto bad;
      skip_ws(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        free(key);
        fail(ps, "expected ':'");
        goto bad;
      }
      ps->p++;
    }
    struct json *v = parse_value(ps, depth + 1);
    if (!v) {
      free(key);
      goto bad;
    }
    add_item(c, key, v);
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      continue;
    }
    if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      return c;
    }
    fail(ps, ps->p >= ps->end ? "unexpected end of input" : "expected ',' or '%c'", close);
    goto bad;
  }
bad:
  json_free(c);
  return NULL;
}

static bool literal(struct parser *ps, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
    ps->p += n;
    return true;
  }
  return false;
}

static struct json *parse_value(struct parser *ps, int depth) {
  skip_ws(ps);
  if (ps->p >= ps->end) {
    fail(ps, "unexpected end of input");
    return NULL;
  }
  char c = *ps->p;
  if (c == '{' || c == '[')
    return parse_container(ps, depth, c == '{');
  if (c == '"') {
    size_t len;
    char *s = parse_string(ps, &len);
    if (!s)
      return NULL;
    struct json *v = json_new(JSON_STRING);
    v->str = s;
    v->len = len;
    return v;
  }
  if (c == '-' || is_digit(c))
    return parse_number(ps);
  if (literal(ps, "true") || literal(ps, "false")) {
    struct json *v = json_new(JSON_BOOL);
    v->boolean = ps->p[-1] == 'e' && ps->p[-2] == 'u';
    return v;
  }
  if (literal(ps, "null"))
    return json_new(JSON_NULL);
  fail(ps, "unexpected character '%c'", c >= 0x20 && c < 0x7f ? c : '?');
  return NULL;
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errlen) {
  struct parser ps = {text, text, text + len, err, errlen, false};
  if (err && errlen)
    err[0] = 0;
  struct json *v = parse_value(&ps, 0);
  if (!v)
    return NULL;
  skip_ws(&ps);
  if (ps.p != ps.end) {
    fail(&ps, "unexpected data after the value");
    json_free(v);
    return NULL;
  }
  return v;
}

void json_free(struct json *v) {
  if (!v)
    return;
  for (size_t i = 0; i < v->n; i++) {
    json_free(v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

const struct json *json_get(const struct json *obj, const char *key) {
  if (!obj || obj->type != JSON_OBJECT)
    return NULL;
  for (size_t i = obj->n; i-- > 0;) /* the last duplicate wins */
    if (strcmp(obj->keys[i], key) == 0)
      return obj->items[i];
  return NULL;
}

bool json_is(const struct json *v, enum json_type t) {
  return v && v->type == t;
}

const char *json_string(const struct json *v) {
  return json_is(v, JSON_STRING) ? v->str : NULL;
}

const char *json_get_string(const struct json *obj, const char *key) {
  return json_string(json_get(obj, key));
}

bool json_u64(const struct json *v, uint64_t *out) {
  if (!json_is(v, JSON_NUMBER) || v->str[0] == '-' || strpbrk(v->str, ".eE"))
    return false;
  errno = 0;
  unsigned long long x = strtoull(v->str, NULL, 10);
  if (errno)
    return false;
  *out = x;
  return true;
}

bool json_i64(const struct json *v, int64_t *out) {
  if (!json_is(v, JSON_NUMBER) || strpbrk(v->str, ".eE"))
    return false;
  errno = 0;
  long long x = strtoll(v->str, NULL, 10);
  if (errno)
    return false;
  *out = x;
  return true;
}

struct json *json_new_string(const char *s) {
  struct json *v = json_new(JSON_STRING);
  v->str = xstrdup(s ? s : "");
  v->len = strlen(v->str);
  return v;
}

struct json *json_new_number_u64(uint64_t x) {
  struct json *v = json_new(JSON_NUMBER);
  v->str = xasprintf("%" PRIu64, x);
  v->len = strlen(v->str);
  return v;
}

struct json *json_new_number_i64(int64_t x) {
  struct json *v = json_new(JSON_NUMBER);
  v->str = xasprintf("%" PRId64, x);
  v->len = strlen(v->str);
  return v;
}

struct json *json_new_bool(bool b) {
  struct json *v = json_new(JSON_BOOL);
  v->boolean = b;
  return v;
}

struct json *json_clone(const struct json *v) {
  if (!v)
    return NULL;
  struct json *c = json_new(v->type);
  c->boolean = v->boolean;
  if (v->str) {
    c->str = xmalloc(v->len + 1);
    memcpy(c->str, v->str, v->len + 1);
    c->len = v->len;
  }
  for (size_t i = 0; i < v->n; i++)
    add_item(c, v->keys ? xstrdup(v->keys[i]) : NULL, json_clone(v->items[i]));
  return c;
}

struct json *json_push(struct json *arr, struct json *v) {
  add_item(arr, NULL, v);
  return v;
}

struct json *json_set(struct json *obj, const char *key, struct json *v) {
  for (size_t i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0) {
      json_free(obj->items[i]);
      obj->items[i] = v;
      return v;
    }
  add_item(obj, xstrdup(key), v);
  return v;
}

void json_write_string(FILE *f, const char *s, size_t len) {
  fputc('"', f);
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"':
      fputs("\\\"", f);
      break;
    case '\\':
      fputs("\\\\", f);
      break;
    case '\n':
      fputs("\\n", f);
      break;
    case '\r':
      fputs("\\r", f);
      break;
    case '\t':
      fputs("\\t", f);
      break;
    case '\b':
      fputs("\\b", f);
      break;
    case '\f':
      fputs("\\f", f);
      break;
    default:
      if (c < 0x20)
        fprintf(f, "\\u%04x", c);
      else
        fputc(c, f);
    }
  }
  fputc('"', f);
}

static void newline(FILE *f, int indent, int depth) {
  if (indent < 0)
    return;
  fputc('\n', f);
  for (int i = 0; i < indent * depth; i++)
    fputc(' ', f);
}

static void write_value(FILE *f, const struct json *v, int indent, int depth) {
  switch (v->type) {
  case JSON_NULL:
    fputs("null", f);
    break;
  case JSON_BOOL:
    fputs(v->boolean ? "true" : "false", f);
    break;
  case JSON_NUMBER:
    fputs(v->str, f);
    break;
  case JSON_STRING:
    json_write_string(f, v->str, v->len);
    break;
  case JSON_ARRAY:
  case JSON_OBJECT: {
    bool obj = v->type == JSON_OBJECT;
    fputc(obj ? '{' : '[', f);
    for (size_t i = 0; i < v->n; i++) {
      if (i)
        fputc(',', f);
      newline(f, indent, depth + 1);
      if (obj) {
        json_write_string(f, v->keys[i], strlen(v->keys[i]));
        fputs(indent < 0 ? ":" : ": ", f);
      }
      write_value(f, v->items[i], indent, depth + 1);
    }
    if (v->n)
      newline(f, indent, depth);
    fputc(obj ? '}' : ']', f);
    break;
  }
  }
}

void json_write(FILE *f, const struct json *v, int indent) {
  write_value(f, v, indent, 0);
}
