/* Copies count as accesses with either compiler: gcc emits range hooks,
 * clang plain memcpy/memset calls that the race build interposes. */
//! races: 2
//! stderr: copier\(\)
//! stderr: filler\(\)
#include "race_test.h"
#include <string.h>

struct big {
  char bytes[256];
};
struct big src, dst, area; /* external: the stores must stay */
/* Sizes the compiler cannot see: gcc expands a small constant-size memset
 * inline without instrumenting it (a gcc limitation no runtime can see
 * past); a real call it instruments. */
size_t copy_size = sizeof(struct big);
static tg_waitgroup wg;

static void copier(void *arg) {
  (void)arg;
  memcpy(&dst, &src, copy_size);
  tg_waitgroup_done(&wg);
}

static void filler(void *arg) {
  (void)arg;
  memset(&area, 1, copy_size);
  tg_waitgroup_done(&wg);
}

int main(void) {
  tg_waitgroup_add(&wg, 2);
  tg_go(copier, NULL);
  tg_go(filler, NULL);
  dst.bytes[100] = 1; /* races with the copy */
  area.bytes[7] = 2;  /* races with the fill */
  tg_waitgroup_wait(&wg);
  return 0;
}
