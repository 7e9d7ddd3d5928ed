/* Seed 002_86b5fec98460e5da.txt, "The select keyword" (select.go): gen()
 * offers random numbers on createNumber until main has taken n of them and
 * sends on end. gen "forgets" its return after "Ended!", as the seed imagines,
 * so it loops on; with nobody reading createNumber and nobody sending on end,
 * the time.After case of a later iteration ends it. The seed's 1 s and 4 s are
 * 20 ms and 200 ms here; main is the book's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <tangle.h>

static tg_waitgroup wg; /* global, as in the book */

struct gen_args {
  int min, max;
  tg_chan *create_number, *end;
};

static void gen(int min, int max, tg_chan *create_number, tg_chan *end) {
  tg_sleep(20 * TG_MILLISECOND);
  for (;;) {
    int number = rand() % (max - min) + min;
    tg_case cs[] = {TG_SEND(create_number, &number), TG_RECV(end, NULL, NULL),
                    TG_AFTER(200 * TG_MILLISECOND)};
    switch (tg_select(cs, 3)) {
    case 0:
      break;
    case 1:
      printf("Ended!\n");
      /* return */
      break;
    case 2:
      printf("time.After()!\n");
      return;
    }
  }
}

static void gen_goroutine(void *arg) {
  struct gen_args *a = arg;
  gen(a->min, a->max, a->create_number, a->end);
  tg_waitgroup_done(&wg);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10;
  srand(7);
  struct gen_args a = {0, 2 * n, tg_chan_make(sizeof(int), 0), tg_chan_make(sizeof(bool), 0)};
  tg_waitgroup_add(&wg, 1);
  tg_go(gen_goroutine, &a);
  for (int i = 0; i < n; i++) {
    int v;
    tg_chan_recv(a.create_number, &v);
    printf("%d ", v);
  }
  printf("\n");
  tg_chan_send(a.end, &(bool){true});
  tg_waitgroup_wait(&wg);
  printf("Exiting...\n");
  tg_chan_free(a.create_number);
  tg_chan_free(a.end);
  return 0;
}
