/* Passes the monitor can skip (race build only). A goroutine that waits a
 * long time on a channel or WaitGroup some other goroutine will complete
 * (main receiving the workers' results) is a candidate on every pass, and
 * every pass finds it live again, at the price of a walk of the heap and
 * of the mappings. When the last pass found it live through a word of
 * static data (a global holding the channel: a root in every pass), and
 * the goroutine is still in the same wait and the word still holds the
 * same value, a pass would find it live the same way: the check of that
 * one word replaces the pass. Only "live" is concluded so: a candidate
 * without such a witness, or one the lock rules leave stuck, takes a full
 * pass, which alone may report. See waitfor_scan.h. */
#ifdef TANGLE_RACE
#include "waitfor_scan.h"

#include <stdlib.h>

/* Witnesses of the pass in progress are added unsorted; the pass's end
 * sorts them, or drops them all if the pass was not trustworthy. */
void tg__wfs_witness(int i, uintptr_t at, uintptr_t val) {
  struct cand *c = &tg__wfs.c[i];
  if (!tg__wfs.wit || tg__wfs.nwit >= MAX_CANDS || !c->w)
    return;
  tg__wfs.wit[tg__wfs.nwit++] = (struct witness){c->id, c->seq, at, val};
}

static int wit_cmp(const void *a, const void *b) {
  const struct witness *x = a, *y = b;
  return x->id < y->id ? -1 : x->id > y->id;
}

void tg__wfs_witness_end(bool trusted) {
  if (!trusted) {
    tg__wfs.nwit = 0;
    return;
  }
  qsort(tg__wfs.wit, (size_t)tg__wfs.nwit, sizeof *tg__wfs.wit, wit_cmp);
}

static const struct witness *witness_of(uint64_t id) {
  int lo = 0, hi = tg__wfs.nwit;
  while (lo < hi) {
    int m = (lo + hi) / 2;
    if (tg__wfs.wit[m].id < id)
      lo = m + 1;
    else
      hi = m;
  }
  return lo < tg__wfs.nwit && tg__wfs.wit[lo].id == id ? &tg__wfs.wit[lo] : NULL;
}

bool tg__wfs_witnessed(void) {
  if (tg__wfs.nwit == 0)
    return false;
  for (int i = 0; i < tg__wfs.n; i++) {
    struct cand *c = &tg__wfs.c[i];
    if (c->live || tg__wf_is_lock_kind(c->kind))
      continue; /* lock waiters: the lock rules below */
    const struct witness *x = witness_of(c->id);
    uintptr_t v;
    if (c->forever || !x || x->seq != c->seq || !tg__wfs_read_words(x->at, &v, 1) || v != x->val)
      return false;
    c->live = true;
  }
  /* Lock waiters (and semaphore waiters without a witness) follow their
   * holders, as in a pass. */
  tg__wfs_analyse_locks();
  for (int i = 0; i < tg__wfs.n; i++)
    if (!tg__wfs.c[i].live)
      return false;
  return true;
}

#endif
