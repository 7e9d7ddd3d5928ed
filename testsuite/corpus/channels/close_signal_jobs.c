/* Seed 003_fcee70af208933bf.txt, "When to close a channel" > 1. Signaling
 * completion: the sender closes `jobs` after five jobs so the receiver's range
 * loop ends. In the seed both are goroutines of a main not shown; the port's
 * main waits for the receiver, as the surrounding program must. */
#include <stdio.h>
#include <tangle.h>

struct jobs {
  tg_chan *jobs;
  tg_chan *received; /* closed by the receiver when it is finished */
};

static void sender(void *arg) {
  struct jobs *j = arg;
  for (int i = 1; i <= 5; i++)
    tg_chan_send(j->jobs, &i);
  tg_chan_close(j->jobs); /* Signal no more jobs will be sent */
}

static void receiver(void *arg) {
  struct jobs *j = arg;
  int job;
  while (tg_chan_recv(j->jobs, &job))
    printf("Received job: %d\n", job);
  printf("All jobs received\n");
  tg_chan_close(j->received);
}

int main(void) {
  struct jobs j = {.jobs = tg_chan_make(sizeof(int), 5), .received = tg_chan_make(0, 0)};
  tg_go(sender, &j);
  tg_go(receiver, &j);
  tg_chan_recv(j.received, NULL);
  tg_chan_free(j.jobs);
  tg_chan_free(j.received);
  return 0;
}
