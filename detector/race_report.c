/* Data race reports, in REPORTS.md's (Go's) layout:
 *
 *   WARNING: DATA RACE
 *   Write at 0x7f3a2c000010 by goroutine 7:
 *     worker() race_counter.c:12
 *   Previous read at 0x7f3a2c000010 by goroutine 1:
 *     main() race_counter.c:20
 *   Goroutine 7 (running) created at:
 *     main() race_counter.c:18
 *
 * The current access's stack is the goroutine's shadow call stack; the
 * previous one is replayed from its slot's history (history.c). As TSan
 * does, a race is reported once per pair of racing source locations (the
 * sink's de-duplication key: the read and the write of one `x++` are one
 * location) and once per racing bytes (a variable read in a loop's header
 * and written in its body, at -O2, is one race). Before paying for a
 * replay, a cheap filter drops what is certainly a repeat: bytes already
 * reported, the same pc racing again with the same slot and epoch (a racy
 * loop), or a pc whose last many replays all gave known pairs. */
#ifdef TANGLE_RACE
#include "history.h"
#include "race_state.h"
#include "report.h"
#include "report_buf.h"

#include <stdio.h>
#include <string.h>

uint64_t tg__race_slot_owner(uint32_t slot, uint32_t epoch);

#define FILTER_SIZE      4096
#define SAME_EPOCH_TRIES 2  /* replays of one (pc, slot, epoch) */
#define PC_DUP_LIMIT     64 /* replays of one pc that found only known pairs */

/* The filter: two small hash tables, under filter_lock (owned here). */
static tg__lock filter_lock;
static struct {
  uint64_t key;
  uint32_t n;
} by_epoch[FILTER_SIZE], by_pc[FILTER_SIZE];

static uint64_t mix(uint64_t x) {
  x ^= x >> 31;
  x *= 0x9e3779b97f4a7c15ull;
  x ^= x >> 29;
  return x ? x : 1;
}

/* Counts one more try of key in t; false once it reached limit. */
static bool try_key(__typeof__(by_epoch) t, uint64_t key, uint32_t limit, bool count) {
  uint64_t h = mix(key);
  for (uint32_t i = 0; i < 8; i++) {
    size_t j = (h + i) % FILTER_SIZE;
    if (t[j].key == h) {
      if (t[j].n >= limit)
        return false;
      if (count)
        t[j].n++;
      return true;
    }
    if (!t[j].key) {
      if (count) {
        t[j].key = h;
        t[j].n = 1;
      }
      return true;
    }
  }
  /* A crowded neighbourhood: evict, keeping the filter a filter. */
  if (count) {
    size_t j = h % FILTER_SIZE;
    t[j].key = h;
    t[j].n = 1;
  }
  return true;
}

static bool worth_replaying(uintptr_t pc, uint64_t cell) {
  uint64_t ekey = pc * 0x100000001b3ull ^ (cell & 0xfffffffffffull) ^ (cell & TG_CELL_READ);
  tg__lock_acquire(&filter_lock);
  bool ok =
      try_key(by_pc, pc, PC_DUP_LIMIT, false) && try_key(by_epoch, ekey, SAME_EPOCH_TRIES, true);
  tg__lock_release(&filter_lock);
  return ok;
}

/* Bytes of words already reported racing: open addressing, under
 * filter_lock (owned here). Never shrinks: a word reported stays quiet. */
struct racy_word {
  uintptr_t word;
  uint32_t bytes;
};
static struct racy_word *racy;
static size_t nracy, racy_cap;

static struct racy_word *racy_slot(struct racy_word *t, size_t cap, uintptr_t word) {
  size_t h = (size_t)mix(word);
  for (size_t i = 0;; i++) {
    struct racy_word *e = &t[(h + i) & (cap - 1)];
    if (!e->word || e->word == word)
      return e;
  }
}

static bool racy_known(uintptr_t word, uint32_t bytes) {
  tg__lock_acquire(&filter_lock);
  bool known = racy && (racy_slot(racy, racy_cap, word)->bytes & bytes);
  tg__lock_release(&filter_lock);
  return known;
}

static void racy_add(uintptr_t word, uint32_t bytes) {
  tg__lock_acquire(&filter_lock);
  if ((nracy + 1) * 2 > racy_cap) {
    size_t cap = racy_cap ? racy_cap * 2 : 256;
    struct racy_word *t = __libc_calloc(cap, sizeof *t);
    if (t) {
      for (size_t i = 0; i < racy_cap; i++)
        if (racy[i].word)
          *racy_slot(t, cap, racy[i].word) = racy[i];
      __libc_free(racy);
      racy = t;
      racy_cap = cap;
    }
  }
  if (racy && (nracy + 1) * 2 <= racy_cap) {
    struct racy_word *e = racy_slot(racy, racy_cap, word);
    if (!e->word) {
      e->word = word;
      nracy++;
    }
    e->bytes |= bytes;
  }
  tg__lock_release(&filter_lock);
}

static void replay_was_duplicate(uintptr_t pc) {
  tg__lock_acquire(&filter_lock);
  try_key(by_pc, pc, PC_DUP_LIMIT, true);
  tg__lock_release(&filter_lock);
}

static uint64_t hash_str(uint64_t h, const char *s) {
  for (; s && *s; s++)
    h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
  return h;
}

/* A source location: the innermost (inlined) frame's file, line and
 * function; the pc itself when there is no line information. */
static uint64_t location(uintptr_t pc) {
  if (!pc)
    return 0;
  struct tg_frame fr[8];
  int n = tg__symbolize(pc, fr, 8);
  if (n < 1 || !fr[0].file || !fr[0].line)
    return mix(pc);
  uint64_t h = hash_str(0xcbf29ce484222325ull, fr[0].file);
  h = hash_str(h, fr[0].function);
  return mix(h + (uint64_t)fr[0].line);
}

static void put_stack(struct tg_buf *b, const uintptr_t *pcs, int n) {
  char *s = __libc_malloc(16384);
  if (!s)
    return;
  size_t len = n > 0 ? tg__stack_format(s, 16384, pcs, n) : 0;
  if (!len)
    tg__buf_str(b, "  [no frames]\n");
  else
    tg__buf_put(b, s, len);
  __libc_free(s);
}

struct race_report {
  uintptr_t cur[TG_HIST_FRAMES];
  uintptr_t cur_create[16];
  struct tg_hist_hit prev;
};

void tg__race_found(struct tg_race_g *r, uintptr_t addr, unsigned size, bool write, bool atomic,
                    uintptr_t pc, uint64_t cell) {
  TG_REPORT_IN_FLIGHT();
  if (r->ignore || !worth_replaying(pc, cell))
    return;
  r->ignore++; /* nothing the report does is the program's */
  tg__race_refresh_fast(r);

  struct race_report *rr = __libc_calloc(1, sizeof *rr);
  if (!rr)
    goto out;
  uint32_t ps = tg__cell_slot(cell), pe = tg__cell_epoch(cell);
  bool pwrite = !(cell & TG_CELL_READ);
  uint32_t bytes = tg__cell_bytes(cell);
  uintptr_t word = addr & ~(uintptr_t)7;
  /* Both accesses are shown at the first byte they share. */
  unsigned in_word = 8 - (unsigned)(addr & 7) < size ? 8 - (unsigned)(addr & 7) : size;
  uint32_t mine = ((1u << in_word) - 1) << (addr & 7), both = mine & bytes;
  if (both)
    addr = word + (uintptr_t)__builtin_ctz(both);
  else
    both = mine;
  if (racy_known(word, both)) {
    __libc_free(rr);
    goto out;
  }
  uintptr_t lo = word + (uintptr_t)__builtin_ctz(bytes),
            hi = word + 32 - (uintptr_t)__builtin_clz(bytes);
  bool found = tg__hist_find(ps, pe, lo, hi, pwrite, &rr->prev);
  uint64_t prev_gid = found ? rr->prev.gid : tg__race_slot_owner(ps, pe);
  uintptr_t prev_pc = found ? rr->prev.pcs[0] : 0;
  uintptr_t prev_addr = addr;

  int ncur = 0;
  rr->cur[ncur++] = pc;
  for (uint32_t i = r->depth; i > 0 && ncur < TG_HIST_FRAMES; i--)
    rr->cur[ncur++] = r->stk[i - 1];
  int ncreate = r->g ? r->g->create_depth : 0;
  for (int i = 0; i < ncreate && i < 16; i++)
    rr->cur_create[i] = (uintptr_t)r->g->create_pcs[i];

  struct tg_buf text = {0}, msg = {0};
  tg__buf_printf(&msg, "%s at 0x%012llx by goroutine %llu", write ? "Write" : "Read",
                 (unsigned long long)addr, (unsigned long long)r->gid);
  tg__buf_str(&text, "WARNING: DATA RACE\n");
  tg__buf_printf(&text, "%s:\n", msg.s ? msg.s : "");
  put_stack(&text, rr->cur, ncur);
  if (prev_gid)
    tg__buf_printf(&text, "Previous %s at 0x%012llx by goroutine %llu:\n",
                   pwrite ? "write" : "read", (unsigned long long)prev_addr,
                   (unsigned long long)prev_gid);
  else
    tg__buf_printf(&text, "Previous %s at 0x%012llx by a goroutine that has finished:\n",
                   pwrite ? "write" : "read", (unsigned long long)prev_addr);
  if (found)
    put_stack(&text, rr->prev.pcs, rr->prev.n);
  else
    tg__buf_printf(&text,
                   "  [failed to restore the stack: the access is older than the history kept; "
                   "raise history_size (TANGLE_OPTIONS=history_size=%lld, at most 16)]\n",
                   (long long)(tg__opts.history_size < 16 ? tg__opts.history_size + 2 : 16));

  struct tg_report_goroutine gs[2];
  int ng = 0;
  memset(gs, 0, sizeof gs);
  gs[ng].id = r->gid;
  gs[ng].state = "running";
  gs[ng].created_at = (struct tg_report_stack){rr->cur_create, ncreate < 16 ? ncreate : 16};
  gs[ng].stack = (struct tg_report_stack){rr->cur, ncur};
  ng++;
  if (prev_gid) {
    gs[ng].id = prev_gid;
    gs[ng].state = tg__race_goroutine_alive(ps, prev_gid) ? "running" : "finished";
    if (found) {
      gs[ng].created_at = (struct tg_report_stack){rr->prev.create, rr->prev.ncreate};
      gs[ng].stack = (struct tg_report_stack){rr->prev.pcs, rr->prev.n};
    }
    ng++;
  }
  for (int i = 0; i < ng; i++) {
    if (gs[i].id == 1 || (i == 1 && !found))
      continue; /* the main goroutine was not created by anyone */
    tg__buf_printf(&text, "Goroutine %llu (%s) created at:\n", (unsigned long long)gs[i].id,
                   gs[i].state);
    put_stack(&text, gs[i].created_at.pcs, gs[i].created_at.n);
  }

  struct tg_report_access acc[2] = {
      {write, addr, size, r->gid, {rr->cur, ncur}},
      {pwrite,
       prev_addr,
       found ? rr->prev.size : (size_t)__builtin_popcount(bytes),
       prev_gid,
       {rr->prev.pcs, found ? rr->prev.n : 0}},
  };
  (void)atomic;
  uint64_t l1 = location(pc), l2 = location(prev_pc);
  uint64_t a = l1 < l2 ? l1 : l2, b = l1 < l2 ? l2 : l1;
  struct tg_finding f = {
      .kind = TG_FIND_DATA_RACE,
      .message = msg.s,
      .goroutines = gs,
      .ngoroutines = ng,
      .accesses = acc,
      .naccesses = 2,
      .dedup_key = mix(a * 0x9e3779b97f4a7c15ull + b),
  };
  if (tg__report_emit(&f, text.s))
    racy_add(word, both);
  else
    replay_was_duplicate(pc);
  tg__buf_free(&text);
  tg__buf_free(&msg);
  __libc_free(rr);
out:
  r->ignore--;
  tg__race_refresh_fast(r);
}
#endif
