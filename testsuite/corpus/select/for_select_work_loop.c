/* Seed 001_3dfe1f1bcc3944a6.txt, "select": "this is how we put everything
 * together in to a loop". A goroutine closes done after 5 s (the seed's
 * `one :=` is a typo for `done :=`); meanwhile main does 1 s units of work,
 * checking done with a non-blocking select between units. Scaled to 250 ms
 * and 50 ms. How many cycles fit is up to the machine; that the loop stops is
 * not. */
#include <stdio.h>
#include <tangle.h>

static void closer(void *arg) {
  tg_chan *done = arg;
  tg_sleep(250 * TG_MILLISECOND);
  tg_chan_close(done);
}

int main(void) {
  tg_chan *done = tg_chan_make(sizeof(void *), 0);
  tg_go(closer, done);
  int work_counter = 0;
  for (;;) {
    tg_case cs[] = {TG_RECV(done, NULL, NULL)};
    if (tg_select_nb(cs, 1) == 0)
      break; /* break loop */
    /* Simulate work */
    work_counter++;
    tg_sleep(50 * TG_MILLISECOND);
  }
  printf("Achieved %d cycles of work before signalled to stop.\n", work_counter);
  tg_chan_free(done);
  return 0;
}
