/* 1000-connection echo over 127.0.0.1: a server goroutine accepts and runs
 * one echo goroutine per connection; 1000 client goroutines each dial, then
 * do `rounds` round trips of a 64-byte message, then close. One op = one
 * round trip (connection setup is included in the time, spread over the
 * rounds). argv[1] is the total number of round trips. */
#include "bench.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <tangle.h>

#define CONNS 1000
#define MSG   64
static char addr[64]; /* "127.0.0.1:port", written by main before clients start */
static long rounds;
static tg_chan *done; /* clients report the round trips they verified */

static void echo_conn(void *arg) {
  int fd = (int)(intptr_t)arg;
  char buf[MSG];
  ssize_t r;
  while ((r = tg_read(fd, buf, sizeof buf)) > 0)
    if (tg_write(fd, buf, (size_t)r) != r)
      break;
  tg_close(fd);
}

static void server(void *arg) {
  int lfd = (int)(intptr_t)arg;
  int fd;
  while ((fd = tg_accept(lfd)) >= 0)
    tg_go(echo_conn, (void *)(intptr_t)fd);
}

static void client(void *arg) {
  long id = (long)(intptr_t)arg, ok = 0;
  int fd = tg_dial("tcp", addr);
  if (fd >= 0) {
    char out[MSG], in[MSG];
    for (long r = 0; r < rounds; r++) {
      memset(out, (int)((id + r) & 0xff), sizeof out);
      if (tg_write(fd, out, sizeof out) != MSG)
        break;
      size_t got = 0;
      while (got < MSG) {
        ssize_t k = tg_read(fd, in + got, MSG - got);
        if (k <= 0)
          break;
        got += (size_t)k;
      }
      if (got != MSG || memcmp(in, out, MSG) != 0)
        break;
      ok++;
    }
    tg_close(fd);
  } else {
    fprintf(stderr, "echo: dial %s: %s\n", addr, strerror(-fd));
  }
  tg_chan_send(done, &ok);
}

int main(int argc, char **argv) {
  long total = bench_ops(argc, argv, 20000);
  rounds = total / CONNS > 0 ? total / CONNS : 1;
  /* 2 fds per connection on this side: lift the soft limit (Go does too). */
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int lfd = tg_listen("tcp", "127.0.0.1:0");
  bench_check(lfd >= 0, "listen on 127.0.0.1");
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  bench_check(getsockname(lfd, (struct sockaddr *)&sa, &len) == 0, "getsockname");
  snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(sa.sin_port));
  done = tg_chan_make(sizeof(long), CONNS);
  int64_t t0 = bench_now();
  tg_go(server, (void *)(intptr_t)lfd);
  for (long i = 0; i < CONNS; i++)
    tg_go(client, (void *)(intptr_t)i);
  long ok, sum = 0;
  for (long i = 0; i < CONNS; i++) {
    tg_chan_recv(done, &ok);
    sum += ok;
  }
  int64_t t1 = bench_now();
  tg_close(lfd);
  bench_check(sum == CONNS * rounds, "every round trip echoed");
  bench_report("echo", t1 - t0, CONNS * rounds, " conns=%d", CONNS);
  return 0;
}
