/* Stacks as reports show them, one frame a line in Go's layout:
 *
 *   worker() testsuite/seeds/race_counter.c:12
 *
 * Frames the user did not write are left out: the runtime's own frames at
 * the top of a stack captured inside it (tg__*, the race detector's
 * __tsan_* entry points, static functions of runtime/ and detector/), and
 * everything from the goroutine or thread entry down. Public tg_* API frames
 * stay, as Go shows chan send and friends.
 *
 * Lines are built by hand (no stdio) so that crash handlers can print. */
#include "stack.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define TG_PRINT_MAX_INLINE 32

static bool has_prefix(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The runtime's and detector's source directories as frames show them
 * (same compile commands as this file, hence same path style), so that
 * their static helpers count as runtime frames too. Set once. */
static struct {
  pthread_once_t once;
  char runtime_dir[4096], detector_dir[4096];
} src_dirs = {.once = PTHREAD_ONCE_INIT};

static void src_dirs_init(void) {
  static const char self[] = "/detector/stack_print.c";
  const char *file = __FILE__;
  size_t len = strlen(file), slen = strlen(self);
  if (file[0] != '/' || len <= slen || strcmp(file + len - slen, self) != 0 ||
      len + 16 > sizeof src_dirs.runtime_dir)
    return; /* built with relative paths: only names tell runtime frames */
  static const char *const dirs[] = {"/runtime/", "/detector/"};
  char *const outs[] = {src_dirs.runtime_dir, src_dirs.detector_dir};
  for (int i = 0; i < 2; i++) {
    char path[4096];
    size_t root = len - slen;
    memcpy(path, file, root);
    strcpy(path + root, dirs[i]);
    strcat(path, "x.c");
    const char *shown = tg__stack_path(path);
    size_t n = strlen(shown);
    if (n >= 3 && n < sizeof src_dirs.runtime_dir) {
      memcpy(outs[i], shown, n - 3);
      outs[i][n - 3] = '\0';
    }
  }
}

static bool in_runtime_sources(const char *file) {
  if (file == NULL)
    return false;
  pthread_once(&src_dirs.once, src_dirs_init);
  return (src_dirs.runtime_dir[0] != '\0' && has_prefix(file, src_dirs.runtime_dir)) ||
         (src_dirs.detector_dir[0] != '\0' && has_prefix(file, src_dirs.detector_dir));
}

static bool is_public_api(const char *fn) {
  return has_prefix(fn, "tg_") && !has_prefix(fn, "tg__");
}

/* The runtime's internal frames, hidden at the top of a stack: tg__*
 * functions, the race instrumentation's entry points, and the static
 * helpers of the runtime's sources (but not its public tg_* API). */
static bool is_internal(const struct tg_frame *f) {
  if (has_prefix(f->function, "tg__") || has_prefix(f->function, "__tsan_"))
    return true;
  return in_runtime_sources(f->file) && !is_public_api(f->function);
}

/* Where user code ends: the goroutine trampoline and entry, the thread and
 * process entries. Nothing from here down is printed. */
static bool is_entry(const struct tg_frame *f) {
  static const char *const exact[] = {"tg__goroutine_entry", "tg__ctx_start",
                                      "__libc_start_call_main", "_start", "start_thread"};
  for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
    if (strcmp(f->function, exact[i]) == 0)
      return true;
  if (strcmp(f->function, "goroutine_entry") == 0 && in_runtime_sources(f->file))
    return true; /* runtime/sched.c's static entry */
  return has_prefix(f->function, "__libc_start_main") || has_prefix(f->function, "clone") ||
         has_prefix(f->function, "__clone");
}

/* Walks the symbolized frames of a stack as shown, calling `emit` for each
 * until it returns false; returns how many were emitted. */
typedef bool (*frame_fn)(void *ctx, const struct tg_frame *f);

static int walk_shown(const uintptr_t *pcs, int n, frame_fn emit, void *ctx) {
  struct tg_frame fr[TG_PRINT_MAX_INLINE];
  /* Pass 1: is there a frame outside the runtime before the entry? If not
   * (a stack entirely inside the runtime, e.g. a scheduler thread), show the
   * runtime's frames rather than nothing. */
  bool skip_internal = false;
  for (int i = 0; i < n && !skip_internal; i++) {
    int m = tg__symbolize(pcs[i], fr, TG_PRINT_MAX_INLINE);
    bool stop = false;
    for (int j = 0; j < m; j++) {
      if (is_entry(&fr[j])) {
        stop = true;
        break;
      }
      if (!is_internal(&fr[j])) {
        skip_internal = true;
        break;
      }
    }
    if (stop)
      break;
  }
  bool at_top = skip_internal;
  int shown = 0;
  for (int i = 0; i < n; i++) {
    int m = tg__symbolize(pcs[i], fr, TG_PRINT_MAX_INLINE);
    for (int j = 0; j < m; j++) {
      if (is_entry(&fr[j]))
        return shown;
      if (at_top && is_internal(&fr[j]))
        continue;
      at_top = false;
      if (!emit(ctx, &fr[j]))
        return shown;
      shown++;
    }
  }
  return shown;
}

struct frames_ctx {
  struct tg_frame *out;
  int max, n;
};

static bool collect_frame(void *p, const struct tg_frame *f) {
  struct frames_ctx *c = p;
  if (c->n >= c->max)
    return false;
  c->out[c->n++] = *f;
  return true;
}

int tg__stack_frames(const uintptr_t *pcs, int n, struct tg_frame *out, int max) {
  if (pcs == NULL || out == NULL || max <= 0)
    return 0;
  struct frames_ctx c = {out, max, 0};
  walk_shown(pcs, n, collect_frame, &c);
  return c.n;
}

/* Appends to a fixed buffer; `ok` turns false once something did not fit. */
struct line {
  char buf[1024];
  size_t len;
  bool ok;
};

static void put_str(struct line *l, const char *s) {
  size_t n = strlen(s);
  if (n > sizeof l->buf - l->len) {
    n = sizeof l->buf - l->len;
    l->ok = false;
  }
  memcpy(l->buf + l->len, s, n);
  l->len += n;
}

static void put_num(struct line *l, uint64_t v, unsigned base) {
  char tmp[24];
  size_t i = sizeof tmp;
  tmp[--i] = '\0';
  do {
    tmp[--i] = "0123456789abcdef"[v % base];
    v /= base;
  } while (v != 0);
  if (base == 16) {
    tmp[--i] = 'x';
    tmp[--i] = '0';
  }
  put_str(l, tmp + i);
}

/* One frame's line: "  fn() file:line\n", "  fn() ?\n", or "  0x4012ab\n". */
static void format_frame(struct line *l, const struct tg_frame *f) {
  l->len = 0;
  l->ok = true;
  put_str(l, "  ");
  bool known = strcmp(f->function, "?") != 0;
  if (known) {
    put_str(l, f->function);
    put_str(l, "()");
  } else {
    put_num(l, f->pc, 16);
  }
  if (f->file != NULL) {
    put_str(l, " ");
    put_str(l, f->file);
    put_str(l, ":");
    put_num(l, (uint64_t)(f->line > 0 ? f->line : 0), 10);
  } else if (known) {
    put_str(l, " ?");
  }
  put_str(l, "\n");
  if (!l->ok) {
    /* Absurdly long names: cut, but keep the line a line. */
    if (l->len > sizeof l->buf - 4)
      l->len = sizeof l->buf - 4;
    memcpy(l->buf + l->len, "...\n", 4);
    l->len += 4;
    l->ok = true;
  }
}

struct buf_ctx {
  char *buf;
  size_t cap, len;
};

static bool format_to_buf(void *p, const struct tg_frame *f) {
  struct buf_ctx *c = p;
  struct line l;
  format_frame(&l, f);
  if (c->len + l.len + 1 > c->cap)
    return false; /* whole lines only */
  memcpy(c->buf + c->len, l.buf, l.len);
  c->len += l.len;
  c->buf[c->len] = '\0';
  return true;
}

size_t tg__stack_format(char *buf, size_t cap, const uintptr_t *pcs, int n) {
  if (buf == NULL || cap == 0)
    return 0;
  buf[0] = '\0';
  if (pcs == NULL)
    return 0;
  struct buf_ctx c = {buf, cap, 0};
  walk_shown(pcs, n, format_to_buf, &c);
  return c.len;
}

static bool write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return false;
    p += w;
    n -= (size_t)w;
  }
  return true;
}

static bool print_to_fd(void *p, const struct tg_frame *f) {
  struct line l;
  format_frame(&l, f);
  return write_all(*(int *)p, l.buf, l.len);
}

void tg__stack_print(int fd, const uintptr_t *pcs, int n) {
  if (pcs == NULL)
    return;
  int saved = errno;
  walk_shown(pcs, n, print_to_fd, &fd);
  errno = saved;
}
