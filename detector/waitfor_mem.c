/* Memory of the wait-for graph (race build only).
 *
 * The graph keeps the addresses of the program's locks and channels; the
 * monitor's reachability scan (waitfor_scan.c) looks for those addresses in
 * the program's memory, so the graph's own memory must be recognizable and
 * skipped. It comes from a few large mappings made here, with power-of-two
 * size classes and free lists: small, simple, and every byte of it inside
 * the ranges tg__wf_mem_ranges returns. */
#ifdef TANGLE_RACE
#include "waitfor.h"

#include <string.h>
#include <sys/mman.h>

#define CHUNK_SIZE (4u << 20)
#define MAX_CHUNKS 1024
#define MIN_CLASS  4  /* 16 bytes */
#define MAX_CLASS  20 /* 1 MiB: larger blocks get a mapping of their own */

struct free_block {
  struct free_block *next;
};

/* Allocator state, owned by this file, under mem_lock. */
static tg__lock mem_lock;
static uintptr_t chunks[MAX_CHUNKS][2];
static int nchunks;
static char *bump, *bump_end;
static struct free_block *free_lists[MAX_CLASS + 1];

static int class_of(size_t n) {
  int c = MIN_CLASS;
  while (((size_t)1 << c) < n)
    c++;
  return c;
}

static void add_range(void *p, size_t n) {
  if (nchunks == MAX_CHUNKS)
    tg__fatal("tangle: wait-for graph out of memory ranges");
  chunks[nchunks][0] = (uintptr_t)p;
  chunks[nchunks][1] = (uintptr_t)p + n;
  nchunks++;
}

static void *map(size_t n) {
  void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    tg__fatal("tangle: wait-for graph out of memory (%zu bytes)", n);
  return p;
}

void *tg__wf_alloc(size_t n) {
  int c = class_of(n ? n : 1);
  size_t sz = (size_t)1 << c;
  tg__lock_acquire(&mem_lock);
  void *p;
  if (c > MAX_CLASS) {
    p = map(sz);
    add_range(p, sz);
  } else if (free_lists[c]) {
    p = free_lists[c];
    free_lists[c] = free_lists[c]->next;
    memset(p, 0, sz);
  } else {
    if ((size_t)(bump_end - bump) < sz) {
      bump = map(CHUNK_SIZE);
      bump_end = bump + CHUNK_SIZE;
      add_range(bump, CHUNK_SIZE);
    }
    p = bump;
    bump += sz; /* sizes are powers of two up to 1 MiB: alignment holds */
  }
  tg__lock_release(&mem_lock);
  return p;
}

void tg__wf_free(void *p, size_t n) {
  if (!p)
    return;
  int c = class_of(n ? n : 1);
  if (c > MAX_CLASS)
    return; /* large blocks are rare (growing tables): kept */
  tg__lock_acquire(&mem_lock);
  struct free_block *b = p;
  b->next = free_lists[c];
  free_lists[c] = b;
  tg__lock_release(&mem_lock);
}

int tg__wf_mem_ranges(uintptr_t (*out)[2], int max) {
  tg__lock_acquire(&mem_lock);
  int n = nchunks < max ? nchunks : max;
  memcpy(out, chunks, (size_t)n * sizeof chunks[0]);
  tg__lock_release(&mem_lock);
  return n;
}

#endif
