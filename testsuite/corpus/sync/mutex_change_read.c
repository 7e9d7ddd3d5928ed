/* Seed 002_86b5fec98460e5da.txt, "The sync.Mutex type" (mutex.go): change()
 * sleeps inside the critical section (1 s in the seed, 2 ms here) and
 * increments v1, wrapping to 0 with a "* " at 10; read() copies v1 under the
 * same mutex. main is the book's, with 21 goroutines as in its sample run.
 * Each goroutine's read may see later changes, so the middle of the line
 * varies; the final read after Wait sees all 21 changes: 21 mod 10 = 1, and
 * exactly two wraps. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_mutex m;
static int v1; /* guarded by m */

static void change(int i) {
  (void)i;
  tg_mutex_lock(&m);
  tg_sleep(2 * TG_MILLISECOND);
  v1 = v1 + 1;
  if (v1 == 10) {
    v1 = 0;
    printf("* ");
  }
  tg_mutex_unlock(&m);
}

static int read_v1(void) {
  tg_mutex_lock(&m);
  int a = v1;
  tg_mutex_unlock(&m);
  return a;
}

static tg_waitgroup wg;

static void goroutine(void *arg) {
  change((int)(intptr_t)arg);
  printf("-> %d", read_v1());
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  int num = argc > 1 ? atoi(argv[1]) : 21;
  printf("%d ", read_v1());
  for (int i = 0; i < num; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(goroutine, (void *)(intptr_t)i);
  }
  tg_waitgroup_wait(&wg);
  printf("-> %d\n", read_v1());
  return 0;
}
