/* Stress of the network poller under GOMAXPROCS=2, with exact invariants:
 *   echo   100 concurrent connections, each doing ping-pong rounds of
 *          varying sizes; every byte comes back to its sender, and the
 *          server's byte count equals the clients' sum;
 *   churn  many short connections opened and closed concurrently; each
 *          carries one message whose echo is checked;
 *   close  readers parked on sockets while other goroutines close them at
 *          arbitrary moments: every read ends (data, EOF or -EBADF), none
 *          hangs, and no goroutine stays counted as an I/O waiter;
 *   deadline  reads with short deadlines racing with late writers: a read
 *          gets data or -ETIMEDOUT, and after clearing the deadline the
 *          remaining bytes arrive: the totals are exact.
 * Exits 0 on success; a failed check prints its line and aborts. Only
 * 127.0.0.1. */
#include <tangle.h>

#include "rt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define CHECK(c)                                                                                   \
  do {                                                                                             \
    if (!(c)) {                                                                                    \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                        \
      abort();                                                                                     \
    }                                                                                              \
  } while (0)

static char server_addr[64];

static int port_of(int fd) {
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  CHECK(getsockname(fd, (struct sockaddr *)&sa, &len) == 0);
  return ntohs(sa.sin_port);
}

static ssize_t read_full(int fd, void *buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = tg_read(fd, (char *)buf + got, n - got);
    if (r <= 0)
      return r < 0 ? r : (ssize_t)got;
    got += (size_t)r;
  }
  return (ssize_t)got;
}

static unsigned char pat(long id, long round, size_t i) {
  return (unsigned char)(id * 131 + round * 17 + (long)i * 7);
}

/* ---- the echo server ------------------------------------------------------ */

static _Atomic int64_t server_bytes;
static _Atomic int server_conns_done; /* connections the server finished */

static void echo_conn(void *arg) {
  int fd = (int)(intptr_t)arg;
  char buf[8192];
  ssize_t r;
  while ((r = tg_read(fd, buf, sizeof buf)) > 0) {
    if (tg_write(fd, buf, (size_t)r) != r)
      break;
    atomic_fetch_add(&server_bytes, r);
  }
  tg_close(fd);
  atomic_fetch_add(&server_conns_done, 1);
}

static void server(void *arg) {
  int lfd = (int)(intptr_t)arg;
  for (;;) {
    int fd = tg_accept(lfd);
    if (fd < 0) {
      CHECK(fd == -EBADF); /* the listener closed at the end */
      return;
    }
    tg_go(echo_conn, (void *)(intptr_t)fd);
  }
}

/* ---- echo: 100 connections, ping-pong ---------------------------------------- */

#define ECHO_CONNS  100
#define ECHO_ROUNDS 200
static _Atomic int64_t client_bytes;
static tg_waitgroup clients_wg;

static void echo_client(void *arg) {
  long id = (long)(intptr_t)arg;
  int fd = tg_dial("tcp", server_addr);
  CHECK(fd >= 0);
  unsigned char out[6000], in[6000];
  for (long r = 0; r < ECHO_ROUNDS; r++) {
    size_t n = 1 + (size_t)((id * 7919 + r * 104729) % (long)sizeof out);
    for (size_t i = 0; i < n; i++)
      out[i] = pat(id, r, i);
    CHECK(tg_write(fd, out, n) == (ssize_t)n);
    CHECK(read_full(fd, in, n) == (ssize_t)n);
    CHECK(memcmp(in, out, n) == 0);
    atomic_fetch_add(&client_bytes, (int64_t)n);
  }
  CHECK(tg_close(fd) == 0);
  tg_waitgroup_done(&clients_wg);
}

/* ---- churn: short connections ------------------------------------------------- */

#define CHURN_WORKERS 20
#define CHURN_EACH    100

static void churn_worker(void *arg) {
  long id = (long)(intptr_t)arg;
  for (long k = 0; k < CHURN_EACH; k++) {
    int fd = tg_dial("tcp", server_addr);
    CHECK(fd >= 0);
    unsigned char out[100], in[100];
    size_t n = 1 + (size_t)((id + k) % 100);
    for (size_t i = 0; i < n; i++)
      out[i] = pat(id, k, i);
    CHECK(tg_write(fd, out, n) == (ssize_t)n);
    CHECK(read_full(fd, in, n) == (ssize_t)n);
    CHECK(memcmp(in, out, n) == 0);
    atomic_fetch_add(&client_bytes, (int64_t)n);
    CHECK(tg_close(fd) == 0);
  }
  tg_waitgroup_done(&clients_wg);
}

/* ---- close races ---------------------------------------------------------------- */

#define CLOSE_PAIRS 50
struct close_race {
  int fd;   /* our end, read by the reader, closed by the closer */
  int peer; /* the other end: writes a few bytes, then closes */
  long id;
  _Atomic int reader_result; /* 1 data/EOF/EBADF seen and loop ended */
  tg_waitgroup *wg;
};

static void close_reader(void *arg) {
  struct close_race *c = arg;
  char buf[64];
  for (;;) {
    ssize_t r = tg_read(c->fd, buf, sizeof buf);
    if (r > 0)
      continue;
    CHECK(r == 0 || r == -EBADF);
    break;
  }
  atomic_store(&c->reader_result, 1);
  tg_waitgroup_done(c->wg);
}

static void close_closer(void *arg) {
  struct close_race *c = arg;
  /* Close at a different point of the reader's life each time. */
  for (long i = 0; i < c->id % 7; i++)
    tg_yield();
  if (c->id % 3 == 0)
    tg_sleep((c->id % 5) * TG_MILLISECOND);
  if (c->id % 2)
    CHECK(tg_write(c->peer, "abc", 3) == 3);
  CHECK(tg_close(c->fd) == 0);
  CHECK(tg_close(c->peer) == 0);
  tg_waitgroup_done(c->wg);
}

/* ---- deadlines racing with data ----------------------------------------------------- */

#define DL_PAIRS 40
#define DL_BYTES 3000
struct dl_race {
  int rfd, wfd;
  long id;
  _Atomic int timeouts;
  tg_waitgroup *wg;
};

static void dl_writer(void *arg) {
  struct dl_race *d = arg;
  unsigned char buf[DL_BYTES];
  for (size_t i = 0; i < DL_BYTES; i++)
    buf[i] = pat(d->id, 0, i);
  /* Slices with pauses: some reads time out, some don't. */
  for (size_t off = 0; off < DL_BYTES; off += 500) {
    tg_sleep(((d->id + (long)off) % 4) * TG_MILLISECOND);
    CHECK(tg_write(d->wfd, buf + off, 500) == 500);
  }
  tg_waitgroup_done(d->wg);
}

static void dl_reader(void *arg) {
  struct dl_race *d = arg;
  unsigned char buf[DL_BYTES];
  size_t got = 0;
  while (got < DL_BYTES) {
    CHECK(tg_set_deadline(d->rfd, tg_now() + TG_MILLISECOND) == 0);
    ssize_t r = tg_read(d->rfd, buf + got, DL_BYTES - got);
    if (r == -ETIMEDOUT) {
      atomic_fetch_add(&d->timeouts, 1);
      continue;
    }
    CHECK(r > 0);
    got += (size_t)r;
  }
  CHECK(tg_set_deadline(d->rfd, 0) == 0);
  for (size_t i = 0; i < DL_BYTES; i++)
    CHECK(buf[i] == pat(d->id, 0, i));
  tg_waitgroup_done(d->wg);
}

int main(void) {
  tg_maxprocs(2);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  int base_waiters = atomic_load(&tg__sched.nio_waiters);
  int lfd = tg_listen("tcp", "127.0.0.1:0");
  CHECK(lfd >= 0);
  snprintf(server_addr, sizeof server_addr, "127.0.0.1:%d", port_of(lfd));
  tg_go(server, (void *)(intptr_t)lfd);

  /* echo, then churn: every client checks its own echoes */
  tg_waitgroup_add(&clients_wg, ECHO_CONNS);
  for (long i = 0; i < ECHO_CONNS; i++)
    tg_go(echo_client, (void *)(intptr_t)i);
  tg_waitgroup_wait(&clients_wg);
  printf("echo: %d connections x %d rounds ok\n", ECHO_CONNS, ECHO_ROUNDS);
  tg_waitgroup_add(&clients_wg, CHURN_WORKERS);
  for (long i = 0; i < CHURN_WORKERS; i++)
    tg_go(churn_worker, (void *)(intptr_t)i);
  tg_waitgroup_wait(&clients_wg);
  printf("churn: %d x %d connections ok\n", CHURN_WORKERS, CHURN_EACH);

  /* The byte count the clients must have had echoed, computed apart. */
  int64_t expect = 0;
  for (long i = 0; i < ECHO_CONNS; i++)
    for (long r = 0; r < ECHO_ROUNDS; r++)
      expect += 1 + (i * 7919 + r * 104729) % 6000;
  for (long i = 0; i < CHURN_WORKERS; i++)
    for (long k = 0; k < CHURN_EACH; k++)
      expect += 1 + (i + k) % 100;
  CHECK(atomic_load(&client_bytes) == expect);
  /* Every connection reaches the server (even one closed before it was
   * accepted); it finishes each after its client's close. */
  while (atomic_load(&server_conns_done) < ECHO_CONNS + CHURN_WORKERS * CHURN_EACH)
    tg_sleep(TG_MILLISECOND);
  CHECK(atomic_load(&server_conns_done) == ECHO_CONNS + CHURN_WORKERS * CHURN_EACH);
  CHECK(atomic_load(&server_bytes) == expect);

  /* close races, on connections that bypass the echo server: the listener
   * hands the accepted end to us, not to the server goroutine, so these are
   * made on a second listener. */
  int lfd2 = tg_listen("tcp", "127.0.0.1:0");
  CHECK(lfd2 >= 0);
  char addr2[64];
  snprintf(addr2, sizeof addr2, "127.0.0.1:%d", port_of(lfd2));
  static struct close_race cr[CLOSE_PAIRS];
  tg_waitgroup crwg = {0};
  for (long i = 0; i < CLOSE_PAIRS; i++) {
    int a = tg_dial("tcp", addr2), b;
    CHECK(a >= 0);
    b = tg_accept(lfd2);
    CHECK(b >= 0);
    cr[i] = (struct close_race){.fd = b, .peer = a, .id = i, .wg = &crwg};
  }
  tg_waitgroup_add(&crwg, 2 * CLOSE_PAIRS);
  for (long i = 0; i < CLOSE_PAIRS; i++) {
    tg_go(close_reader, &cr[i]);
    tg_go(close_closer, &cr[i]);
  }
  tg_waitgroup_wait(&crwg);
  for (long i = 0; i < CLOSE_PAIRS; i++)
    CHECK(atomic_load(&cr[i].reader_result) == 1);
  printf("close: %d races ok\n", CLOSE_PAIRS);

  /* deadlines */
  static struct dl_race dl[DL_PAIRS];
  tg_waitgroup dlwg = {0};
  for (long i = 0; i < DL_PAIRS; i++) {
    int a = tg_dial("tcp", addr2), b;
    CHECK(a >= 0);
    b = tg_accept(lfd2);
    CHECK(b >= 0);
    dl[i] = (struct dl_race){.rfd = b, .wfd = a, .id = i, .wg = &dlwg};
  }
  tg_waitgroup_add(&dlwg, 2 * DL_PAIRS);
  for (long i = 0; i < DL_PAIRS; i++) {
    tg_go(dl_reader, &dl[i]);
    tg_go(dl_writer, &dl[i]);
  }
  tg_waitgroup_wait(&dlwg);
  int timeouts = 0;
  for (long i = 0; i < DL_PAIRS; i++) {
    timeouts += atomic_load(&dl[i].timeouts);
    tg_close(dl[i].rfd);
    tg_close(dl[i].wfd);
  }
  printf("deadline: %d pairs ok (%d reads timed out)\n", DL_PAIRS, timeouts);

  /* Shut down: closing the listener ends the server's accept loop. */
  CHECK(tg_close(lfd2) == 0);
  CHECK(tg_close(lfd) == 0);
  while (atomic_load(&tg__sched.nio_waiters) != base_waiters)
    tg_sleep(TG_MILLISECOND); /* the server goroutine leaving accept */
  printf("server echoed %lld bytes, clients sent %lld\n", (long long)atomic_load(&server_bytes),
         (long long)atomic_load(&client_bytes));
  return 0;
}
