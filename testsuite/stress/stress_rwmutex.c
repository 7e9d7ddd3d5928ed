/* Stress of tg_rwmutex under GOMAXPROCS=2, with exact invariants: readers
 * and writers (Lock, RLock and the Try variants) on one RWMutex; a writer is
 * always alone, readers are never inside with a writer and always see the
 * protected array in a consistent state (all elements equal); the number of
 * writes is exact, and writers are never starved by the stream of readers
 * (the test ends only if every writer finishes while readers keep going).
 * Exits 0 on success; a failed check prints its line and aborts. */
#include <tangle.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                        \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

#define READERS 12
#define WRITERS 4
#define WRITES  20000
#define NVAL    16

static tg_rwmutex rw;
static long vals[NVAL];
static atomic_int readers_in, writers_in, violations;
static atomic_bool writers_done;
static atomic_long reads;
static tg_waitgroup wg;

static void writer(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int i = 0; i < WRITES; i++) {
    /* TryLock is not fair (readers may always be in): fall back to Lock. */
    if ((i + id) % 4 != 0 || !tg_rwmutex_trylock(&rw))
      tg_rwmutex_lock(&rw);
    if (atomic_fetch_add(&writers_in, 1) != 0 || atomic_load(&readers_in) != 0)
      atomic_fetch_add(&violations, 1);
    for (int k = 0; k < NVAL; k++) {
      vals[k]++;
      if (k == NVAL / 2 && i % 8 == 0)
        tg_yield(); /* half-written: readers must not see this */
    }
    atomic_fetch_sub(&writers_in, 1);
    tg_rwmutex_unlock(&rw);
  }
  tg_waitgroup_done(&wg);
}

static void reader(void *arg) {
  int id = (int)(intptr_t)arg;
  for (long i = 0; !atomic_load(&writers_done); i++) {
    bool tried = (i + id) % 3 == 0;
    if (tried) {
      if (!tg_rwmutex_tryrlock(&rw)) {
        tg_yield();
        continue;
      }
    } else {
      tg_rwmutex_rlock(&rw);
    }
    atomic_fetch_add(&readers_in, 1);
    if (atomic_load(&writers_in) != 0)
      atomic_fetch_add(&violations, 1);
    for (int k = 1; k < NVAL; k++)
      if (vals[k] != vals[0])
        atomic_fetch_add(&violations, 1);
    if (i % 16 == 0)
      tg_yield(); /* hold the read lock across a switch */
    atomic_fetch_sub(&readers_in, 1);
    tg_rwmutex_runlock(&rw);
    atomic_fetch_add(&reads, 1);
  }
  tg_waitgroup_done(&wg);
}

static tg_waitgroup wwg;
static void writer_group(void *arg) {
  (void)arg;
  tg_waitgroup_wait(&wwg);
  atomic_store(&writers_done, true);
  tg_waitgroup_done(&wg);
}

static void writer_tracked(void *arg) {
  writer(arg);
  tg_waitgroup_done(&wwg);
}

int main(void) {
  tg_maxprocs(2);
  tg_waitgroup_add(&wg, READERS + WRITERS + 1);
  tg_waitgroup_add(&wwg, WRITERS);
  for (int i = 0; i < READERS; i++)
    tg_go(reader, (void *)(intptr_t)i);
  for (int i = 0; i < WRITERS; i++)
    tg_go(writer_tracked, (void *)(intptr_t)i);
  tg_go(writer_group, NULL);
  tg_waitgroup_wait(&wg);
  CHECK(atomic_load(&violations) == 0);
  for (int k = 0; k < NVAL; k++)
    CHECK(vals[k] == (long)WRITERS * WRITES);
  tg_rwmutex zero = {0};
  CHECK(rw.reader_count_ == zero.reader_count_ && rw.reader_wait_ == 0 && rw.w_.state_ == 0);
  printf("stress_rwmutex: ok (%ld reads, %d writes)\n", atomic_load(&reads), WRITERS * WRITES);
  return 0;
}
