/* Seed 004_f52ba9338e6e024e.txt, "GOROUTINES" > TCP client/server setup: the
 * server answers every connection with "Response from server" once a second
 * (10 ms here) until a write fails; the client copies the connection to
 * stdout. The Go client copies forever; this one stops after three lines and
 * closes, and then main waits until the server's handler notices (its write
 * fails, EPIPE or ECONNRESET, not a SIGPIPE) and returns. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <tangle.h>

static tg_chan *handler_exited; /* made by main before the server starts */

static void handle_conn(void *arg) {
  int c = (int)(intptr_t)arg;
  for (;;) {
    const char *msg = "Response from server\n";
    ssize_t err = tg_write(c, msg, strlen(msg));
    if (err < 0)
      break;
    tg_sleep(10 * TG_MILLISECOND);
  }
  tg_close(c); /* defer c.Close() */
  tg_chan_close(handler_exited);
}

static void server(void *arg) {
  int listener = (int)(intptr_t)arg;
  for (;;) {
    int conn = tg_accept(listener);
    if (conn < 0)
      continue;
    tg_go(handle_conn, (void *)(intptr_t)conn);
  }
}

int main(void) {
  int listener = tg_listen("tcp", "127.0.0.1:0");
  if (listener < 0)
    return 1;
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  getsockname(listener, (struct sockaddr *)&sa, &sl);
  char addr[64];
  snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(sa.sin_port));
  handler_exited = tg_chan_make(0, 0);
  tg_go(server, (void *)(intptr_t)listener);

  int conn = tg_dial("tcp", addr);
  if (conn < 0)
    return 1;
  char buf[256];
  size_t len = 0;
  int lines = 0;
  while (lines < 3) { /* mustCopy(os.Stdout, conn), three lines' worth */
    ssize_t r = tg_read(conn, buf + len, 1);
    if (r <= 0)
      break;
    if (buf[len++] == '\n') {
      fwrite(buf, 1, len, stdout);
      len = 0;
      lines++;
    }
  }
  tg_close(conn); /* defer conn.Close() */
  tg_chan_recv(handler_exited, NULL);
  printf("server handler returned after the client closed\n");
  return 0;
}
