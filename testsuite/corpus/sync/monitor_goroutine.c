/* Seed 002_86b5fec98460e5da.txt, "Sharing memory using goroutines"
 * (monitor.go): one goroutine owns `value`; others change it by sending on
 * writeValue and read it by receiving from readValue, both served by the
 * monitor's select loop, so there is nothing to race on. n random numbers are
 * set by n goroutines; the last value read after Wait is the last one the
 * monitor printed. */
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_chan *read_value, *write_value; /* made by main before any goroutine */

static void set(int new_value) {
  tg_chan_send(write_value, &new_value);
}

static int read(void) {
  int v;
  tg_chan_recv(read_value, &v);
  return v;
}

static void monitor(void *arg) {
  (void)arg;
  int value = 0;
  for (;;) {
    int new_value;
    tg_case cs[] = {TG_RECV(write_value, &new_value, NULL), TG_SEND(read_value, &value)};
    if (tg_select(cs, 2) == 0) {
      value = new_value;
      printf("%d ", value);
    }
  }
}

static tg_waitgroup wg;

static void setter(void *arg) {
  set(*(int *)arg);
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    printf("Please give an integer!\n");
    return 0;
  }
  int n = atoi(argv[1]);
  printf("Going to create %d random numbers.\n", n);
  read_value = tg_chan_make(sizeof(int), 0);
  write_value = tg_chan_make(sizeof(int), 0);
  srand(3);
  tg_go(monitor, NULL);
  int *values = malloc(sizeof *values * (size_t)n);
  for (int r = 0; r < n; r++) {
    values[r] = rand() % (10 * n);
    tg_waitgroup_add(&wg, 1);
    tg_go(setter, &values[r]);
  }
  tg_waitgroup_wait(&wg);
  printf("\nLast value: %d\n", read());
  return 0;
}
