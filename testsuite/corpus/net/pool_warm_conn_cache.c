/* Seed 001_3dfe1f1bcc3944a6.txt, "pool": the network daemon, without and
 * with a warm cache of service connections. connectToService stands for an
 * expensive set-up (1 s in the seed, 5 ms here). The plain daemon connects
 * for every request; the pooled one fills a Pool with ten connections first
 * and then only Gets and Puts. The seed's benchmark (dial, read all, close)
 * becomes ten requests against each daemon.
 *
 * Each daemon listens on 127.0.0.1 with a kernel-chosen port (the seed's
 * localhost:8080 would collide with parallel runs). The port prints what each
 * request read and how many service connections each daemon made; timings go
 * to stderr. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <tangle.h>

static atomic_int service_connections;

static void *connect_to_service(void *ctx) {
  (void)ctx;
  tg_sleep(5 * TG_MILLISECOND);
  atomic_fetch_add(&service_connections, 1);
  return malloc(1); /* struct{}{} */
}

static tg_pool *warm_service_conn_cache(void) {
  tg_pool *p = malloc(sizeof *p);
  tg_pool_init(p, connect_to_service, NULL);
  for (int i = 0; i < 10; i++)
    tg_pool_put(p, connect_to_service(NULL));
  return p;
}

struct daemon {
  bool pooled;
  tg_waitgroup started;
  char addr[64];
};

static void daemon_goroutine(void *arg) {
  struct daemon *d = arg;
  tg_pool *conn_pool = d->pooled ? warm_service_conn_cache() : NULL;
  int server = tg_listen("tcp", "127.0.0.1:0");
  if (server < 0) {
    fprintf(stderr, "cannot listen: %s\n", strerror(-server));
    exit(1);
  }
  struct sockaddr_in sa;
  socklen_t sl = sizeof sa;
  getsockname(server, (struct sockaddr *)&sa, &sl);
  snprintf(d->addr, sizeof d->addr, "127.0.0.1:%d", ntohs(sa.sin_port));
  tg_waitgroup_done(&d->started);
  for (;;) {
    int conn = tg_accept(server);
    if (conn < 0) {
      fprintf(stderr, "cannot accept connection: %s\n", strerror(-conn));
      continue;
    }
    if (conn_pool) {
      void *svc_conn = tg_pool_get(conn_pool);
      tg_write(conn, "\n", 1); /* fmt.Fprintln(conn, "") */
      tg_pool_put(conn_pool, svc_conn);
    } else {
      free(connect_to_service(NULL));
      tg_write(conn, "\n", 1);
    }
    tg_close(conn);
  }
}

static struct daemon *start_network_daemon(bool pooled) {
  struct daemon *d = calloc(1, sizeof *d);
  d->pooled = pooled;
  tg_waitgroup_add(&d->started, 1);
  tg_go(daemon_goroutine, d);
  return d;
}

/* BenchmarkNetworkRequest, b.N = n: returns the bytes read in total. */
static long network_requests(const char *addr, int n) {
  long total = 0;
  for (int i = 0; i < n; i++) {
    int conn = tg_dial("tcp", addr);
    if (conn < 0) {
      fprintf(stderr, "cannot dial host: %s\n", strerror(-conn));
      exit(1);
    }
    char buf[64];
    ssize_t r;
    while ((r = tg_read(conn, buf, sizeof buf)) > 0) /* ioutil.ReadAll(conn) */
      total += r;
    if (r < 0) {
      fprintf(stderr, "cannot read: %s\n", strerror((int)-r));
      exit(1);
    }
    tg_close(conn);
  }
  return total;
}

int main(void) {
  for (int pooled = 0; pooled <= 1; pooled++) {
    atomic_store(&service_connections, 0);
    struct daemon *d = start_network_daemon(pooled);
    tg_waitgroup_wait(&d->started); /* daemonStarted.Wait() */
    int warm = atomic_load(&service_connections);
    int64_t start = tg_now();
    long bytes = network_requests(d->addr, 10);
    int64_t took = tg_now() - start;
    printf("%s: 10 requests read %ld bytes; service connections: %d before, %d after\n",
           pooled ? "pooled" : "plain", bytes, warm, atomic_load(&service_connections));
    fprintf(stderr, "%s: %.3f ms/request\n", pooled ? "pooled" : "plain", (double)took / 10 / 1e6);
  }
  return 0;
}
