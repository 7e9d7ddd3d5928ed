/* A writer holding a mutex waits for an rwmutex held by ten readers, and
 * one reader waits for that mutex: a cycle through one reader among many.
 * The lock's edge goes to all its readers (more than the detector keeps in
 * its slots: the last ones to read-lock are on the overflow list), so the
 * cycle is found whichever reader closes it. The reader that closes it is
 * the last to read-lock; `first`: the first one; `fixed`: it does not lock
 * the mutex. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

#define READERS 10

static tg_rwmutex rw;
static tg_mutex mu;
static tg_chan *go_on;
static atomic_int holding;
static atomic_bool writer_queued;
static int fixed, bad;

static void reader(void *arg) {
  int i = (int)(intptr_t)arg;
  tg_rwmutex_rlock(&rw);
  atomic_fetch_add(&holding, 1);
  if (i == bad && !fixed) {
    while (!atomic_load(&writer_queued))
      tg_sleep(TG_MILLISECOND);
    tg_sleep(50 * TG_MILLISECOND); /* the writer's Lock is a call away: it waits */
    tg_mutex_lock(&mu);
    tg_mutex_unlock(&mu);
  } else {
    tg_chan_recv(go_on, NULL);
  }
  tg_rwmutex_runlock(&rw);
}

static void writer(void *arg) {
  (void)arg;
  tg_mutex_lock(&mu);
  atomic_store(&writer_queued, true);
  tg_rwmutex_lock(&rw);
  tg_rwmutex_unlock(&rw);
  tg_mutex_unlock(&mu);
}

int main(int argc, char **argv) {
  fixed = argc > 1 && strcmp(argv[1], "fixed") == 0;
  bad = argc > 1 && strcmp(argv[1], "first") == 0 ? 0 : READERS - 1;
  go_on = tg_chan_make(0, 0);
  for (int i = 0; i < READERS; i++) { /* one at a time: they read-lock in order */
    tg_go(reader, (void *)(intptr_t)i);
    while (atomic_load(&holding) <= i)
      tg_sleep(TG_MILLISECOND);
  }
  tg_go(writer, NULL);
  tg_sleep(300 * TG_MILLISECOND);
  tg_chan_close(go_on);
  tg_sleep(100 * TG_MILLISECOND);
  printf("main exits\n");
  return 0;
}
