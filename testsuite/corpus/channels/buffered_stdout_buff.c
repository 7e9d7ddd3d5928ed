/* Seed 001_3dfe1f1bcc3944a6.txt, "Channels" > "example of buffered
 * channels": a producer sends 0..4 on a channel of capacity 4 and main ranges
 * over it; both log to a buffer that is written to stdout at the end (the
 * seed's `defer stdoutBuff.WriteTo(os.Stdout)`).
 *
 * The Go program shares a bytes.Buffer between the two goroutines without a
 * lock, which is a data race; the port guards it with a mutex. The
 * interleaving of the two goroutines' lines is not defined (the seed shows one
 * run), so the expectation checks each goroutine's own order. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static struct {
  tg_mutex mu;
  char text[1024];
  size_t len;
} stdout_buff; /* shared by main and the producer, under mu */

static void buff_printf(const char *fmt, ...) {
  tg_mutex_lock(&stdout_buff.mu);
  va_list ap;
  va_start(ap, fmt);
  size_t room = sizeof stdout_buff.text - stdout_buff.len;
  int n = vsnprintf(stdout_buff.text + stdout_buff.len, room, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < room)
    stdout_buff.len += (size_t)n;
  tg_mutex_unlock(&stdout_buff.mu);
}

static void producer(void *arg) {
  tg_chan *int_stream = arg;
  for (int i = 0; i < 5; i++) {
    buff_printf("Sending: %d\n", i);
    tg_chan_send(int_stream, &i);
  }
  buff_printf("Producer Done.\n"); /* the deferred Fprintln runs first */
  tg_chan_close(int_stream);       /* then the deferred close */
}

int main(void) {
  tg_chan *int_stream = tg_chan_make(sizeof(int), 4);
  tg_go(producer, int_stream);
  int integer;
  while (tg_chan_recv(int_stream, &integer))
    buff_printf("Received %d.\n", integer);
  fwrite(stdout_buff.text, 1, stdout_buff.len, stdout);
  tg_chan_free(int_stream);
  return 0;
}
