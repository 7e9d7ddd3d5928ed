/* Seed 001_3dfe1f1bcc3944a6.txt, "Preventing Goroutine Leaks": the fix for
 * newRandStream. The producer's send sits in a for-select with the done
 * channel; closing done unblocks it and it returns, running its deferred
 * close and Println. The seed then sleeps 1 s ("Simulate ongoing work", 100
 * ms here) so the message gets printed; the port keeps the sleep and then
 * also waits for the producer to be gone, so a slow machine cannot lose it. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

struct stream {
  tg_chan *done, *rand_stream;
};

static void producer(void *arg) {
  struct stream *s = arg;
  for (;;) {
    long v = random();
    tg_case cs[] = {TG_SEND(s->rand_stream, &v), TG_RECV(s->done, NULL, NULL)};
    if (tg_select(cs, 2) == 1)
      break;
  }
  tg_chan_close(s->rand_stream);
  printf("newRandStream closure exited.\n");
}

int main(void) {
  struct stream s = {tg_chan_make(0, 0), tg_chan_make(sizeof(long), 0)};
  tg_go(producer, &s); /* randStream := newRandStream(done) */
  printf("3 random ints:\n");
  for (int i = 1; i <= 3; i++) {
    long v;
    tg_chan_recv(s.rand_stream, &v);
    printf("%d: %ld\n", i, v);
  }
  tg_chan_close(s.done);
  /* Simulate ongoing work */
  tg_sleep(100 * TG_MILLISECOND);
  while (tg_num_goroutine() > 1)
    tg_sleep(TG_MILLISECOND);
  return 0;
}
