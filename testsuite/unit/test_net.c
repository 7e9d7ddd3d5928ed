/* Goroutine-aware sockets (runtime/net.c) on the poller (runtime/netpoll.c):
 * round trips, many connections with exact byte counts, deadlines, close
 * waking parked goroutines, connect and listen errors, non-socket fds, and
 * the global deadlock check staying quiet while goroutines wait on I/O.
 * Only loopback addresses. No timed assertions: waits are for events. */
#include "go_test_harness.h"
#include "rt.h" /* tg__sched.nio_waiters: goroutines parked on the poller */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void run_void_body(void *arg) {
  void (*body)(void);
  memcpy(&body, &arg, sizeof body);
  body();
}

/* From a cmocka test: run body as a goroutine and wait for it. */
static void net_run(void (*body)(void)) {
  void *arg;
  memcpy(&arg, &body, sizeof arg);
  go_run(run_void_body, arg);
}

/* A test body, run as a goroutine, and its cmocka test. */
#define NET_TEST(name)                                                                             \
  static void name##_body(void);                                                                   \
  static void name(void **state) {                                                                 \
    (void)state;                                                                                   \
    net_run(name##_body);                                                                          \
  }                                                                                                \
  static void name##_body(void)

/* ---- helpers ------------------------------------------------------------- */

static int local_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  CHECK_EQ(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
  if (ss.ss_family == AF_INET)
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
  CHECK_EQ(ss.ss_family, AF_INET6);
  return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void addr_of(char *buf, size_t cap, const char *host, int port) {
  snprintf(buf, cap, "%s:%d", host, port);
}

/* A listener on 127.0.0.1 with an OS-chosen port. */
static int listen_local(int *port) {
  int fd = tg_listen("tcp", "127.0.0.1:0");
  CHECK(fd >= 0);
  *port = local_port(fd);
  CHECK(*port > 0);
  return fd;
}

static int dial_local(int port) {
  char a[64];
  addr_of(a, sizeof a, "127.0.0.1", port);
  return tg_dial("tcp", a);
}

/* Reads exactly n bytes unless EOF or an error; returns bytes read or -errno. */
static ssize_t read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = tg_read(fd, (char *)buf + got, n - got);
    if (r < 0)
      return r;
    if (r == 0)
      break;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

/* Blocks until `n` goroutines are parked on the poller: the state a test
 * wants before it closes an fd or lets a deadline pass. */
static void wait_io_waiters(int n) {
  while (atomic_load(&tg__sched.nio_waiters) < n)
    tg_sleep(TG_MILLISECOND);
}

static void send_int(tg_chan *c, int v) {
  tg_chan_send(c, &v);
}
static int recv_int(tg_chan *c) {
  int v = 0;
  CHECK(tg_chan_recv(c, &v));
  return v;
}

/* An echo server: accepts `nconns` connections, echoes each until EOF in
 * its own goroutine, and reports the total bytes echoed on `done`. */
struct echo_server {
  int lfd;
  int nconns;
  tg_chan *done; /* one int64_t: total bytes echoed */
  _Atomic int64_t total;
  _Atomic int active;
  tg_chan *conn_done;
};

struct echo_conn {
  struct echo_server *s;
  int fd;
};

static void echo_conn_main(void *arg) {
  struct echo_conn *c = arg;
  char buf[4096];
  int64_t n = 0;
  for (;;) {
    ssize_t r = tg_read(c->fd, buf, sizeof buf);
    if (r <= 0)
      break;
    ssize_t w = tg_write(c->fd, buf, (size_t)r);
    if (w != r)
      break;
    n += r;
  }
  atomic_fetch_add(&c->s->total, n);
  tg_close(c->fd);
  send_int(c->s->conn_done, 1);
  free(c);
}

static void echo_server_main(void *arg) {
  struct echo_server *s = arg;
  for (int i = 0; i < s->nconns; i++) {
    int fd = tg_accept(s->lfd);
    if (fd < 0) {
      fprintf(stderr, "accept: %s\n", strerror(-fd));
      break;
    }
    struct echo_conn *c = malloc(sizeof *c);
    c->s = s;
    c->fd = fd;
    tg_go(echo_conn_main, c);
  }
  for (int i = 0; i < s->nconns; i++)
    recv_int(s->conn_done);
  int64_t total = atomic_load(&s->total);
  tg_chan_send(s->done, &total);
}

static void echo_server_start(struct echo_server *s, int lfd, int nconns) {
  memset(s, 0, sizeof *s);
  s->lfd = lfd;
  s->nconns = nconns;
  s->done = tg_chan_make(sizeof(int64_t), 1);
  s->conn_done = tg_chan_make(sizeof(int), (size_t)nconns);
  tg_go(echo_server_main, s);
}

static int64_t echo_server_wait(struct echo_server *s) {
  int64_t total = -1;
  CHECK(tg_chan_recv(s->done, &total));
  tg_chan_free(s->done);
  tg_chan_free(s->conn_done);
  return total;
}

/* ---- round trips ---------------------------------------------------------- */

NET_TEST(test_echo_round_trip) {
  int port;
  int lfd = listen_local(&port);
  struct echo_server s;
  echo_server_start(&s, lfd, 1);

  int fd = dial_local(port);
  CHECK(fd >= 0);
  const char msg[] = "hello, tangle";
  CHECK_EQ(tg_write(fd, msg, sizeof msg), sizeof msg);
  char back[sizeof msg];
  CHECK_EQ(read_full(fd, back, sizeof back), sizeof msg);
  CHECK(memcmp(back, msg, sizeof msg) == 0);
  CHECK_EQ(tg_close(fd), 0);

  CHECK_EQ(echo_server_wait(&s), sizeof msg);
  CHECK_EQ(tg_close(lfd), 0);
}

/* 100 clients at once, each with its own byte pattern and a length that is
 * not a multiple of any buffer size: every byte comes back to the client
 * that sent it, and the server echoed exactly the sum. */
#define NCLIENTS 100
struct client {
  int port;
  int id;
  size_t len;
  tg_chan *done; /* int: 1 ok, 0 failure */
};

static unsigned char pattern(int id, size_t i) {
  return (unsigned char)(id * 31 + i * 7 + (i >> 9));
}

/* The writer half runs in its own goroutine so the client never deadlocks
 * against its own unread echo when both kernel buffers fill. */
struct client_writer {
  int fd;
  int id;
  size_t len;
  tg_chan *done;
};

static void client_writer_main(void *arg) {
  struct client_writer *w = arg;
  unsigned char *buf = malloc(w->len);
  for (size_t i = 0; i < w->len; i++)
    buf[i] = pattern(w->id, i);
  /* Several writes of odd sizes. */
  size_t off = 0, step = 1000 + (size_t)w->id * 13;
  int ok = 1;
  while (off < w->len) {
    size_t n = w->len - off < step ? w->len - off : step;
    if (tg_write(w->fd, buf + off, n) != (ssize_t)n) {
      ok = 0;
      break;
    }
    off += n;
  }
  shutdown(w->fd, SHUT_WR); /* EOF for the server once all is sent */
  free(buf);
  send_int(w->done, ok);
}

static void client_main(void *arg) {
  struct client *c = arg;
  int fd = dial_local(c->port);
  if (fd < 0) {
    fprintf(stderr, "dial: %s\n", strerror(-fd));
    send_int(c->done, 0);
    return;
  }
  struct client_writer w = {fd, c->id, c->len, tg_chan_make(sizeof(int), 1)};
  tg_go(client_writer_main, &w);
  unsigned char buf[1500];
  size_t got = 0;
  int ok = 1;
  for (;;) {
    ssize_t r = tg_read(fd, buf, sizeof buf);
    if (r < 0) {
      ok = 0;
      break;
    }
    if (r == 0)
      break;
    for (ssize_t i = 0; i < r; i++)
      if (got + (size_t)i >= c->len || buf[i] != pattern(c->id, got + (size_t)i))
        ok = 0;
    got += (size_t)r;
  }
  ok &= recv_int(w.done);
  tg_chan_free(w.done);
  tg_close(fd);
  send_int(c->done, ok && got == c->len);
}

NET_TEST(test_many_connections_exact_bytes) {
  int port;
  int lfd = listen_local(&port);
  struct echo_server s;
  echo_server_start(&s, lfd, NCLIENTS);

  static struct client clients[NCLIENTS];
  tg_chan *done = tg_chan_make(sizeof(int), NCLIENTS);
  int64_t expect = 0;
  for (int i = 0; i < NCLIENTS; i++) {
    clients[i] = (struct client){port, i, 20000 + (size_t)i * 517, done};
    expect += (int64_t)clients[i].len;
    tg_go(client_main, &clients[i]);
  }
  int ok = 0;
  for (int i = 0; i < NCLIENTS; i++)
    ok += recv_int(done);
  CHECK_EQ(ok, NCLIENTS);
  CHECK_EQ(echo_server_wait(&s), expect);
  tg_chan_free(done);
  tg_close(lfd);
}

/* One write much larger than the socket buffers: tg_write parks on EAGAIN
 * and resumes until every byte is written; the reader, slower, gets every
 * byte in order. */
struct big_reader {
  int fd;
  size_t len;
  tg_chan *done; /* int: 1 if all bytes matched */
};

static void big_reader_main(void *arg) {
  struct big_reader *b = arg;
  unsigned char buf[777];
  size_t got = 0;
  int ok = 1;
  for (;;) {
    ssize_t r = tg_read(b->fd, buf, sizeof buf);
    if (r <= 0) {
      ok &= r == 0;
      break;
    }
    for (ssize_t i = 0; i < r; i++)
      ok &= buf[i] == pattern(7, got + (size_t)i);
    got += (size_t)r;
    if ((got / sizeof buf) % 64 == 0)
      tg_yield(); /* let the writer fill the buffers and park */
  }
  send_int(b->done, ok && got == b->len);
}

NET_TEST(test_large_write_is_complete) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  CHECK(cfd >= 0);
  int sfd = tg_accept(lfd);
  CHECK(sfd >= 0);
  size_t len = 8u << 20;
  unsigned char *buf = malloc(len);
  for (size_t i = 0; i < len; i++)
    buf[i] = pattern(7, i);
  struct big_reader b = {sfd, len, tg_chan_make(sizeof(int), 1)};
  tg_go(big_reader_main, &b);
  CHECK_EQ(tg_write(cfd, buf, len), (ssize_t)len);
  CHECK_EQ(tg_close(cfd), 0);
  CHECK_EQ(recv_int(b.done), 1);
  tg_chan_free(b.done);
  free(buf);
  tg_close(sfd);
  tg_close(lfd);
}

/* ---- deadlines ------------------------------------------------------------- */

NET_TEST(test_deadline_already_expired_fails_at_once) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  int sfd = tg_accept(lfd);
  CHECK(cfd >= 0 && sfd >= 0);
  /* Data is waiting, yet an expired deadline fails the read (Go's rule). */
  CHECK_EQ(tg_write(cfd, "x", 1), 1);
  CHECK_EQ(tg_set_deadline(sfd, tg_now() - TG_SECOND), 0);
  char c;
  CHECK_EQ(tg_read(sfd, &c, 1), -ETIMEDOUT);
  CHECK_EQ(tg_write(sfd, "y", 1), -ETIMEDOUT);
  /* Cleared: the waiting byte is read. */
  CHECK_EQ(tg_set_deadline(sfd, 0), 0);
  CHECK_EQ(tg_read(sfd, &c, 1), 1);
  CHECK_EQ(c, 'x');
  tg_close(cfd);
  tg_close(sfd);
  tg_close(lfd);
}

NET_TEST(test_deadline_wakes_parked_reader) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  int sfd = tg_accept(lfd);
  CHECK(cfd >= 0 && sfd >= 0);
  /* Nothing is ever written: only the deadline's timer can end the read. */
  CHECK_EQ(tg_set_deadline(sfd, tg_now() + 20 * TG_MILLISECOND), 0);
  char c;
  CHECK_EQ(tg_read(sfd, &c, 1), -ETIMEDOUT);
  /* Still expired until changed. */
  CHECK_EQ(tg_read(sfd, &c, 1), -ETIMEDOUT);
  /* A later deadline, then data before it: the read succeeds. */
  CHECK_EQ(tg_set_deadline(sfd, tg_now() + 3600 * TG_SECOND), 0);
  CHECK_EQ(tg_write(cfd, "z", 1), 1);
  CHECK_EQ(tg_read(sfd, &c, 1), 1);
  CHECK_EQ(c, 'z');
  tg_close(cfd);
  tg_close(sfd);
  tg_close(lfd);
}

NET_TEST(test_deadline_on_accept) {
  int port;
  int lfd = listen_local(&port);
  CHECK_EQ(tg_set_deadline(lfd, tg_now() + 10 * TG_MILLISECOND), 0);
  CHECK_EQ(tg_accept(lfd), -ETIMEDOUT);
  /* Cleared, a connection is accepted. */
  CHECK_EQ(tg_set_deadline(lfd, 0), 0);
  int cfd = dial_local(port);
  CHECK(cfd >= 0);
  int sfd = tg_accept(lfd);
  CHECK(sfd >= 0);
  tg_close(cfd);
  tg_close(sfd);
  tg_close(lfd);
}

/* A deadline set by another goroutine while the reader is parked, in the
 * past: the reader wakes with -ETIMEDOUT. */
struct parked_read {
  int fd;
  tg_chan *result; /* int: the read's result */
};

static void parked_read_main(void *arg) {
  struct parked_read *p = arg;
  char c;
  send_int(p->result, (int)tg_read(p->fd, &c, 1));
}

NET_TEST(test_deadline_moved_into_past_wakes_reader) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  int sfd = tg_accept(lfd);
  CHECK(cfd >= 0 && sfd >= 0);
  CHECK_EQ(tg_set_deadline(sfd, tg_now() + 3600 * TG_SECOND), 0);
  int before = atomic_load(&tg__sched.nio_waiters);
  struct parked_read p = {sfd, tg_chan_make(sizeof(int), 1)};
  tg_go(parked_read_main, &p);
  wait_io_waiters(before + 1);
  CHECK_EQ(tg_set_deadline(sfd, tg_now() - 1), 0);
  CHECK_EQ(recv_int(p.result), -ETIMEDOUT);
  tg_chan_free(p.result);
  tg_close(cfd);
  tg_close(sfd);
  tg_close(lfd);
}

/* ---- close -------------------------------------------------------------------- */

NET_TEST(test_close_wakes_parked_reader) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  int sfd = tg_accept(lfd);
  CHECK(cfd >= 0 && sfd >= 0);
  int before = atomic_load(&tg__sched.nio_waiters);
  struct parked_read p = {sfd, tg_chan_make(sizeof(int), 1)};
  tg_go(parked_read_main, &p);
  wait_io_waiters(before + 1);
  CHECK_EQ(tg_close(sfd), 0);
  CHECK_EQ(recv_int(p.result), -EBADF); /* net.ErrClosed */
  CHECK_EQ(atomic_load(&tg__sched.nio_waiters), before);
  /* Use after close, and a second close, fail the same way. */
  char c;
  CHECK_EQ(tg_read(sfd, &c, 1), -EBADF);
  CHECK_EQ(tg_close(sfd), -EBADF);
  /* The peer sees the connection end. */
  CHECK_EQ(tg_read(cfd, &c, 1), 0);
  tg_chan_free(p.result);
  tg_close(cfd);
  tg_close(lfd);
}

struct parked_accept {
  int fd;
  tg_chan *result;
};

static void parked_accept_main(void *arg) {
  struct parked_accept *p = arg;
  send_int(p->result, tg_accept(p->fd));
}

NET_TEST(test_close_wakes_parked_accept) {
  int port;
  int lfd = listen_local(&port);
  int before = atomic_load(&tg__sched.nio_waiters);
  struct parked_accept p = {lfd, tg_chan_make(sizeof(int), 1)};
  tg_go(parked_accept_main, &p);
  wait_io_waiters(before + 1);
  CHECK_EQ(tg_close(lfd), 0);
  CHECK_EQ(recv_int(p.result), -EBADF);
  tg_chan_free(p.result);
  /* The port is free again once the deferred close happened. */
  CHECK_EQ(dial_local(port), -ECONNREFUSED);
}

/* A writer parked on a full socket buffer and a reader parked on an empty
 * one, on the same fd: close wakes both. */
struct parked_write {
  int fd;
  size_t len;
  tg_chan *result; /* int: the write's result (-errno, or len) */
};

static void parked_write_main(void *arg) {
  struct parked_write *p = arg;
  char *buf = calloc(1, p->len);
  send_int(p->result, (int)tg_write(p->fd, buf, p->len));
  free(buf);
}

NET_TEST(test_close_wakes_reader_and_writer) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  int sfd = tg_accept(lfd);
  CHECK(cfd >= 0 && sfd >= 0);
  int before = atomic_load(&tg__sched.nio_waiters);
  struct parked_read r = {sfd, tg_chan_make(sizeof(int), 1)};
  /* Far more than the socket buffers hold; cfd never reads. */
  struct parked_write w = {sfd, 64u << 20, tg_chan_make(sizeof(int), 1)};
  tg_go(parked_read_main, &r);
  tg_go(parked_write_main, &w);
  wait_io_waiters(before + 2);
  CHECK_EQ(tg_close(sfd), 0);
  CHECK_EQ(recv_int(r.result), -EBADF);
  CHECK_EQ(recv_int(w.result), -EBADF);
  tg_chan_free(r.result);
  tg_chan_free(w.result);
  tg_close(cfd);
  tg_close(lfd);
}

NET_TEST(test_deadline_on_parked_write) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  int sfd = tg_accept(lfd);
  CHECK(cfd >= 0 && sfd >= 0);
  CHECK_EQ(tg_set_deadline(sfd, tg_now() + 20 * TG_MILLISECOND), 0);
  size_t len = 64u << 20;
  char *buf = calloc(1, len);
  CHECK_EQ(tg_write(sfd, buf, len), -ETIMEDOUT);
  free(buf);
  tg_close(cfd);
  tg_close(sfd);
  tg_close(lfd);
}

/* Two goroutines parked reading the same socket: each byte written wakes
 * them, one takes it, the other parks again; both end with one byte. */
NET_TEST(test_two_readers_one_socket) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  int sfd = tg_accept(lfd);
  CHECK(cfd >= 0 && sfd >= 0);
  int before = atomic_load(&tg__sched.nio_waiters);
  tg_chan *results = tg_chan_make(sizeof(int), 2);
  struct parked_read r = {sfd, results};
  tg_go(parked_read_main, &r);
  tg_go(parked_read_main, &r);
  wait_io_waiters(before + 2);
  CHECK_EQ(tg_write(cfd, "a", 1), 1);
  CHECK_EQ(recv_int(results), 1);
  CHECK_EQ(tg_write(cfd, "b", 1), 1);
  CHECK_EQ(recv_int(results), 1);
  tg_chan_free(results);
  tg_close(cfd);
  tg_close(sfd);
  tg_close(lfd);
}

/* A peer that went away: the write fails with EPIPE or ECONNRESET, and no
 * SIGPIPE kills the program. */
NET_TEST(test_write_to_closed_peer) {
  int port;
  int lfd = listen_local(&port);
  int cfd = dial_local(port);
  int sfd = tg_accept(lfd);
  CHECK(cfd >= 0 && sfd >= 0);
  CHECK_EQ(tg_close(sfd), 0);
  char buf[4096] = {0};
  ssize_t r = 0;
  for (int i = 0; i < 1000 && r >= 0; i++)
    r = tg_write(cfd, buf, sizeof buf);
  CHECK(r == -EPIPE || r == -ECONNRESET);
  tg_close(cfd);
  tg_close(lfd);
}

/* ---- errors ------------------------------------------------------------------ */

NET_TEST(test_dial_closed_port_refused) {
  int port;
  int lfd = listen_local(&port);
  CHECK_EQ(tg_close(lfd), 0);
  CHECK_EQ(dial_local(port), -ECONNREFUSED);
}

NET_TEST(test_listen_bad_addresses) {
  CHECK_EQ(tg_listen("tcp", "127.0.0.1"), -EINVAL);       /* no port */
  CHECK_EQ(tg_listen("tcp", "127.0.0.1:99999"), -EINVAL); /* port range */
  CHECK_EQ(tg_listen("tcp", "::1:80"), -EINVAL);          /* needs [] */
  CHECK_EQ(tg_listen("tcp", "[::1:80"), -EINVAL);         /* unclosed [ */
  CHECK_EQ(tg_listen("tcp", "127.0.0.1:"), -EINVAL);      /* empty port */
  CHECK_EQ(tg_listen("bogus", "127.0.0.1:0"), -EPROTONOSUPPORT);
  CHECK_EQ(tg_listen(NULL, "127.0.0.1:0"), -EINVAL);
  CHECK_EQ(tg_listen("tcp", NULL), -EINVAL);
  CHECK_EQ(tg_listen("tcp4", "[::1]:0"), -EAFNOSUPPORT); /* family mismatch */
  CHECK(tg_listen("tcp", "127.0.0.1:no-such-service") < 0);
  CHECK_EQ(tg_listen("udp", "127.0.0.1:0"), -EPROTONOSUPPORT);
  /* A port in use. */
  int port;
  int lfd = listen_local(&port);
  char a[64];
  addr_of(a, sizeof a, "127.0.0.1", port);
  CHECK_EQ(tg_listen("tcp", a), -EADDRINUSE);
  tg_close(lfd);
  CHECK_EQ(tg_dial("tcp", "127.0.0.1"), -EINVAL);
  CHECK_EQ(tg_read(-1, a, 1), -EBADF);
  CHECK_EQ(tg_close(-1), -EBADF);
}

/* ---- families and names -------------------------------------------------------- */

static void round_trip_on(int lfd, const char *network, const char *dial_addr) {
  int cfd = tg_dial(network, dial_addr);
  CHECK(cfd >= 0);
  int sfd = tg_accept(lfd);
  CHECK(sfd >= 0);
  CHECK_EQ(tg_write(cfd, "ping", 4), 4);
  char buf[4];
  CHECK_EQ(read_full(sfd, buf, 4), 4);
  CHECK(memcmp(buf, "ping", 4) == 0);
  CHECK_EQ(tg_write(sfd, "pong", 4), 4);
  CHECK_EQ(read_full(cfd, buf, 4), 4);
  CHECK(memcmp(buf, "pong", 4) == 0);
  tg_close(cfd);
  tg_close(sfd);
}

static bool have_ipv6_loopback(void) {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  if (fd < 0)
    return false;
  struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  bool ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
  close(fd);
  return ok;
}

static void ipv6_loopback_body(void) {
  int lfd = tg_listen("tcp6", "[::1]:0");
  CHECK(lfd >= 0);
  char a[64];
  snprintf(a, sizeof a, "[::1]:%d", local_port(lfd));
  round_trip_on(lfd, "tcp", a);
  round_trip_on(lfd, "tcp6", a);
  CHECK_EQ(tg_dial("tcp4", a), -EAFNOSUPPORT);
  tg_close(lfd);
}

static void test_ipv6_loopback(void **state) {
  (void)state;
  if (!have_ipv6_loopback())
    skip();
  net_run(ipv6_loopback_body);
}

static void tcp4_and_host_name_body(void) {
  int lfd = tg_listen("tcp4", "localhost:0");
  CHECK(lfd >= 0);
  int port = local_port(lfd);
  char a[64];
  addr_of(a, sizeof a, "localhost", port);
  round_trip_on(lfd, "tcp", a);
  addr_of(a, sizeof a, "127.0.0.1", port);
  round_trip_on(lfd, "tcp4", a);
  tg_close(lfd);
}

static bool localhost_resolves(void) {
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
  if (getaddrinfo("localhost", "80", &hints, &res) != 0)
    return false;
  freeaddrinfo(res);
  return true;
}

static void test_tcp4_and_host_name(void **state) {
  (void)state;
  if (!localhost_resolves())
    skip(); /* no "localhost" in this system's resolver */
  net_run(tcp4_and_host_name_body);
}

NET_TEST(test_unix_socket) {
  char path[64];
  snprintf(path, sizeof path, "/tmp/tangle-test-net-%d.sock", (int)getpid());
  unlink(path);
  int lfd = tg_listen("unix", path);
  CHECK(lfd >= 0);
  struct stat st;
  CHECK_EQ(stat(path, &st), 0);
  round_trip_on(lfd, "unix", path);
  tg_close(lfd);
  /* Go removes the socket file with the listener. */
  CHECK_EQ(stat(path, &st), -1);
  CHECK_EQ(tg_dial("unix", path), -ENOENT);
}

/* ---- fds tangle did not create --------------------------------------------------- */

struct pipe_writer {
  int fd;
};

static void pipe_writer_main(void *arg) {
  struct pipe_writer *w = arg;
  tg_sleep(5 * TG_MILLISECOND);
  tg_write(w->fd, "abc", 3);
}

NET_TEST(test_nonblocking_pipe_parks) {
  int p[2];
  CHECK_EQ(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  struct pipe_writer w = {p[1]};
  tg_go(pipe_writer_main, &w);
  char buf[3];
  CHECK_EQ(read_full(p[0], buf, 3), 3);
  CHECK(memcmp(buf, "abc", 3) == 0);
  CHECK_EQ(tg_close(p[1]), 0);
  CHECK_EQ(tg_read(p[0], buf, 1), 0); /* EOF */
  CHECK_EQ(tg_close(p[0]), 0);
}

NET_TEST(test_blocking_pipe_and_no_deadline) {
  int p[2];
  CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
  CHECK_EQ(tg_write(p[1], "q", 1), 1);
  char c;
  CHECK_EQ(tg_read(p[0], &c, 1), 1);
  CHECK_EQ(c, 'q');
  CHECK_EQ(tg_set_deadline(p[0], tg_now()), -ENOTSUP);
  CHECK_EQ(tg_close(p[0]), 0);
  CHECK_EQ(tg_close(p[1]), 0);
}

/* ---- the global deadlock check ----------------------------------------------------- */

/* These run in a child process whose main goroutine blocks on a channel, so
 * that nothing but the goroutines under test is waiting on I/O (the cmocka
 * harness's main goroutine waits on a pipe). A false deadlock report kills
 * the child with status 2; the control case shows the check is live in the
 * same situation without I/O. */
struct acceptor {
  int lfd;
  tg_chan *result;
};

static void acceptor_main(void *arg) {
  struct acceptor *a = arg;
  int fd = tg_accept(a->lfd);
  if (fd >= 0) {
    char c = 0;
    ssize_t r = read_full(fd, &c, 1);
    tg_close(fd);
    send_int(a->result, r == 1 ? c : -1);
  } else {
    send_int(a->result, fd);
  }
}

struct late_dialer {
  int port;
};

static void late_dialer_main(void *arg) {
  struct late_dialer *d = arg;
  tg_sleep(30 * TG_MILLISECOND);
  int fd = dial_local(d->port);
  if (fd >= 0) {
    tg_write(fd, "D", 1);
    tg_close(fd);
  }
}

/* The brief's case: a goroutine waits in accept, another sleeps then dials;
 * main waits on a channel. */
static void child_accept_and_late_dial(void) {
  int port;
  int lfd = listen_local(&port);
  struct acceptor a = {lfd, tg_chan_make(sizeof(int), 0)};
  struct late_dialer d = {port};
  tg_go(acceptor_main, &a);
  tg_go(late_dialer_main, &d);
  CHECK_EQ(recv_int(a.result), 'D');
  tg_chan_free(a.result);
  tg_close(lfd);
}

static void test_no_deadlock_while_waiting_in_accept(void **state) {
  (void)state;
  expect_child_ok("accept_and_late_dial");
}

/* Stronger: no timer at all, every goroutine blocked (main on a channel,
 * one in accept); only a client outside the runtime (a plain thread) can
 * make progress. Without the I/O waiter count the check would fire here. */
static void *external_client(void *arg) {
  int port = *(int *)arg;
  usleep(30000);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
    ssize_t w = write(fd, "E", 1);
    (void)w;
  }
  close(fd);
  return NULL;
}

static void child_external_client(void) {
  int port;
  int lfd = listen_local(&port);
  struct acceptor a = {lfd, tg_chan_make(sizeof(int), 0)};
  tg_go(acceptor_main, &a);
  pthread_t t;
  CHECK_EQ(pthread_create(&t, NULL, external_client, &port), 0);
  CHECK_EQ(recv_int(a.result), 'E');
  pthread_join(t, NULL);
  tg_chan_free(a.result);
  tg_close(lfd);
}

static void test_no_deadlock_external_client(void **state) {
  (void)state;
  expect_child_ok("external_client");
}

/* Control: the same shape with the acceptor blocked on a channel instead of
 * a socket is a deadlock, and reported as one. */
static void blocked_on_chan_main(void *arg) {
  recv_int(arg);
}

static void child_control_deadlock(void) {
  tg_chan *never = tg_chan_make(sizeof(int), 0);
  tg_chan *result = tg_chan_make(sizeof(int), 0);
  tg_go(blocked_on_chan_main, never);
  recv_int(result);
}

static void test_control_deadlock_is_reported(void **state) {
  (void)state;
  static struct child_result r;
  run_child("control_deadlock", NULL, &r);
  assert_int_equal(r.status, 2);
  assert_non_null(strstr(r.err, "all goroutines are asleep - deadlock!"));
}

int main(int argc, char **argv) {
  static const struct child_scenario children[] = {
      {"accept_and_late_dial", child_accept_and_late_dial},
      {"external_client", child_external_client},
      {"control_deadlock", child_control_deadlock},
      {NULL, NULL},
  };
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_echo_round_trip),
      cmocka_unit_test(test_many_connections_exact_bytes),
      cmocka_unit_test(test_large_write_is_complete),
      cmocka_unit_test(test_deadline_already_expired_fails_at_once),
      cmocka_unit_test(test_deadline_wakes_parked_reader),
      cmocka_unit_test(test_deadline_on_accept),
      cmocka_unit_test(test_deadline_moved_into_past_wakes_reader),
      cmocka_unit_test(test_close_wakes_parked_reader),
      cmocka_unit_test(test_close_wakes_parked_accept),
      cmocka_unit_test(test_close_wakes_reader_and_writer),
      cmocka_unit_test(test_deadline_on_parked_write),
      cmocka_unit_test(test_two_readers_one_socket),
      cmocka_unit_test(test_write_to_closed_peer),
      cmocka_unit_test(test_dial_closed_port_refused),
      cmocka_unit_test(test_listen_bad_addresses),
      cmocka_unit_test(test_ipv6_loopback),
      cmocka_unit_test(test_tcp4_and_host_name),
      cmocka_unit_test(test_unix_socket),
      cmocka_unit_test(test_nonblocking_pipe_parks),
      cmocka_unit_test(test_blocking_pipe_and_no_deadline),
      cmocka_unit_test(test_no_deadlock_while_waiting_in_accept),
      cmocka_unit_test(test_no_deadlock_external_client),
      cmocka_unit_test(test_control_deadlock_is_reported),
  };
  go_child_dispatch(argc, argv, children);
  return go_run_tests("net", tests, sizeof tests / sizeof tests[0]);
}
