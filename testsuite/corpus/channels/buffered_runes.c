/* Seed 001_3dfe1f1bcc3944a6.txt, "Channels" > buffered channels: a channel of
 * runes with capacity 4 takes 'A'..'D' without a reader; the fifth send blocks
 * until "some other goroutine" reads. The port adds that goroutine and prints
 * what the seed describes in comments. */
#include <stdint.h>
#include <stdio.h>
#include <tangle.h>

static void reader(void *arg) {
  tg_chan *c = arg;
  tg_sleep(10 * TG_MILLISECOND); /* the fifth send really has to wait */
  int32_t r;
  tg_chan_recv(c, &r); /* ... in some other goroutine: <- c */
  printf("other goroutine read %c\n", (char)r);
}

int main(void) {
  tg_chan *c = tg_chan_make(sizeof(int32_t), 4); /* make(chan rune, 4) */
  for (int32_t r = 'A'; r <= 'D'; r++)
    tg_chan_send(c, &r);
  printf("buffer full: len %zu cap %zu\n", tg_chan_len(c), tg_chan_cap(c));
  /* A fifth write would block now: check without blocking first. */
  tg_case cs[] = {TG_SEND(c, &(int32_t){'E'})};
  printf("non-blocking send of E: %s\n", tg_select_nb(cs, 1) < 0 ? "would block" : "sent");
  tg_go(reader, c);
  tg_chan_send(c, &(int32_t){'E'}); /* blocks until the reader takes 'A' */
  printf("sent E: len %zu\n", tg_chan_len(c));
  /* One printf for the line: the reader may print at the same time, and
   * stdio keeps a line whole only when it is written by one call. */
  int32_t r;
  char line[24] = "drained:";
  for (int i = 0; i < 4; i++) {
    tg_chan_recv(c, &r);
    snprintf(line + 8 + 2 * i, sizeof line - 8 - 2 * (size_t)i, " %c", (char)r);
  }
  printf("%s\n", line);
  tg_chan_free(c);
  return 0;
}
