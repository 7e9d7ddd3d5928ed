/* Goroutine-aware sockets: the API's Network I/O section.
 *
 * Every socket tangle creates is non-blocking and registered with the poller
 * (netpoll.c) once, edge-triggered. An operation tries its system call
 * first; on EAGAIN the goroutine parks on the fd's descriptor until the
 * poller, a deadline timer or tg_close wakes it, then tries again.
 *
 * Errors are returned as -errno. Choices where Go has its own error values:
 *   - an fd closed by tg_close, before or during an operation: -EBADF
 *     (Go's net.ErrClosed, "use of closed network connection");
 *   - a passed deadline: -ETIMEDOUT (os.ErrDeadlineExceeded);
 *   - an unknown network name: -EPROTONOSUPPORT; a malformed address or
 *     port: -EINVAL; a host name that does not resolve: -ENXIO; a temporary
 *     resolver failure: -EAGAIN.
 *
 * fds that tangle did not create work too: a non-blocking one is registered
 * with the poller at its first use (a regular file, which epoll refuses, is
 * just read), a blocking one is read or written inside
 * tg_enter_blocking/tg_exit_blocking so that its thread's P keeps running
 * goroutines. Such fds must be closed with tg_close while tangle uses them.
 *
 * Concurrent operations and close: an operation holds a reference on the
 * descriptor while it may touch the fd; tg_close marks the descriptor
 * closing, wakes the parked goroutines, and the last reference closes the fd
 * (so its number is never reused under a running read). */
#include "netpoll.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* One system call moves at most this much (Go's maxRW): stays below
 * SSIZE_MAX and lets a deadline or close be noticed between chunks. */
#define NET_MAX_RW  (1 << 30)
#define NET_BACKLOG 4096 /* the kernel caps it to net.core.somaxconn */

/* The race detector's picture of I/O is Go's: every write releases into one
 * process-wide clock, every read acquires it, so a message sent on one
 * socket orders what the sender did before it with what the receiver does
 * after. Only its address is used; never written. */
static char net_io_sync;

/* ---- system calls ----------------------------------------------------------
 * errno is read inside these noinline helpers, on the thread that made the
 * call: a function that parks may resume on another thread, and compilers
 * cache the address of errno across calls they cannot see into. */
#define NOINLINE __attribute__((noinline))

static NOINLINE ssize_t sys_read(int fd, void *buf, size_t n) {
  ssize_t r = read(fd, buf, n);
  return r < 0 ? -errno : r;
}

static NOINLINE ssize_t sys_write(int fd, const void *buf, size_t n, bool is_socket) {
  /* MSG_NOSIGNAL: a peer that went away is an EPIPE, not a SIGPIPE. */
  ssize_t r = is_socket ? send(fd, buf, n, MSG_NOSIGNAL) : write(fd, buf, n);
  return r < 0 ? -errno : r;
}

static NOINLINE int sys_accept(int fd) {
  int r = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
  return r < 0 ? -errno : r;
}

static NOINLINE int sys_connect(int fd, const struct sockaddr *sa, socklen_t len) {
  int r = connect(fd, sa, len);
  return r < 0 ? -errno : r;
}

static NOINLINE int sys_socket(int family, int type, int protocol) {
  int r = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  return r < 0 ? -errno : r;
}

static NOINLINE int sys_bind_listen(int fd, const struct sockaddr *sa, socklen_t len,
                                    bool listen_) {
  if (bind(fd, sa, len) < 0)
    return -errno;
  if (listen_ && listen(fd, NET_BACKLOG) < 0)
    return -errno;
  return 0;
}

static NOINLINE int sys_close(int fd) {
  return close(fd) < 0 ? -errno : 0;
}

static NOINLINE int sys_getfl(int fd) {
  int r = fcntl(fd, F_GETFL);
  return r < 0 ? -errno : r;
}

/* The connect's outcome once the socket is writable: 0, -EINPROGRESS while
 * still connecting, or the error. */
static NOINLINE int sys_connect_result(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
    return -errno;
  if (err == EALREADY || err == EINTR)
    err = EINPROGRESS;
  if (err)
    return -err;
  /* A socket can report writable before its connect completed (an
   * unconnected TCP socket polls as HUP|OUT). */
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
    return errno == ENOTCONN ? -EINPROGRESS : -errno;
  return 0;
}

/* ---- descriptors ----------------------------------------------------------- */

static bool pd_expired(struct tg_polldesc *pd) {
  if (pd->expired)
    return true;
  if (pd->deadline && tg_now() >= pd->deadline) {
    pd->expired = true; /* the timer is on its way; don't wait for it */
    return true;
  }
  return false;
}

/* Forget the previous life of a descriptor whose fd number is reused. */
static void pd_reset_locked(struct tg_polldesc *pd) {
  pd->registered = false;
  pd->closing = false;
  pd->is_socket = false;
  pd->expired = false;
  pd->ready[0] = pd->ready[1] = false;
  pd->deadline = 0;
}

/* Close the fd for real: deregister, reset, close(2). pd->lock held; released
 * on return. */
static int pd_close_unlock(struct tg_polldesc *pd) {
  tg__netpoll_close(pd);
  int fd = pd->fd;
  char *path = pd->unlink_path;
  pd->unlink_path = NULL;
  pd_reset_locked(pd);
  /* Under the lock, so that the number is reused only after this
   * descriptor is reset. */
  int r = sys_close(fd);
  tg__lock_release(&pd->lock);
  if (path) {
    unlink(path);
    free(path);
  }
  return r;
}

/* A socket tangle just created: register it. Returns fd, or -errno with fd
 * closed. */
static int pd_register_new(int fd, bool is_socket) {
  struct tg_polldesc *pd = tg__polldesc(fd);
  if (!pd) {
    sys_close(fd);
    return fd < 0 ? -EBADF : -ENOMEM;
  }
  tg__lock_acquire(&pd->lock);
  if (pd->registered) {
    /* The number was closed with close(2) instead of tg_close: whoever
     * still waits on the old file fails as if tg_close had run. */
    tg__netpoll_close(pd);
    pd_reset_locked(pd);
    tg__polldesc_wake_unlock(pd, 3u, -TG_ERR_CLOSED);
    tg__lock_acquire(&pd->lock);
  }
  pd_reset_locked(pd);
  pd->is_socket = is_socket;
  pd->registered = true;
  int r = tg__netpoll_open(pd);
  if (r < 0) {
    pd->registered = false;
    sys_close(fd);
    tg__lock_release(&pd->lock);
    return r;
  }
  tg__lock_release(&pd->lock);
  return fd;
}

/* Start an operation on fd. On success returns 0 and sets *out to the
 * descriptor, referenced (release it with op_end), or to NULL for an fd
 * that cannot be polled (use a blocking call). An I/O operation (`io`)
 * fails at once on a passed deadline: Go checks before the system call
 * too, so an expired deadline fails even if data is waiting. */
static int op_begin(int fd, struct tg_polldesc **out, bool io) {
  *out = NULL;
  if (fd < 0)
    return -EBADF;
  struct tg_polldesc *pd = tg__polldesc(fd);
  if (!pd)
    return -ENOMEM;
  tg__lock_acquire(&pd->lock);
  if (!pd->registered && !pd->closing) {
    /* Not ours: poll it if it is non-blocking (its owner expects EAGAIN
     * semantics, so parking is right), else leave it blocking. */
    int fl = sys_getfl(fd);
    if (fl < 0 || !(fl & O_NONBLOCK)) {
      tg__lock_release(&pd->lock);
      return fl < 0 ? fl : 0;
    }
    pd_reset_locked(pd);
    int sotype;
    socklen_t sl = sizeof sotype;
    pd->is_socket = getsockopt(fd, SOL_SOCKET, SO_TYPE, &sotype, &sl) == 0;
    pd->registered = true;
    if (tg__netpoll_open(pd) < 0) { /* EPERM: a regular file, always ready */
      pd->registered = false;
      tg__lock_release(&pd->lock);
      return 0;
    }
  }
  int r = pd->closing ? -TG_ERR_CLOSED : io && pd_expired(pd) ? -ETIMEDOUT : 0;
  if (r < 0) {
    tg__lock_release(&pd->lock);
    return r;
  }
  pd->refs++;
  tg__lock_release(&pd->lock);
  *out = pd;
  return 0;
}

static void op_end(struct tg_polldesc *pd) {
  tg__lock_acquire(&pd->lock);
  if (--pd->refs == 0 && pd->closing) {
    pd_close_unlock(pd);
    return;
  }
  tg__lock_release(&pd->lock);
}

/* Between the chunks of a long write: closed, or past the deadline? */
static int op_check(struct tg_polldesc *pd) {
  tg__lock_acquire(&pd->lock);
  int r = pd->closing ? -TG_ERR_CLOSED : pd_expired(pd) ? -ETIMEDOUT : 0;
  tg__lock_release(&pd->lock);
  return r;
}

/* Park until the fd may be ready for `mode`. Returns 0 (try the call again)
 * or -errno (closed, deadline). The caller holds a reference. */
static int pd_wait(struct tg_polldesc *pd, int mode) {
  tg__lock_acquire(&pd->lock);
  if (pd->closing) {
    tg__lock_release(&pd->lock);
    return -TG_ERR_CLOSED;
  }
  if (pd_expired(pd)) {
    tg__lock_release(&pd->lock);
    return -ETIMEDOUT;
  }
  if (pd->ready[mode]) {
    /* An edge came between our EAGAIN and now. */
    pd->ready[mode] = false;
    tg__lock_release(&pd->lock);
    return 0;
  }
  struct tg_pollwaiter w = {.g = tg__getg(), .next = pd->waiters[mode], .result = 0};
  pd->waiters[mode] = &w;
  /* Counted while parked: the global deadlock check must not fire while a
   * goroutine can still be woken by the network. */
  atomic_fetch_add(&tg__sched.nio_waiters, 1);
  tg__wf_wait_begin(pd, TG_RES_IO);
  tg__park(&pd->lock, TG_WAIT_IO, pd);
  tg__wf_wait_end(pd, TG_RES_IO);
  atomic_fetch_sub(&tg__sched.nio_waiters, 1);
  return w.result;
}

/* ---- addresses --------------------------------------------------------------- */

struct net_kind {
  int family; /* AF_UNSPEC for "tcp"/"udp" */
  int socktype;
  int protocol;
  bool is_unix;
};

static int parse_network(const char *network, struct net_kind *k) {
  static const struct {
    const char *name;
    struct net_kind kind;
  } table[] = {
      {"tcp", {AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, false}},
      {"tcp4", {AF_INET, SOCK_STREAM, IPPROTO_TCP, false}},
      {"tcp6", {AF_INET6, SOCK_STREAM, IPPROTO_TCP, false}},
      {"udp", {AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, false}},
      {"udp4", {AF_INET, SOCK_DGRAM, IPPROTO_UDP, false}},
      {"udp6", {AF_INET6, SOCK_DGRAM, IPPROTO_UDP, false}},
      {"unix", {AF_UNIX, SOCK_STREAM, 0, true}},
      {"unixpacket", {AF_UNIX, SOCK_SEQPACKET, 0, true}},
  };
  if (!network)
    return -EINVAL;
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    if (strcmp(network, table[i].name) == 0) {
      *k = table[i].kind;
      return 0;
    }
  }
  return -EPROTONOSUPPORT;
}

/* Go's net.SplitHostPort: "host:port", "[v6]:port", ":port". host and port
 * are copied into the buffers. */
static int split_host_port(const char *addr, char *host, size_t hcap, char *port, size_t pcap) {
  const char *h, *hend, *p;
  if (addr[0] == '[') {
    h = addr + 1;
    hend = strchr(h, ']');
    if (!hend || hend[1] != ':')
      return -EINVAL;
    p = hend + 2;
  } else {
    const char *colon = strrchr(addr, ':');
    if (!colon)
      return -EINVAL; /* missing port */
    h = addr;
    hend = colon;
    if (memchr(h, ':', (size_t)(hend - h)))
      return -EINVAL; /* too many colons: an IPv6 literal needs brackets */
    p = colon + 1;
  }
  size_t hl = (size_t)(hend - h), pl = strlen(p);
  if (hl >= hcap || pl >= pcap || pl == 0)
    return -EINVAL;
  memcpy(host, h, hl);
  host[hl] = '\0';
  memcpy(port, p, pl + 1);
  return 0;
}

static bool is_decimal_port(const char *s) {
  if (!*s)
    return false;
  for (const char *c = s; *c; c++)
    if (*c < '0' || *c > '9')
      return false;
  return true;
}

/* The family of an IP literal, or AF_UNSPEC for a host name. */
static int ip_literal_family(const char *host) {
  unsigned char buf[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, host, buf) == 1)
    return AF_INET;
  char tmp[INET6_ADDRSTRLEN + 64];
  size_t n = strcspn(host, "%"); /* a zone: fe80::1%eth0 */
  if (n >= sizeof tmp)
    return AF_UNSPEC;
  memcpy(tmp, host, n);
  tmp[n] = '\0';
  return inet_pton(AF_INET6, tmp, buf) == 1 ? AF_INET6 : AF_UNSPEC;
}

static int gai_errno(int e, int sys_errno) {
  switch (e) {
  case EAI_SYSTEM:
    return sys_errno ? -sys_errno : -EIO;
  case EAI_MEMORY:
    return -ENOMEM;
  case EAI_AGAIN:
    return -EAGAIN;
  case EAI_FAMILY:
    return -EAFNOSUPPORT;
  case EAI_SERVICE:
  case EAI_BADFLAGS:
  case EAI_SOCKTYPE:
    return -EINVAL;
  default: /* EAI_NONAME, EAI_NODATA, EAI_FAIL */
    return -ENXIO;
  }
}

/* getaddrinfo may block on DNS: give the P away around it. Errors captured
 * here, before tg_exit_blocking can move us to another thread. */
static NOINLINE int resolve_blocking(const char *host, const char *port,
                                     const struct addrinfo *hints, struct addrinfo **res) {
  int e = getaddrinfo(host, port, hints, res);
  return e ? gai_errno(e, errno) : 0;
}

static int resolve(const struct net_kind *k, const char *address, bool passive,
                   struct addrinfo **res) {
  if (!address)
    return -EINVAL;
  char host[256], port[64];
  int r = split_host_port(address, host, sizeof host, port, sizeof port);
  if (r < 0)
    return r;
  struct addrinfo hints = {
      .ai_family = k->family,
      .ai_socktype = k->socktype,
      .ai_protocol = k->protocol,
  };
  if (is_decimal_port(port)) {
    if (strlen(port) > 5 || atoi(port) > 65535)
      return -EINVAL;
    hints.ai_flags |= AI_NUMERICSERV;
  }
  int lit = host[0] ? ip_literal_family(host) : AF_UNSPEC;
  if (lit != AF_UNSPEC && k->family != AF_UNSPEC && lit != k->family)
    return -EAFNOSUPPORT; /* "tcp4" with an IPv6 literal, or the reverse */
  if (host[0] == '\0' || lit != AF_UNSPEC)
    hints.ai_flags |= AI_NUMERICHOST;
  if (passive)
    hints.ai_flags |= AI_PASSIVE; /* empty host: the wildcard address */
  const char *node = host[0] ? host : NULL;
  if ((hints.ai_flags & AI_NUMERICHOST) && (hints.ai_flags & AI_NUMERICSERV))
    return resolve_blocking(node, port, &hints, res); /* no I/O: no need to block */
  tg_enter_blocking();
  r = resolve_blocking(node, port, &hints, res);
  tg_exit_blocking();
  return r;
}

/* Go's choice of the address to listen on: "tcp" ":port" listens dual-stack
 * on the IPv6 wildcard (IPv4 accepted on it too); a host name with both
 * families listens on its IPv4 address. */
static struct addrinfo *pick_listen_addr(const struct net_kind *k, const char *address,
                                         struct addrinfo *list) {
  if (k->family != AF_UNSPEC)
    return list;
  bool wildcard = address[0] == ':' || strncmp(address, "[]:", 3) == 0;
  int want = wildcard ? AF_INET6 : AF_INET;
  for (struct addrinfo *a = list; a; a = a->ai_next)
    if (a->ai_family == want)
      return a;
  return list;
}

static int unix_addr(const char *path, struct sockaddr_un *sa, socklen_t *len) {
  size_t n = path ? strlen(path) : 0;
  if (n == 0 || n >= sizeof sa->sun_path)
    return -EINVAL;
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  memcpy(sa->sun_path, path, n);
  if (path[0] == '@') /* Linux abstract namespace, as Go spells it */
    sa->sun_path[0] = '\0';
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '@' ? 0 : 1));
  return 0;
}

static void set_nodelay(int fd, int family, int socktype) {
  /* Go's default for TCP connections: small writes go out at once. */
  if ((family == AF_INET || family == AF_INET6) && socktype == SOCK_STREAM) {
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
}

/* ---- the API ------------------------------------------------------------------ */

static int listen_unix(const struct net_kind *k, const char *path) {
  struct sockaddr_un sa;
  socklen_t len;
  int r = unix_addr(path, &sa, &len);
  if (r < 0)
    return r;
  int fd = sys_socket(AF_UNIX, k->socktype, 0);
  if (fd < 0)
    return fd;
  r = sys_bind_listen(fd, (struct sockaddr *)&sa, len, true);
  if (r < 0) {
    sys_close(fd);
    return r;
  }
  char *copy = path[0] == '@' ? NULL : strdup(path);
  fd = pd_register_new(fd, true);
  if (fd < 0) {
    if (copy)
      unlink(copy);
    free(copy);
    return fd;
  }
  /* Go removes the socket file when the listener is closed. */
  struct tg_polldesc *pd = tg__polldesc(fd);
  tg__lock_acquire(&pd->lock);
  pd->unlink_path = copy;
  tg__lock_release(&pd->lock);
  return fd;
}

int tg_listen(const char *network, const char *address) {
  struct net_kind k;
  int r = parse_network(network, &k);
  if (r < 0)
    return r;
  if (k.is_unix)
    return listen_unix(&k, address);
  if (k.socktype != SOCK_STREAM)
    return -EPROTONOSUPPORT; /* Go: Listen("udp") is ListenPacket's job */
  struct addrinfo *list;
  r = resolve(&k, address, true, &list);
  if (r < 0)
    return r;
  struct addrinfo *first = pick_listen_addr(&k, address, list);
  int err = -EADDRNOTAVAIL;
  /* The preferred entry first, then the others in order. */
  for (int pass = 0; pass < 2; pass++)
    for (struct addrinfo *a = list; a; a = a->ai_next) {
      if ((pass == 0) != (a == first))
        continue;
      int fd = sys_socket(a->ai_family, a->ai_socktype, a->ai_protocol);
      if (fd < 0) {
        err = fd;
        continue;
      }
      int one = 1, zero = 0;
      (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (a->ai_family == AF_INET6) {
        /* "tcp6" is IPv6 only; "tcp" on an IPv6 address also takes IPv4
         * when it is the wildcard. */
        int *v = k.family == AF_INET6 ? &one : &zero;
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, v, sizeof *v);
      }
      r = sys_bind_listen(fd, a->ai_addr, a->ai_addrlen, true);
      if (r < 0) {
        sys_close(fd);
        err = r;
        /* A host name's other addresses are the same host: Go takes the
         * first only; so do we, unless the family is not supported here. */
        if (r == -EAFNOSUPPORT || r == -EADDRNOTAVAIL)
          continue;
        freeaddrinfo(list);
        return err;
      }
      freeaddrinfo(list);
      return pd_register_new(fd, true);
    }
  freeaddrinfo(list);
  return err;
}

int tg_accept(int listen_fd) {
  struct tg_polldesc *pd;
  int r = op_begin(listen_fd, &pd, true);
  if (r < 0)
    return r;
  if (!pd) {
    /* A blocking listener that tangle did not create. */
    tg_enter_blocking();
    int fd = sys_accept(listen_fd);
    tg_exit_blocking();
    return fd < 0 ? fd : pd_register_new(fd, true);
  }
  while (r == 0) {
    int fd = sys_accept(listen_fd);
    if (fd >= 0) {
      struct sockaddr_storage ss;
      socklen_t sl = sizeof ss;
      if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        set_nodelay(fd, ss.ss_family, SOCK_STREAM);
      r = pd_register_new(fd, true);
      break;
    }
    /* A connection reset before we took it is not the listener's error. */
    if (fd == -EINTR || fd == -ECONNABORTED)
      continue;
    if (fd != -EAGAIN) {
      r = fd;
      break;
    }
    r = pd_wait(pd, TG_POLL_READ);
  }
  op_end(pd);
  return r;
}

/* Connect a fresh socket to one address. Returns the registered fd or
 * -errno (the socket closed). */
static int dial_one(int family, int socktype, int protocol, const struct sockaddr *sa,
                    socklen_t len) {
  int fd = sys_socket(family, socktype, protocol);
  if (fd < 0)
    return fd;
  int r = sys_connect(fd, sa, len);
  if (r < 0 && r != -EINPROGRESS && r != -EINTR) {
    sys_close(fd);
    return r;
  }
  set_nodelay(fd, family, socktype);
  /* Registered after connect: an unconnected TCP socket would first report
   * a meaningless HUP. */
  fd = pd_register_new(fd, true);
  if (fd < 0 || r == 0)
    return fd;
  struct tg_polldesc *pd;
  r = op_begin(fd, &pd, false);
  if (r < 0 || !pd) {
    tg_close(fd);
    return r < 0 ? r : -EBADF;
  }
  for (;;) {
    r = pd_wait(pd, TG_POLL_WRITE);
    if (r < 0)
      break;
    r = sys_connect_result(fd);
    if (r != -EINPROGRESS)
      break;
  }
  op_end(pd);
  if (r < 0) {
    tg_close(fd);
    return r;
  }
  return fd;
}

int tg_dial(const char *network, const char *address) {
  struct net_kind k;
  int r = parse_network(network, &k);
  if (r < 0)
    return r;
  if (k.is_unix) {
    struct sockaddr_un sa;
    socklen_t len;
    r = unix_addr(address, &sa, &len);
    if (r < 0)
      return r;
    return dial_one(AF_UNIX, k.socktype, 0, (struct sockaddr *)&sa, len);
  }
  struct addrinfo *list;
  r = resolve(&k, address, false, &list);
  if (r < 0)
    return r;
  /* Go's dialSerial: every address in order; the first error is kept. */
  int first_err = 0;
  for (struct addrinfo *a = list; a; a = a->ai_next) {
    int fd = dial_one(a->ai_family, a->ai_socktype, a->ai_protocol, a->ai_addr, a->ai_addrlen);
    if (fd >= 0) {
      freeaddrinfo(list);
      return fd;
    }
    if (!first_err)
      first_err = fd;
  }
  freeaddrinfo(list);
  return first_err ? first_err : -EADDRNOTAVAIL;
}

ssize_t tg_read(int fd, void *buf, size_t n) {
  struct tg_polldesc *pd;
  ssize_t r = op_begin(fd, &pd, true);
  if (r < 0)
    return r;
  size_t chunk = n > NET_MAX_RW ? NET_MAX_RW : n;
  if (!pd) {
    tg_enter_blocking();
    do
      r = sys_read(fd, buf, chunk);
    while (r == -EINTR);
    tg_exit_blocking();
  } else {
    /* A zero-length read only reports whether the fd is usable. */
    while (r == 0 && n > 0) {
      r = sys_read(fd, buf, chunk);
      if (r >= 0)
        break;
      if (r == -EINTR)
        r = 0;
      else if (r == -EAGAIN)
        r = pd_wait(pd, TG_POLL_READ);
    }
    op_end(pd);
  }
  if (r >= 0)
    tg__race_acquire(&net_io_sync);
  if (TG_RACE_ENABLED && r > 0)
    tg__race_write_range_g(tg__getg(), buf, (size_t)r, __builtin_return_address(0));
  return r;
}

ssize_t tg_write(int fd, const void *buf, size_t n) {
  struct tg_polldesc *pd;
  ssize_t r = op_begin(fd, &pd, true);
  if (r < 0)
    return r;
  if (TG_RACE_ENABLED && n > 0) {
    tg__race_read_range_g(tg__getg(), buf, n, __builtin_return_address(0));
    tg__race_release_merge(&net_io_sync);
  }
  const char *p = buf;
  size_t done = 0;
  if (!pd) {
    tg_enter_blocking();
    while (done < n) {
      size_t chunk = n - done > NET_MAX_RW ? NET_MAX_RW : n - done;
      r = sys_write(fd, p + done, chunk, false);
      if (r == -EINTR)
        continue;
      if (r <= 0)
        break;
      done += (size_t)r;
    }
    tg_exit_blocking();
  } else {
    bool is_socket = pd->is_socket; /* fixed while we hold a reference */
    while (r >= 0 && done < n) {
      size_t chunk = n - done > NET_MAX_RW ? NET_MAX_RW : n - done;
      r = sys_write(fd, p + done, chunk, is_socket);
      if (r > 0) {
        done += (size_t)r;
        /* Between chunks of a long write, notice a close or deadline. */
        if (done < n)
          r = op_check(pd);
      } else if (r == -EINTR) {
        r = 0;
      } else if (r == -EAGAIN) {
        r = pd_wait(pd, TG_POLL_WRITE);
      } else if (r == 0) {
        r = -EIO; /* no progress and no error: never loop on it */
      }
    }
    op_end(pd);
  }
  if (r < 0)
    return r;
  if (done < n)
    return -EIO;
  return (ssize_t)n;
}

static void deadline_fire(void *arg, int64_t now) {
  (void)now;
  struct tg_polldesc *pd = arg;
  tg__lock_acquire(&pd->lock);
  /* A firing for a deadline since moved or cleared, or for an fd since
   * closed, is stale. */
  if (!pd->registered || pd->closing || pd->deadline == 0 || tg_now() < pd->deadline) {
    tg__lock_release(&pd->lock);
    return;
  }
  pd->expired = true;
  tg__polldesc_wake_unlock(pd, 3u, -ETIMEDOUT);
}

int tg_set_deadline(int fd, int64_t deadline) {
  struct tg_polldesc *pd;
  int r = op_begin(fd, &pd, false);
  if (r < 0)
    return r;
  if (!pd)
    return -ENOTSUP; /* Go: os.ErrNoDeadline for files that cannot be polled */
  if (deadline < 0)
    deadline = 1; /* long past */
  tg__lock_acquire(&pd->timer_lock);
  tg__lock_acquire(&pd->lock);
  bool arm = false;
  if (pd->closing) {
    r = -TG_ERR_CLOSED;
    tg__lock_release(&pd->lock);
  } else {
    pd->deadline = deadline;
    pd->expired = false;
    if (deadline && pd_expired(pd)) {
      tg__polldesc_wake_unlock(pd, 3u, -ETIMEDOUT);
    } else {
      arm = deadline != 0;
      tg__lock_release(&pd->lock);
    }
  }
  if (r == 0) {
    tg__timer_del(&pd->timer);
    if (arm) {
      if (!pd->timer.f) { /* never changes after: a late firing may read it */
        pd->timer.f = deadline_fire;
        pd->timer.arg = pd;
      }
      tg__timer_add(&pd->timer, deadline);
    }
  }
  tg__lock_release(&pd->timer_lock);
  op_end(pd);
  return r;
}

int tg_close(int fd) {
  if (fd < 0)
    return -EBADF;
  struct tg_polldesc *pd = tg__polldesc(fd);
  if (!pd)
    return sys_close(fd);
  tg__lock_acquire(&pd->timer_lock);
  tg__lock_acquire(&pd->lock);
  int r = 0;
  if (pd->closing) {
    r = -TG_ERR_CLOSED;
    tg__lock_release(&pd->lock);
  } else if (!pd->registered) {
    r = sys_close(fd);
    tg__lock_release(&pd->lock);
  } else {
    pd->closing = true;
    pd->deadline = 0;
    if (pd->refs == 0)
      r = pd_close_unlock(pd);
    else /* the last of them closes the fd */
      tg__polldesc_wake_unlock(pd, 3u, -TG_ERR_CLOSED);
    tg__timer_del(&pd->timer);
  }
  tg__lock_release(&pd->timer_lock);
  return r;
}
