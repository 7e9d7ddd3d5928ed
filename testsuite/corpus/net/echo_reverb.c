/* Seed 003_fcee70af208933bf.txt, "sync.WaitGroup" (gopl's reverb2 with a
 * WaitGroup per connection): for every line the client shouts, the server
 * starts an echo goroutine that answers loud, normal and soft with a delay in
 * between (1 s in the seed, 10 ms here). When the client stops sending, the
 * connection's WaitGroup waits for its echoes before CloseWrite, so no echo
 * is cut off.
 *
 * The server listens on 127.0.0.1 with a port the kernel picks. The client
 * (main) sends two shouts at once and half-closes; the echoes of the two
 * shouts interleave, each in its own order, and all six arrive before the
 * server's end of the connection closes. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <tangle.h>

static void fprintln(int c, const char *a, const char *b) {
  char line[256];
  int n = snprintf(line, sizeof line, "%s %s\n", a, b);
  tg_write(c, line, (size_t)n);
}

struct echo_args {
  int c;
  char shout[128];
  int64_t delay;
  tg_waitgroup *wg;
};

static void echo(void *arg) {
  struct echo_args *e = arg;
  char upper[128], lower[128];
  size_t n = strlen(e->shout);
  for (size_t i = 0; i <= n; i++) {
    upper[i] = (char)toupper((unsigned char)e->shout[i]);
    lower[i] = (char)tolower((unsigned char)e->shout[i]);
  }
  fprintln(e->c, "\t", upper);
  tg_sleep(e->delay);
  fprintln(e->c, "\t", e->shout);
  tg_sleep(e->delay);
  fprintln(e->c, "\t", lower);
  tg_waitgroup_done(e->wg); /* defer wg.Done() */
  free(e);
}

static void handle_conn(void *arg) {
  int c = (int)(intptr_t)arg;
  tg_waitgroup wg = {0}; /* a new WaitGroup for each connection */
  char buf[1024];
  size_t len = 0;
  for (;;) { /* input := bufio.NewScanner(c); for input.Scan() */
    ssize_t r = tg_read(c, buf + len, sizeof buf - len);
    if (r <= 0)
      break;
    len += (size_t)r;
    char *nl;
    while ((nl = memchr(buf, '\n', len)) != NULL) {
      struct echo_args *e = calloc(1, sizeof *e);
      size_t l = (size_t)(nl - buf);
      memcpy(e->shout, buf, l < sizeof e->shout ? l : sizeof e->shout - 1);
      e->c = c;
      e->delay = 10 * TG_MILLISECOND;
      e->wg = &wg;
      tg_waitgroup_add(&wg, 1);
      tg_go(echo, e);
      len -= l + 1;
      memmove(buf, nl + 1, len);
    }
  }
  tg_waitgroup_wait(&wg); /* wait for all echo goroutines of this connection */
  shutdown(c, SHUT_WR);   /* c.CloseWrite() */
  tg_close(c);
}

static void server(void *arg) {
  int l = (int)(intptr_t)arg;
  for (;;) {
    int conn = tg_accept(l);
    if (conn < 0) {
      fprintf(stderr, "accept: %s\n", strerror(-conn)); /* e.g., connection aborted */
      continue;
    }
    tg_go(handle_conn, (void *)(intptr_t)conn);
  }
}

int main(void) {
  int l = tg_listen("tcp", "127.0.0.1:0");
  if (l < 0) {
    fprintf(stderr, "listen: %s\n", strerror(-l));
    return 1;
  }
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  getsockname(l, (struct sockaddr *)&sa, &sl);
  char addr[64];
  snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(sa.sin_port));
  tg_go(server, (void *)(intptr_t)l);

  int conn = tg_dial("tcp", addr);
  if (conn < 0) {
    fprintf(stderr, "dial: %s\n", strerror(-conn));
    return 1;
  }
  const char *shouts = "Hello\nGopher\n";
  tg_write(conn, shouts, strlen(shouts));
  shutdown(conn, SHUT_WR); /* the client is done talking */
  char buf[4096];
  size_t len = 0;
  ssize_t r;
  while ((r = tg_read(conn, buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t)r;
  buf[len] = 0;
  fputs(buf, stdout);
  printf("read: %s\n", r == 0 ? "EOF" : strerror((int)-r));
  tg_close(conn);
  return 0;
}
