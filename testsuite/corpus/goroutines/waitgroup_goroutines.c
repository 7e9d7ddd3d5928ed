/* Seed 002_86b5fec98460e5da.txt, "Goroutines" > "Waiting for your goroutines
 * to finish" (syncGo.go). Add(1) before each go statement, Done when the
 * goroutine returns, Wait in main. The Go program also prints the WaitGroup's
 * internals with %#v; tangle's fields are private, so the port prints the
 * number of goroutines instead. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_waitgroup wait_group; /* main's; goroutines only call Done */

static void worker(void *arg) {
  printf("%d ", (int)(intptr_t)arg);
  tg_waitgroup_done(&wait_group);
}

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 20;
  printf("Going to create %d goroutines.\n", count);
  for (int i = 0; i < count; i++) {
    tg_waitgroup_add(&wait_group, 1);
    tg_go(worker, (void *)(intptr_t)i);
  }
  tg_waitgroup_wait(&wait_group);
  printf("\nExiting...\n");
  return 0;
}
