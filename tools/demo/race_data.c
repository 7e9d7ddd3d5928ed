/* Seed 001, "race conditions", basic example: a goroutine increments `data`
 * while main reads it, with nothing ordering the two. The race build reports
 * a DATA RACE between the write in the goroutine and main's read. */
#include <stdio.h>
#include <tangle.h>

static int data;

static void incr(void *arg) {
  (void)arg;
  data++;
}

int main(void) {
  tg_go(incr, NULL);
  tg_sleep(10 * TG_MILLISECOND); /* let the goroutine run: the race is still there */
  if (data == 0)
    printf("the value is %d.\n", data);
  else
    printf("the value is not 0.\n");
  return 0;
}
