/* Per-slot access history: writing the trace and replaying it to restore
 * the stack of a previous access (see history.h). */
#ifdef TANGLE_RACE
#include "history.h"

#include "rt.h"
#include "waitfor.h"

#include <string.h>
#include <sys/mman.h>

#define PART_BYTES        (TG_PART_WORDS * sizeof(uint64_t))
/* 1 GiB of address space a chunk (committed page by page as written): the
 * default history of 4095 slots fits in four. */
#define CHUNK_PARTS       16384
#define HEADER_MAX_FRAMES 512 /* deeper call stacks keep only their top */

struct tg_trace {
  uint32_t max;    /* parts in the ring */
  uint32_t nparts; /* allocated so far */
  uint32_t cur;    /* part being written */
  uint32_t pos;    /* where the last holder stopped in it */
  uint64_t *parts[];
};

/* Parts are carved from large lazily-committed mappings and never
 * returned; owned by this file, under part_lock. */
static tg__lock part_lock;
static char *chunk_next, *chunk_end;

static uint64_t *part_alloc(void) {
  tg__lock_acquire(&part_lock);
  if (chunk_next == chunk_end) {
    void *p = mmap(NULL, PART_BYTES * CHUNK_PARTS, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      tg__lock_release(&part_lock);
      return NULL;
    }
    chunk_next = p;
    chunk_end = chunk_next + PART_BYTES * CHUNK_PARTS;
    /* Events, not program pointers: the wait-for graph's scan must not read
     * them (reading would also commit every page of the chunk). */
    tg__wf_scan_exclude(p, PART_BYTES * CHUNK_PARTS);
  }
  uint64_t *part = (uint64_t *)chunk_next;
  chunk_next += PART_BYTES;
  tg__lock_release(&part_lock);
  return part;
}

uint32_t tg__hist_parts(void) {
  int64_t h = tg__opts.history_size;
  if (h < 0)
    h = 0;
  if (h > 12)
    h = 12;
  return 1u << h;
}

static struct tg_trace *trace_of(uint32_t slot) {
  struct tg_trace *t = tg__slots[slot].trace;
  if (!t) {
    uint32_t max = tg__hist_parts();
    t = __libc_calloc(1, sizeof *t + max * sizeof(uint64_t *));
    if (!t)
      return NULL;
    t->max = max;
    tg__slots[slot].trace = t;
  }
  return t;
}

/* Moves the holder to the next part of its ring (recycling the oldest) and
 * writes the header that makes that part replayable alone. */
static bool next_part(struct tg_race_g *r, struct tg_trace *t, bool first) {
  uint64_t *part;
  if (first && t->nparts) {
    part = t->parts[t->cur];
  } else {
    uint32_t next = t->nparts ? (t->cur + 1) % t->max : 0;
    if (next >= t->nparts) {
      part = part_alloc();
      if (!part)
        return false;
      t->parts[next] = part;
      t->nparts = next + 1;
    } else {
      part = t->parts[next];
      memset(part, 0, PART_BYTES);
    }
    t->cur = next;
    t->pos = 0;
  }
  uint64_t *w = part + t->pos, *end = part + TG_PART_WORDS;
  uint32_t frames = r->depth < HEADER_MAX_FRAMES ? r->depth : HEADER_MAX_FRAMES;
  int ncreate = r->g ? r->g->create_depth : 0;
  if (ncreate > 16)
    ncreate = 16;
  size_t need = 2 + (size_t)ncreate + frames + 64;
  if ((size_t)(end - w) < need) {
    if (first) /* the last holder left the part nearly full */
      return next_part(r, t, false);
    return false;
  }
  *w++ = TG_EV(TG_EV_GOROUTINE) | (r->gid & 0x0fffffffffffffffull);
  for (int i = 0; i < ncreate; i++)
    *w++ = TG_EV(TG_EV_CREATE) | ((uintptr_t)r->g->create_pcs[i] & 0x0fffffffffffffffull);
  for (uint32_t i = r->depth - frames; i < r->depth; i++)
    *w++ = TG_EV(TG_EV_ENTRY) | r->stk[i];
  *w++ = TG_EV(TG_EV_EPOCH) | r->epoch;
  r->tpos = w;
  r->tend = end;
  return true;
}

void tg__hist_attach(struct tg_race_g *r) {
  r->tpos = r->tend = NULL;
  struct tg_trace *t = trace_of(r->slot);
  if (t)
    next_part(r, t, true);
}

void tg__hist_detach(struct tg_race_g *r) {
  struct tg_trace *t = tg__slots[r->slot].trace;
  if (t && t->nparts && r->tpos)
    t->pos = (uint32_t)(r->tpos - t->parts[t->cur]);
  r->tpos = r->tend = NULL;
}

void tg__hist_put_slow(struct tg_race_g *r, const uint64_t *ev, int n) {
  if (!r->slot || !r->tend) /* no slot, or no memory for history */
    return;
  struct tg_trace *t = tg__slots[r->slot].trace;
  if (r->tpos + n > r->tend && !next_part(r, t, false)) {
    r->tpos = r->tend = NULL;
    return;
  }
  for (int i = 0; i < n; i++)
    *r->tpos++ = ev[i];
}

/* ---- replay ---------------------------------------------------------- */

struct replay {
  uint64_t gid;
  uint32_t epoch;
  uintptr_t *stk;
  uint32_t depth, cap;
  int ncreate;
  uintptr_t create[16];
};

static void push(struct replay *rp, uintptr_t pc) {
  if (rp->depth == rp->cap) {
    uint32_t cap = rp->cap ? rp->cap * 2 : 64;
    uintptr_t *s = __libc_realloc(rp->stk, cap * sizeof *s);
    if (!s)
      return;
    rp->stk = s;
    rp->cap = cap;
  }
  rp->stk[rp->depth++] = pc;
}

static void hit(const struct replay *rp, uintptr_t addr, size_t size, uintptr_t pc, bool write,
                bool atomic, struct tg_hist_hit *out) {
  out->gid = rp->gid;
  out->addr = addr;
  out->size = size;
  out->write = write;
  out->atomic = atomic;
  out->n = 0;
  out->pcs[out->n++] = pc;
  for (uint32_t i = rp->depth; i > 0 && out->n < TG_HIST_FRAMES; i--)
    out->pcs[out->n++] = rp->stk[i - 1];
  out->ncreate = rp->ncreate;
  memcpy(out->create, rp->create, sizeof out->create);
}

/* Replays one part; 1: found, -1: past the epoch (stop), 0: go on. */
static int replay_part(struct replay *rp, const uint64_t *w, uint32_t epoch, uintptr_t lo,
                       uintptr_t hi, bool write, struct tg_hist_hit *out) {
  const uint64_t *end = w + TG_PART_WORDS;
  while (w < end) {
    uint64_t ev = __atomic_load_n(w, __ATOMIC_RELAXED);
    if (!ev)
      break;
    uint64_t arg = ev & 0x0fffffffffffffffull;
    switch (ev >> 60) {
    case TG_EV_GOROUTINE:
      rp->gid = arg;
      rp->depth = 0;
      rp->ncreate = 0;
      w++;
      break;
    case TG_EV_CREATE:
      if (rp->ncreate < 16)
        rp->create[rp->ncreate++] = arg;
      w++;
      break;
    case TG_EV_ENTRY:
      push(rp, arg);
      w++;
      break;
    case TG_EV_EXIT:
      if (rp->depth)
        rp->depth--;
      w++;
      break;
    case TG_EV_EPOCH:
      rp->epoch = (uint32_t)arg;
      if (rp->epoch > epoch) /* a slot's epochs only grow, across holders too */
        return -1;
      w++;
      break;
    case TG_EV_ACCESS:
    case TG_EV_RANGE: {
      bool range = ev >> 60 == TG_EV_RANGE;
      if (w + (range ? 3 : 2) > end)
        return 0;
      uintptr_t a = ev & 0xffffffffffffull;
      bool ew = (ev >> 59) & 1, ea = (ev >> 58) & 1;
      size_t size = range ? w[2] : (ev >> 48) & 0x3ff;
      uintptr_t pc = w[1];
      w += range ? 3 : 2;
      if (rp->epoch == epoch && ew == write && a < hi && a + size > lo) {
        hit(rp, a, size, pc, ew, ea, out);
        return 1;
      }
      break;
    }
    default:
      return 0; /* torn by a concurrent recycle: give this part up */
    }
  }
  return 0;
}

bool tg__hist_find(uint32_t slot, uint32_t epoch, uintptr_t lo, uintptr_t hi, bool write,
                   struct tg_hist_hit *out) {
  struct tg_trace *t = tg__slots[slot].trace;
  if (!t || !t->nparts)
    return false;
  struct replay rp = {0};
  uint32_t n = t->nparts, first = n == t->max ? (t->cur + 1) % n : 0;
  int found = 0;
  for (uint32_t i = 0; i < n && found == 0; i++) {
    const uint64_t *part = t->parts[(first + i) % n];
    rp.depth = 0; /* every part starts with a header */
    found = replay_part(&rp, part, epoch, lo, hi, write, out);
  }
  __libc_free(rp.stk);
  return found == 1;
}
#endif
