/* The program's memory as the wait-for graph's scan sees it (race build
 * only): reading it without faulting, its mappings, which static data are
 * roots, and the heap's blocks (glibc's chunks, free ones left out). See
 * waitfor_scan.h. */
#ifdef TANGLE_RACE
#include "waitfor_scan.h"

#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* One arena for every thread: the heap is then one walkable run of chunks.
 * At start-up, before goroutines run on threads of their own. */
__attribute__((constructor(101))) static void one_arena(void) {
  mallopt(M_ARENA_MAX, 1);
}

/* ---- reading the program's memory without faulting ----------------------- */

size_t tg__wfs_read_mem(uintptr_t addr, void *dst, size_t n) {
  struct iovec l = {dst, n}, r = {(void *)addr, n};
  ssize_t got = process_vm_readv(getpid(), &l, 1, &r, 1, 0);
  return got > 0 ? (size_t)got : 0;
}

bool tg__wfs_read_words(uintptr_t addr, uintptr_t *out, int n) {
  return tg__wfs_read_mem(addr, out, (size_t)n * sizeof *out) == (size_t)n * sizeof *out;
}

/* ---- ranges -------------------------------------------------------------- */

int tg__wfs_range_cmp(const void *a, const void *b) {
  const struct range *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Libraries whose static data is not a root: the C library (its malloc
 * arena's bins lead to free chunks holding what freed structures pointed
 * to) and the detectors' own dependencies (symbolizer, unwinder). A
 * program does not keep the only reference to a channel there. */
static bool not_a_root(const char *name) {
  static const char *const libs[] = {"/libc.so", "/libdw.so",   "/libelf.so", "/libunwind",
                                     "/libz.so", "/liblzma.so", "/libbz2.so", "/libzstd.so"};
  for (size_t i = 0; name && i < sizeof libs / sizeof libs[0]; i++)
    if (strstr(name, libs[i]))
      return true;
  return false;
}

int tg__wfs_static_cb(struct dl_phdr_info *info, size_t size, void *ctx) {
  (void)size, (void)ctx;
  bool skip = not_a_root(info->dlpi_name);
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
      continue;
    uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
    /* whole pages: the segment's end shares its last page with .bss */
    uintptr_t hi = (lo + ph->p_memsz + 4095) & ~(uintptr_t)4095;
    if (skip && tg__wfs.nlibdata < 64)
      tg__wfs.libdata[tg__wfs.nlibdata++] = (struct range){lo, hi};
    else if (!skip && tg__wfs.nstatics < 512)
      tg__wfs.statics[tg__wfs.nstatics++] = (struct range){lo, lo + ph->p_memsz};
  }
  return 0;
}

bool tg__wfs_in_ranges(const struct range *r, int n, uintptr_t a) {
  for (int i = 0; i < n; i++)
    if (a >= r[i].lo && a < r[i].hi)
      return true;
  return false;
}

/* The process's mappings (from /proc/self/maps). */
int tg__wfs_read_maps(struct region *out, int max, struct range *main_stack) {
  int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  static char text[1 << 20]; /* the pass's (under pass_lock) */
  size_t n = 0;
  ssize_t k;
  while (n < sizeof text - 1 && (k = read(fd, text + n, sizeof text - 1 - n)) > 0)
    n += (size_t)k;
  close(fd);
  text[n] = 0;
  int nr = 0;
  bool prev_guard = false;
  uintptr_t prev_hi = 0;
  for (char *line = text; line && *line;) {
    char *next = strchr(line, '\n');
    if (next)
      *next++ = 0;
    unsigned long lo, hi, off;
    char perms[8] = {0};
    char path[256] = {0};
    if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %255[^\n]", &lo, &hi, perms, &off, path) >= 4) {
      bool rw = perms[0] == 'r' && perms[1] == 'w';
      bool none = perms[0] == '-' && perms[1] == '-';
      if (strcmp(path, "[stack]") == 0)
        *main_stack = (struct range){lo, hi};
      if (nr < max &&
          (path[0] == 0 || !strcmp(path, "[heap]") || !strcmp(path, "[stack]") || path[0] == '/')) {
        out[nr++] = (struct region){.lo = lo,
                                    .hi = hi,
                                    .rw = rw,
                                    .anon = path[0] == 0,
                                    .heap = !strcmp(path, "[heap]"),
                                    .stack = !strcmp(path, "[stack]"),
                                    .guard_below = prev_guard && prev_hi == lo};
      }
      prev_guard = none && hi - lo <= (1ul << 20);
      prev_hi = hi;
    }
    line = next;
  }
  return nr;
}

/* ---- heap blocks ----------------------------------------------------------- */

void tg__wfs_add_obj(uintptr_t lo, uintptr_t hi) {
  if (tg__wfs.nobjs < MAX_OBJS && lo < hi)
    tg__wfs.objs[tg__wfs.nobjs++] = (struct range){lo, hi};
}

/* The value glibc writes into the second word of a chunk it puts in a
 * thread's cache (tcache_key, random per process; 0 if unknown): read from
 * a chunk freed for the purpose at start-up. */
static uintptr_t tcache_key;

void tg__wfs_learn_tcache_key(void) {
  void *p = __libc_malloc(40);
  if (!p)
    return;
  __libc_free(p);
  uintptr_t w[2];
  if (tg__wfs_read_words((uintptr_t)p, w, 2) && w[1] > 4096)
    tcache_key = w[1];
}

/* glibc's main arena is one run of chunks from the heap's start: a chunk is
 * [prev_size, size | flags] and its user bytes (up to and including the
 * next chunk's prev_size word); the next starts size bytes on. Free chunks
 * are not blocks: they keep the stale contents of what they held (a freed
 * structure that pointed to a channel), and the arena's bins lead to them.
 * A chunk is free when the next one's PREV_INUSE bit is clear (the bins),
 * or when its second word is the tcache key (a thread's cache); fastbin
 * chunks look in use and stay blocks (conservative). Any inconsistency (the
 * heap changed under the walk) fails the walk. */
bool tg__wfs_walk_heap(uintptr_t lo, uintptr_t hi) {
  uintptr_t win_lo = 0, win_hi = 0;
  uintptr_t p = lo;
  int prev_obj = -1; /* the block the previous chunk became, if any */
  while (p + 16 <= hi) {
    if (p + 32 > win_hi || p < win_lo) {
      size_t want = hi - p < BUF_SIZE ? hi - p : BUF_SIZE;
      size_t got = tg__wfs_read_mem(p, tg__wfs.buf, want);
      if (got < 16)
        return false;
      win_lo = p;
      win_hi = p + (got & ~(size_t)7);
    }
    const uintptr_t *hdr = (const uintptr_t *)(tg__wfs.buf + (p - win_lo));
    uintptr_t size = hdr[1] & ~(uintptr_t)7;
    if (size < 32 || (size & 15))
      return false;
    if (!(hdr[1] & 1) && prev_obj >= 0 && prev_obj == tg__wfs.nobjs - 1)
      tg__wfs.nobjs--; /* the previous chunk is free */
    prev_obj = -1;
    if (p + size > hi) { /* the top chunk, read while the heap grew */
      tg__wfs_add_obj(p + 16, hi);
      return true;
    }
    bool cached = tcache_key && p + 32 <= win_hi && hdr[3] == tcache_key;
    /* an in-use chunk's bytes run into the next chunk's prev_size field */
    if (!cached) {
      tg__wfs_add_obj(p + 16, p + size + 8 <= hi ? p + size + 8 : hi);
      prev_obj = tg__wfs.nobjs - 1;
    }
    p += size;
  }
  return true;
}

int tg__wfs_obj_of(uintptr_t v) {
  int a = 0, b = tg__wfs.nobjs;
  while (a < b) {
    int m = (a + b) / 2;
    if (tg__wfs.objs[m].hi <= v)
      a = m + 1;
    else
      b = m;
  }
  return a < tg__wfs.nobjs && v >= tg__wfs.objs[a].lo ? a : -1;
}

/* ---- one pass -------------------------------------------------------------- */

void tg__wfs_add_excl(uintptr_t lo, uintptr_t hi) {
  if (tg__wfs.nexcl < MAX_RANGES && lo < hi)
    tg__wfs.excl[tg__wfs.nexcl++] = (struct range){lo, hi};
}

void tg__wfs_sort_merge(struct range *r, int *n) {
  qsort(r, (size_t)*n, sizeof *r, tg__wfs_range_cmp);
  int k = 0;
  for (int i = 0; i < *n; i++) {
    if (k && r[i].lo <= r[k - 1].hi) {
      if (r[i].hi > r[k - 1].hi)
        r[k - 1].hi = r[i].hi;
    } else {
      r[k++] = r[i];
    }
  }
  *n = k;
}

#endif
