/* tangle: Go's concurrency model for C.
 *
 * The public API. Names, argument orders and meanings are a contract
 * (shared/design/API.md); additions go after the contract's names, in the same
 * style. Semantics follow the Go specification and memory model. */
#ifndef TANGLE_H
#define TANGLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Time ---------------------------------------------------------------- */
#define TG_NANOSECOND ((int64_t)1)
#define TG_MICROSECOND ((int64_t)1000)
#define TG_MILLISECOND ((int64_t)1000000)
#define TG_SECOND ((int64_t)1000000000)
int64_t tg_now(void);
void tg_sleep(int64_t ns);

/* ---- Goroutines ---------------------------------------------------------- */
typedef void (*tg_func)(void *arg);
uint64_t tg_go(tg_func fn, void *arg);
uint64_t tg_self(void);
void tg_yield(void);
_Noreturn void tg_goexit(void);
int tg_num_goroutine(void);
int tg_maxprocs(int n);
_Noreturn void tg_panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void tg_enter_blocking(void);
void tg_exit_blocking(void);
/* Additions (Go's runtime.LockOSThread/UnlockOSThread): the calling goroutine
 * runs only on its current thread until it unlocks, for libraries with
 * thread-local state (errno aside, which follows goroutines). */
void tg_lock_thread(void);
void tg_unlock_thread(void);

/* ---- Channels ------------------------------------------------------------ */
typedef struct tg_chan tg_chan;
tg_chan *tg_chan_make(size_t elem_size, size_t cap);
void tg_chan_send(tg_chan *c, const void *elem);
bool tg_chan_recv(tg_chan *c, void *elem);
void tg_chan_close(tg_chan *c);
size_t tg_chan_len(tg_chan *c);
size_t tg_chan_cap(tg_chan *c);
void tg_chan_free(tg_chan *c);

/* ---- select -------------------------------------------------------------- */
enum { TG__CASE_SEND = 1, TG__CASE_RECV = 2, TG__CASE_AFTER = 3 };
/* Built only with the macros below; the fields are private. */
typedef struct tg_case {
  int kind_;
  tg_chan *chan_;
  void *elem_;
  bool *ok_;
  int64_t ns_;
} tg_case;
#define TG_SEND(ch, elem_ptr)                                                   \
  ((tg_case){.kind_ = TG__CASE_SEND, .chan_ = (ch), .elem_ = (void *)(elem_ptr)})
#define TG_RECV(ch, elem_ptr, ok_ptr)                                           \
  ((tg_case){.kind_ = TG__CASE_RECV,                                          \
             .chan_ = (ch),                                                   \
             .elem_ = (elem_ptr),                                             \
             .ok_ = (ok_ptr)})
#define TG_AFTER(ns) ((tg_case){.kind_ = TG__CASE_AFTER, .ns_ = (ns)})
int tg_select(tg_case *cases, int n);
int tg_select_nb(tg_case *cases, int n);

/* ---- Timers -------------------------------------------------------------- */
tg_chan *tg_after(int64_t ns);
typedef struct tg_timer tg_timer;
tg_timer *tg_timer_new(int64_t ns);
tg_chan *tg_timer_chan(tg_timer *t);
bool tg_timer_stop(tg_timer *t);
bool tg_timer_reset(tg_timer *t, int64_t ns);
void tg_timer_free(tg_timer *t);
typedef struct tg_ticker tg_ticker;
tg_ticker *tg_ticker_new(int64_t period);
tg_chan *tg_ticker_chan(tg_ticker *t);
void tg_ticker_stop(tg_ticker *t);
void tg_ticker_free(tg_ticker *t);

/* ---- sync ---------------------------------------------------------------- */
/* All-zero memory is a ready value of tg_mutex, tg_rwmutex, tg_waitgroup and
 * tg_once. Fields are private; they are plain integers the runtime accesses
 * atomically. */
typedef struct tg_mutex {
  int32_t state_;
  uint32_t sema_;
} tg_mutex;
void tg_mutex_lock(tg_mutex *m);
bool tg_mutex_trylock(tg_mutex *m);
void tg_mutex_unlock(tg_mutex *m);

typedef struct tg_rwmutex {
  tg_mutex w_;
  uint32_t writer_sema_;
  uint32_t reader_sema_;
  int32_t reader_count_;
  int32_t reader_wait_;
} tg_rwmutex;
void tg_rwmutex_rlock(tg_rwmutex *m);
void tg_rwmutex_runlock(tg_rwmutex *m);
void tg_rwmutex_lock(tg_rwmutex *m);
void tg_rwmutex_unlock(tg_rwmutex *m);
bool tg_rwmutex_tryrlock(tg_rwmutex *m);
bool tg_rwmutex_trylock(tg_rwmutex *m);

typedef struct tg_waitgroup {
  uint64_t state_; /* high 32 bits: counter; low 32 bits: waiters */
  uint32_t sema_;
} tg_waitgroup;
void tg_waitgroup_add(tg_waitgroup *wg, int64_t delta);
void tg_waitgroup_done(tg_waitgroup *wg);
void tg_waitgroup_wait(tg_waitgroup *wg);

typedef struct tg_cond {
  tg_mutex *l_;
  uint32_t wait_;   /* ticket of the next waiter */
  uint32_t notify_; /* ticket of the next waiter to be woken */
  uint32_t lock_;
  void *head_;
  void *tail_;
} tg_cond;
#define TG_COND_INIT(m) ((tg_cond){.l_ = (m)})
void tg_cond_init(tg_cond *c, tg_mutex *m);
void tg_cond_wait(tg_cond *c);
void tg_cond_signal(tg_cond *c);
void tg_cond_broadcast(tg_cond *c);

typedef struct tg_once {
  uint32_t done_;
  tg_mutex m_;
} tg_once;
void tg_once_do(tg_once *o, tg_func fn, void *arg);

typedef struct tg_pool {
  void *(*new_fn_)(void *ctx);
  void *ctx_;
  void *local_; /* per-P caches, allocated on first use */
  void *shared_;
  uint32_t lock_;
} tg_pool;
void tg_pool_init(tg_pool *p, void *(*new_fn)(void *ctx), void *ctx);
void *tg_pool_get(tg_pool *p);
void tg_pool_put(tg_pool *p, void *obj);
void tg_pool_destroy(tg_pool *p, void (*free_fn)(void *obj));

/* ---- context ------------------------------------------------------------- */
typedef struct tg_ctx tg_ctx;
enum { TG_CANCELED = 1, TG_DEADLINE_EXCEEDED = 2 };
tg_ctx *tg_background(void);
tg_ctx *tg_todo(void);
tg_ctx *tg_with_cancel(tg_ctx *parent);
tg_ctx *tg_with_timeout(tg_ctx *parent, int64_t ns);
tg_ctx *tg_with_deadline(tg_ctx *parent, int64_t deadline);
tg_ctx *tg_with_value(tg_ctx *parent, const void *key, void *value);
void tg_cancel(tg_ctx *ctx);
tg_chan *tg_ctx_done(tg_ctx *ctx);
int tg_ctx_err(tg_ctx *ctx);
bool tg_ctx_deadline(tg_ctx *ctx, int64_t *deadline);
void *tg_ctx_value(tg_ctx *ctx, const void *key);
void tg_ctx_release(tg_ctx *ctx);

/* ---- Weighted semaphore -------------------------------------------------- */
typedef struct tg_sem tg_sem;
tg_sem *tg_sem_new(int64_t n);
int tg_sem_acquire(tg_sem *s, tg_ctx *ctx, int64_t n);
bool tg_sem_try_acquire(tg_sem *s, int64_t n);
void tg_sem_release(tg_sem *s, int64_t n);
void tg_sem_free(tg_sem *s);

/* ---- Network I/O --------------------------------------------------------- */
int tg_listen(const char *network, const char *address);
int tg_accept(int listen_fd);
int tg_dial(const char *network, const char *address);
ssize_t tg_read(int fd, void *buf, size_t n);
ssize_t tg_write(int fd, const void *buf, size_t n);
int tg_set_deadline(int fd, int64_t deadline);
int tg_close(int fd);

/* ---- Diagnostics --------------------------------------------------------- */
void tg_dump_goroutines(int fd);
int tg_check_leaks(void);

#ifdef __cplusplus
}
#endif
#endif /* TANGLE_H */
