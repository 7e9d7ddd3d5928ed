/* A reader takes a read lock twice (Go's docs forbid it). With a writer
 * queued in between, Go's RWMutex admits no new reader: the reader waits
 * for the writer, which waits for the reader. The lock-order check flags
 * the recursive read lock at the second RLock; the wait-for graph reports
 * the cycle through the queued writer. `fixed`: one read lock only. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_rwmutex rw;
static int fixed;

static void writer(void *arg) {
  (void)arg;
  tg_rwmutex_lock(&rw);
  tg_rwmutex_unlock(&rw);
}

static void reader(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&rw);
  tg_go(writer, NULL);
  tg_sleep(50 * TG_MILLISECOND); /* the writer queues */
  if (!fixed) {
    tg_rwmutex_rlock(&rw);
    tg_rwmutex_runlock(&rw);
  }
  tg_rwmutex_runlock(&rw);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_go(reader, NULL);
  tg_sleep(300 * TG_MILLISECOND);
  printf("main exits\n");
  return 0;
}
