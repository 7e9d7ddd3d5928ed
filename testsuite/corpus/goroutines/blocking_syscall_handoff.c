/* Seed 004_f52ba9338e6e024e.txt, "Go Scheduler" > "Context Switching": a
 * goroutine that makes a blocking system call takes its OS thread with it,
 * and the runtime hands the P to another thread so other goroutines keep
 * running. With a single P (TANGLE_MAXPROCS=1 in the expectation), main can
 * only run while the reader sits in read(2) if that hand-off happens; without
 * it the program hangs. */
#include <stdio.h>
#include <string.h>
#include <tangle.h>
#include <unistd.h>

struct reader_args {
  int fd;
  tg_chan *done;
};

static void reader(void *arg) {
  struct reader_args *r = arg;
  char buf[16] = {0};
  tg_enter_blocking(); /* what Go's syscall wrappers do around read(2) */
  ssize_t n = read(r->fd, buf, sizeof buf - 1);
  tg_exit_blocking();
  printf("reader: got %s (%zd bytes)\n", buf, n);
  tg_chan_close(r->done);
}

int main(void) {
  int p[2];
  if (pipe(p) != 0) {
    perror("pipe");
    return 1;
  }
  struct reader_args r = {.fd = p[0], .done = tg_chan_make(0, 0)};
  tg_go(reader, &r);
  tg_sleep(20 * TG_MILLISECOND); /* gives the reader time to block in read */
  printf("main: running while the reader may be blocked in read(2)\n");
  const char *msg = "hello";
  if (write(p[1], msg, strlen(msg)) != (ssize_t)strlen(msg))
    return 1;
  tg_chan_recv(r.done, NULL);
  printf("main: done, GOMAXPROCS=%d\n", tg_maxprocs(0));
  close(p[0]);
  close(p[1]);
  tg_chan_free(r.done);
  return 0;
}
