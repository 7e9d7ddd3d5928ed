/* Seed 001_3dfe1f1bcc3944a6.txt, "cond": a queue of at most two items. Main
 * adds ten items; whenever the queue holds two it waits on the Cond, and each
 * item is removed by its own goroutine after a delay (1 s in the seed, 10 ms
 * here), which then Signals. The queue is a counter: the seed's slice only
 * ever has its length looked at.
 *
 * How "Adding" and "Removed" lines interleave depends on timing; what cannot
 * vary is that the queue never holds more than two items, which the
 * expectation checks line by line. Main returns after the tenth add, as in
 * the seed, so the last removals may or may not print. */
#include <stdio.h>
#include <tangle.h>

static tg_mutex mu;
static tg_cond c;     /* on mu */
static int queue_len; /* guarded by mu */

static void remove_from_queue(void *arg) {
  int64_t delay = *(int64_t *)arg;
  tg_sleep(delay);
  tg_mutex_lock(&mu);
  queue_len--; /* queue = queue[1:] */
  printf("Removed from queue\n");
  tg_mutex_unlock(&mu);
  tg_cond_signal(&c);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0); /* lines of exiting goroutines stay whole */
  tg_cond_init(&c, &mu);
  static int64_t delay = 10 * TG_MILLISECOND;
  for (int i = 0; i < 10; i++) {
    tg_mutex_lock(&mu);
    while (queue_len == 2)
      tg_cond_wait(&c);
    printf("Adding to queue\n");
    queue_len++;
    tg_go(remove_from_queue, &delay);
    tg_mutex_unlock(&mu);
  }
  return 0;
}
