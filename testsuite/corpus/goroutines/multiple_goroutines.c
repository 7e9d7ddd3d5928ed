/* Seed 002_86b5fec98460e5da.txt, "Goroutines" > "Creating multiple
 * goroutines". The count comes from the command line, as in the book
 * (multiple.go). The final sleep (1 s, scaled to 100 ms) is the seed's way of
 * waiting; the numbers may come in any order. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static void print_x(void *arg) {
  printf("%d ", (int)(intptr_t)arg);
}

int main(int argc, char **argv) {
  int count = argc > 1 ? atoi(argv[1]) : 10;
  printf("Going to create %d goroutines.\n", count);
  for (int i = 0; i < count; i++)
    tg_go(print_x, (void *)(intptr_t)i);
  tg_sleep(100 * TG_MILLISECOND);
  printf("\nExiting...\n");
  return 0;
}
