/* Memory of many parked goroutines in the race build: twenty thousand
 * goroutines park on one channel, a close releases them all and each
 * reports on a buffered channel (the bench program parked.c, smaller).
 * Each released goroutine knows no more than the closer and so takes its
 * clock by reference, and the clocks the buffer's slots keep share their
 * chunks: the peak resident set per goroutine stays a few KiB. Copying the
 * closer's clock (16 KiB once 4095 slots are known) per goroutine, as the
 * detector once did, needs about 27 KiB per goroutine; the bound, 16 KiB,
 * is far above today's figure (about 7) and measures memory, not time. */
//! races: 0
//! stdout: peak per goroutine under 16 KiB
//! timeout: 120
#include "race_test.h"
#include <string.h>

#define N 20000
static tg_chan *ready, *gate, *done;
static char token;

static long status_kib(const char *key) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kib = -1;
  size_t k = strlen(key);
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, key, k) && sscanf(line + k, "%ld", &kib) == 1)
      break;
  if (f)
    fclose(f);
  return kib;
}

static void waiter(void *arg) {
  (void)arg;
  tg_chan_send(ready, &token);
  tg_chan_recv(gate, NULL);
  tg_chan_send(done, &token);
}

int main(void) {
  ready = tg_chan_make(1, N);
  done = tg_chan_make(1, N);
  gate = tg_chan_make(0, 0);
  long base = status_kib("VmRSS:");
  CHECK(base > 0);
  for (long i = 0; i < N; i++)
    tg_go(waiter, NULL);
  for (long i = 0; i < N; i++)
    tg_chan_recv(ready, NULL);
  tg_chan_close(gate);
  for (long i = 0; i < N; i++)
    CHECK(tg_chan_recv(done, NULL));
  long peak = status_kib("VmHWM:");
  double per_g = (double)(peak - base) / N;
  if (per_g < 16)
    printf("peak per goroutine under 16 KiB\n");
  else
    printf("peak per goroutine %.1f KiB\n", per_g);
  return 0;
}
