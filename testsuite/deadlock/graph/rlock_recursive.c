/* A reader takes a read lock twice (Go's docs forbid it). With a writer
 * queued in between, Go's RWMutex admits no new reader: the reader waits
 * for the writer, which waits for the reader. The lock-order check flags
 * the recursive read lock at the second RLock; the wait-for graph reports
 * the cycle through the queued writer. `fixed`: one read lock only. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_rwmutex rw;
static int fixed;
static atomic_bool writer_locking, reader_done_waiting;

static void writer(void *arg) {
  (void)arg;
  atomic_store(&writer_locking, true);
  tg_rwmutex_lock(&rw);
  tg_rwmutex_unlock(&rw);
}

static void reader(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&rw);
  tg_go(writer, NULL);
  while (!atomic_load(&writer_locking))
    tg_sleep(TG_MILLISECOND);
  tg_sleep(50 * TG_MILLISECOND); /* the writer queues: its Lock is a call away */
  atomic_store(&reader_done_waiting, true);
  if (!fixed) {
    tg_rwmutex_rlock(&rw);
    tg_rwmutex_runlock(&rw);
  }
  tg_rwmutex_runlock(&rw);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  tg_go(reader, NULL);
  while (!atomic_load(&reader_done_waiting))
    tg_sleep(TG_MILLISECOND);
  tg_sleep(250 * TG_MILLISECOND);
  printf("main exits\n");
  return 0;
}
