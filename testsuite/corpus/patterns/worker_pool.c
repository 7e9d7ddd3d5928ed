/* Seed 002_86b5fec98460e5da.txt, "Worker pools" (wPools.go): nWorkers
 * goroutines range over the buffered `clients` channel, square each job's
 * integer and send the result on `data`; a collector goroutine prints the
 * results and signals `finished`. Once every worker has returned (WaitGroup),
 * main closes `data`, which ends the collector's range loop. The per-job sleep
 * of 1 s is 10 ms here; the order in which results print is not defined.
 * Arguments as in the book: #jobs #workers. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

struct client {
  int id, integer;
};
struct result {
  struct client job;
  int square;
};

static tg_chan *clients, *data; /* set up by main before any goroutine runs */

static void worker(void *arg) {
  tg_waitgroup *wg = arg;
  struct client c;
  while (tg_chan_recv(clients, &c)) {
    struct result output = {c, c.integer * c.integer};
    tg_chan_send(data, &output);
    tg_sleep(10 * TG_MILLISECOND);
  }
  tg_waitgroup_done(wg);
}

static void create(void *arg) {
  int n = *(int *)arg;
  for (int i = 0; i < n; i++) {
    struct client c = {i, i};
    tg_chan_send(clients, &c);
  }
  tg_chan_close(clients);
}

static void collect(void *arg) {
  tg_chan *finished = arg;
  struct result d;
  while (tg_chan_recv(data, &d)) {
    printf("Client ID: %d\tint: ", d.job.id);
    printf("%d\tsquare: %d\n", d.job.integer, d.square);
  }
  tg_chan_send(finished, &(bool){true});
}

int main(int argc, char **argv) {
  if (argc != 3) {
    printf("Need #jobs and #workers!\n");
    return 0;
  }
  int n_jobs = atoi(argv[1]), n_workers = atoi(argv[2]);
  int size = tg_maxprocs(0); /* var size = runtime.GOMAXPROCS(0) */
  clients = tg_chan_make(sizeof(struct client), (size_t)size);
  data = tg_chan_make(sizeof(struct result), (size_t)size);

  tg_go(create, &n_jobs);
  tg_chan *finished = tg_chan_make(sizeof(bool), 0);
  tg_go(collect, finished);
  tg_waitgroup wg = {0};
  for (int i = 0; i < n_workers; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(worker, &wg);
  }
  tg_waitgroup_wait(&wg);
  tg_chan_close(data);
  bool f;
  tg_chan_recv(finished, &f);
  printf("Finished: %s\n", f ? "true" : "false");
  return 0;
}
