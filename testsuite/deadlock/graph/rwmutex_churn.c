/* Readers that read-unlock and read-lock again while writers queue: no
 * deadlock. A writer waiting for the readers finds one in the lock's record
 * that has just read-unlocked and now waits, behind that writer, to
 * read-lock again; the record alone made that a cycle (it was reported on
 * every run of the rwmutex benchmark). Four goroutines, one operation in
 * ten a write. */
#include <stdio.h>
#include <tangle.h>

#define WORKERS 4
#define OPS     100000

static tg_rwmutex rw;
static long table[16];
static tg_chan *done;

static void worker(void *arg) {
  (void)arg;
  long seen = 0;
  for (long i = 0; i < OPS; i++) {
    if (i % 10 == 0) {
      tg_rwmutex_lock(&rw);
      table[i & 15]++;
      tg_rwmutex_unlock(&rw);
    } else {
      tg_rwmutex_rlock(&rw);
      seen += table[i & 15];
      tg_rwmutex_runlock(&rw);
    }
  }
  tg_chan_send(done, &seen);
}

int main(void) {
  done = tg_chan_make(sizeof(long), WORKERS);
  for (int i = 0; i < WORKERS; i++)
    tg_go(worker, NULL);
  long seen;
  for (int i = 0; i < WORKERS; i++)
    tg_chan_recv(done, &seen);
  long writes = 0;
  for (int i = 0; i < 16; i++)
    writes += table[i];
  printf("writes %ld\n", writes);
  return 0;
}
