/* Seed 002_86b5fec98460e5da.txt, "Goroutines" > "Creating a goroutine".
 *
 * The Go program waits for its goroutines with time.Sleep(time.Second); the
 * sleep is kept (scaled to 100 ms) and the expectation accepts the goroutines
 * in either order. printme is the book's: fmt.Println("*", x). */
#include <stdint.h>
#include <stdio.h>
#include <tangle.h>

static void anonymous(void *arg) {
  printf("%d ", (int)(intptr_t)arg);
}

static void printme(void *arg) {
  printf("* %d\n", (int)(intptr_t)arg);
}

int main(void) {
  tg_go(anonymous, (void *)(intptr_t)10);
  tg_go(printme, (void *)(intptr_t)15);
  tg_sleep(100 * TG_MILLISECOND);
  printf("Exiting...\n");
  return 0;
}
