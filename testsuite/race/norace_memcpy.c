/* The twin: the same copies ordered by the WaitGroup. */
//! races: 0
//! stdout: 1 1
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
  src.bytes[100] = 1;
  tg_waitgroup_add(&wg, 2);
  tg_go(copier, NULL);
  tg_go(filler, NULL);
  tg_waitgroup_wait(&wg);
  printf("%d %d\n", dst.bytes[100], area.bytes[7]);
  return 0;
}
