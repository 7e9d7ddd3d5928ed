/* Freed memory forgets its history: goroutines that each malloc, write,
 * free (and so reuse each other's blocks) never race, though nothing
 * orders one goroutine's use of an address before the next one's. */
//! races: 0
//! stdout: done
#include "race_test.h"
#include <string.h>

static tg_waitgroup wg;

static void churn(void *arg) {
  long seed = (long)arg;
  for (int i = 0; i < 2000; i++) {
    size_t n = 16 + (size_t)((seed * 7919 + i * 104729) % 256);
    char *p = malloc(n);
    memset(p, (int)i, n);
    for (size_t j = 0; j < n; j += 8)
      p[j]++;
    if (i % 3 == 0)
      p = realloc(p, n * 2), p[n] = 1;
    free(p);
  }
  tg_waitgroup_done(&wg);
}

int main(void) {
  for (long i = 0; i < 8; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(churn, (void *)i);
  }
  tg_waitgroup_wait(&wg);
  printf("done\n");
  return 0;
}
