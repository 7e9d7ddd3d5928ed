/* The race detector's vector clocks (detector/clock.c, compiled here with
 * TANGLE_RACE): copy-on-write at the level of 64-entry chunks. A copy must
 * share the chunks it does not change and never change the original; a
 * join must share the source's chunk only where it says it all, and take
 * the maximum entry by entry elsewhere; a snapshot reused in place must
 * leave nothing of its previous contents behind. */
#include "clock.h"

/* cmocka needs these first, in this order. */
// clang-format off
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
// clang-format on

/* The detector's pools (slab.c) exclude their region from the wait-for
 * graph's scan, which this test does not have. */
void tg__wf_scan_exclude(const void *lo, size_t n);
void tg__wf_scan_exclude(const void *lo, size_t n) {
  (void)lo;
  (void)n;
}

/* A vc with the given (slot, epoch) pairs, ending at slot 0. */
static struct tg_vc *make(const uint32_t *pairs) {
  struct tg_vc *vc = tg__vc_new(4);
  for (; pairs[0]; pairs += 2)
    tg__vc_set_max(&vc, pairs[0], pairs[1]);
  return vc;
}

static void copy_shares_unchanged_chunks(void **state) {
  (void)state;
  struct tg_vc *a = make((const uint32_t[]){1, 10, 70, 20, 200, 30, 0});
  atomic_fetch_add(&a->ref, 1); /* b starts as a shared reference to a */
  struct tg_vc *b = a;
  tg__vc_set_max(&b, 70, 99);
  assert_ptr_not_equal(a, b);
  assert_int_equal(tg__vc_get(a, 70), 20); /* the original is untouched */
  assert_int_equal(tg__vc_get(b, 70), 99);
  assert_int_equal(tg__vc_get(b, 1), 10);
  assert_int_equal(tg__vc_get(b, 200), 30);
  assert_ptr_equal(a->c[0], b->c[0]); /* slots 0..63: not copied */
  assert_ptr_equal(a->c[3], b->c[3]);
  assert_ptr_not_equal(a->c[1], b->c[1]); /* slots 64..127: b's own */
  /* b's chunk 1 is private now: a second write goes in place. */
  struct tg_vc_chunk *own = b->c[1];
  tg__vc_set_max(&b, 71, 5);
  assert_ptr_equal(b->c[1], own);
  assert_int_equal(tg__vc_get(a, 71), 0);
  /* And writing into a chunk b shares with a copies it first. */
  tg__vc_set_max(&b, 2, 7);
  assert_int_equal(tg__vc_get(a, 2), 0);
  assert_int_equal(tg__vc_get(b, 2), 7);
  tg__vc_unref(a);
  tg__vc_unref(b);
}

static void join_takes_max_and_shares_what_it_can(void **state) {
  (void)state;
  struct tg_vc *src = make((const uint32_t[]){3, 5, 66, 8, 130, 9, 0});
  struct tg_vc *dst = make((const uint32_t[]){3, 7, 66, 2, 0});
  tg__vc_join(&dst, src);
  assert_int_equal(tg__vc_get(dst, 3), 7); /* dst knew more */
  assert_int_equal(tg__vc_get(dst, 66), 8);
  assert_int_equal(tg__vc_get(dst, 130), 9);
  assert_true(tg__vc_contains(dst, src));
  /* dst had no chunk for 128..191: it shares src's. */
  assert_ptr_equal(dst->c[2], src->c[2]);
  /* Then changing dst there copies it: src keeps its 9. */
  tg__vc_set_max(&dst, 130, 12);
  assert_int_equal(tg__vc_get(src, 130), 9);
  assert_int_equal(tg__vc_get(dst, 130), 12);
  /* Joining what is already known changes nothing (not even a stamp). */
  uint64_t ver = dst->ver;
  tg__vc_join(&dst, src);
  assert_int_equal(dst->ver, ver);
  tg__vc_unref(src);
  tg__vc_unref(dst);
}

static void leq_counts_extra_entries(void **state) {
  (void)state;
  struct tg_vc *a = make((const uint32_t[]){2, 4, 100, 6, 0});
  struct tg_vc *b = make((const uint32_t[]){2, 4, 0});
  const uint32_t none[3] = {0}, one[3] = {100, 0, 0}, low[3] = {100, 0, 0};
  const uint32_t six[3] = {6, 0, 0}, five[3] = {5, 0, 0};
  assert_false(tg__vc_leq(a, b, none, none));
  assert_true(tg__vc_leq(a, b, one, six));
  assert_false(tg__vc_leq(a, b, low, five));
  assert_true(tg__vc_leq(b, a, none, none));
  tg__vc_unref(a);
  tg__vc_unref(b);
}

static void snapshot_reused_in_place_leaves_nothing_behind(void **state) {
  (void)state;
  struct tg_vc *big = make((const uint32_t[]){1, 3, 5, 4, 90, 7, 0});
  struct tg_vc *small = make((const uint32_t[]){1, 2, 0});
  struct tg_vc *snap = NULL;
  const uint32_t s[2] = {9, 5}, e[2] = {11, 12};
  tg__vc_snapshot(&snap, big, s, e);
  assert_int_equal(tg__vc_get(snap, 1), 3);
  assert_int_equal(tg__vc_get(snap, 5), 12);
  assert_int_equal(tg__vc_get(snap, 9), 11);
  assert_int_equal(tg__vc_get(snap, 90), 7);
  assert_int_equal(tg__vc_get(big, 5), 4); /* the source is untouched */
  assert_int_equal(tg__vc_get(big, 9), 0);
  assert_true(tg__vc_contains(snap, big));
  /* Again from a smaller clock, into the same private vc. */
  struct tg_vc *before = snap;
  const uint32_t s2[2] = {0, 4}, e2[2] = {0, 1};
  tg__vc_snapshot(&snap, small, s2, e2);
  assert_ptr_equal(snap, before);
  assert_int_equal(tg__vc_get(snap, 1), 2);
  assert_int_equal(tg__vc_get(snap, 4), 1);
  assert_int_equal(tg__vc_get(snap, 5), 0); /* the old contents are gone */
  assert_int_equal(tg__vc_get(snap, 9), 0);
  assert_int_equal(tg__vc_get(snap, 90), 0);
  assert_false(tg__vc_contains(snap, big));
  /* A third time, all within one chunk of its own (a mutex's clock). */
  struct tg_vc *other = make((const uint32_t[]){3, 6, 0});
  const uint32_t s3[2] = {2, 0}, e3[2] = {8, 0};
  tg__vc_snapshot(&snap, other, s3, e3);
  assert_ptr_equal(snap, before);
  assert_int_equal(tg__vc_get(snap, 1), 0);
  assert_int_equal(tg__vc_get(snap, 2), 8);
  assert_int_equal(tg__vc_get(snap, 3), 6);
  assert_int_equal(tg__vc_get(snap, 4), 0);
  assert_int_equal(tg__vc_get(other, 2), 0);
  tg__vc_unref(other);
  tg__vc_unref(big);
  tg__vc_unref(small);
  tg__vc_unref(snap);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(copy_shares_unchanged_chunks),
      cmocka_unit_test(join_takes_max_and_shares_what_it_can),
      cmocka_unit_test(leq_counts_extra_entries),
      cmocka_unit_test(snapshot_reused_in_place_leaves_nothing_behind),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
