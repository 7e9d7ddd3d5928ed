/* __tsan_atomic{8,16,32,64,128}_* and the fences (race build only).
 *
 * Each operation is performed for real and synchronizes by its memory
 * order, C11's model: an acquire load takes the clock that the release
 * (sequence) it reads from left; a release store replaces that clock, a
 * release read-modify-write joins it; a relaxed write by another goroutine
 * ends the sequence. Fences are modelled too, unlike TSan
 * (google/sanitizers#1415): a release fence makes the goroutine's later
 * relaxed writes carry its clock as of the fence, and an acquire fence
 * takes the clocks its earlier relaxed loads saw. The access itself is
 * recorded as atomic: it races with plain accesses, never with atomics.
 *
 * The operation runs under its address's detector lock (race_sync.c), so
 * the value read and the clock acquired belong together; 128-bit ones rely
 * on that lock for their atomicity too (no libatomic needed). */
#ifdef TANGLE_RACE
#include "race_state.h"

#define TSAN_API __attribute__((visibility("default")))
#define PC()     ((uintptr_t)__builtin_return_address(0))
#define SC       __ATOMIC_SEQ_CST

typedef int tsan_mo;

/* gcc ORs flags into the order (MEMMODEL_SYNC, HLE): they do not change
 * the semantics. */
static inline int mo_of(tsan_mo mo) {
  return mo & 0x7fff;
}

struct op {
  struct tg_race_g *r;
  tg__lock *lock;
  uintptr_t addr;
};

static inline struct op op_begin(volatile void *a, unsigned size, bool write, uintptr_t pc,
                                 bool lock_always) {
  struct op o = {tg__race_cur(), NULL, (uintptr_t)a};
  if (o.r && o.r->ignore)
    o.r = NULL;
  if (o.r && tg__app_addr(o.addr) && tg__shadow_ready()) {
    tg__race_access_slow(o.r, o.addr, size, write, true, pc, true);
  } else {
    o.r = NULL;
  }
  if (o.r || lock_always) {
    o.lock = tg__race_atomic_lock(o.addr);
    tg__lock_acquire(o.lock);
  }
  return o;
}

static inline void op_end(struct op *o, int kind, tsan_mo mo) {
  bool released = o->r && tg__race_atomic_sync(o->r, o->addr, kind, mo_of(mo));
  if (o->lock)
    tg__lock_release(o->lock);
  if (released)
    tg__race_tick(o->r);
}

#define BIG(sz) ((sz) > 8)

#define DEFINE_ATOMICS(bits, T)                                                                    \
  TSAN_API T __tsan_atomic##bits##_load(const volatile T *a, tsan_mo mo) {                         \
    struct op o = op_begin((volatile void *)a, sizeof(T), false, PC(), BIG(sizeof(T)));            \
    T v = BIG(sizeof(T)) ? *(const T *)a : __atomic_load_n(a, SC);                                 \
    op_end(&o, TG_ATOMIC_LOAD, mo);                                                                \
    return v;                                                                                      \
  }                                                                                                \
  TSAN_API void __tsan_atomic##bits##_store(volatile T *a, T v, tsan_mo mo) {                      \
    struct op o = op_begin(a, sizeof(T), true, PC(), BIG(sizeof(T)));                              \
    if (BIG(sizeof(T)))                                                                            \
      *(T *)a = v;                                                                                 \
    else                                                                                           \
      __atomic_store_n(a, v, SC);                                                                  \
    op_end(&o, TG_ATOMIC_STORE, mo);                                                               \
  }                                                                                                \
  DEFINE_RMW(bits, T, exchange, new_ = v)                                                          \
  DEFINE_RMW(bits, T, fetch_add, new_ = (T)(old + v))                                              \
  DEFINE_RMW(bits, T, fetch_sub, new_ = (T)(old - v))                                              \
  DEFINE_RMW(bits, T, fetch_and, new_ = old & v)                                                   \
  DEFINE_RMW(bits, T, fetch_or, new_ = old | v)                                                    \
  DEFINE_RMW(bits, T, fetch_xor, new_ = old ^ v)                                                   \
  DEFINE_RMW(bits, T, fetch_nand, new_ = (T) ~(old & v))                                           \
  TSAN_API int __tsan_atomic##bits##_compare_exchange_strong(volatile T *a, T *c, T v, tsan_mo mo, \
                                                             tsan_mo fmo) {                        \
    struct op o = op_begin(a, sizeof(T), true, PC(), BIG(sizeof(T)));                              \
    bool ok;                                                                                       \
    if (BIG(sizeof(T))) {                                                                          \
      ok = *(T *)a == *c;                                                                          \
      if (ok)                                                                                      \
        *(T *)a = v;                                                                               \
      else                                                                                         \
        *c = *(T *)a;                                                                              \
    } else {                                                                                       \
      ok = __atomic_compare_exchange_n(a, c, v, false, SC, SC);                                    \
    }                                                                                              \
    op_end(&o, ok ? TG_ATOMIC_RMW : TG_ATOMIC_LOAD, ok ? mo : fmo);                                \
    return ok;                                                                                     \
  }                                                                                                \
  TSAN_API int __tsan_atomic##bits##_compare_exchange_weak(volatile T *a, T *c, T v, tsan_mo mo,   \
                                                           tsan_mo fmo) {                          \
    return __tsan_atomic##bits##_compare_exchange_strong(a, c, v, mo, fmo);                        \
  }                                                                                                \
  TSAN_API T __tsan_atomic##bits##_compare_exchange_val(volatile T *a, T c, T v, tsan_mo mo,       \
                                                        tsan_mo fmo) {                             \
    __tsan_atomic##bits##_compare_exchange_strong(a, &c, v, mo, fmo);                              \
    return c;                                                                                      \
  }

#define DEFINE_RMW(bits, T, name, compute)                                                         \
  TSAN_API T __tsan_atomic##bits##_##name(volatile T *a, T v, tsan_mo mo) {                        \
    struct op o = op_begin(a, sizeof(T), true, PC(), BIG(sizeof(T)));                              \
    T old, new_;                                                                                   \
    if (BIG(sizeof(T))) {                                                                          \
      old = *(T *)a;                                                                               \
      compute;                                                                                     \
      *(T *)a = new_;                                                                              \
    } else {                                                                                       \
      old = __atomic_load_n(a, __ATOMIC_RELAXED);                                                  \
      do {                                                                                         \
        compute;                                                                                   \
      } while (!__atomic_compare_exchange_n(a, &old, new_, true, SC, __ATOMIC_RELAXED));           \
    }                                                                                              \
    op_end(&o, TG_ATOMIC_RMW, mo);                                                                 \
    return old;                                                                                    \
  }

DEFINE_ATOMICS(8, int8_t)
DEFINE_ATOMICS(16, int16_t)
DEFINE_ATOMICS(32, int32_t)
DEFINE_ATOMICS(64, int64_t)
DEFINE_ATOMICS(128, __int128)

TSAN_API void __tsan_atomic_thread_fence(tsan_mo m) {
  int mo = mo_of(m);
  __atomic_thread_fence(SC);
  struct tg_race_g *r = tg__race_cur();
  if (!r || !tg__race_ready())
    return;
  if ((mo == 1 || mo == 2 || mo == 4 || mo == 5) && r->acq_pending && r->acq_pending->n) {
    struct tg_clock pending = {.base = r->acq_pending};
    tg__race_clock_acquire(r, &pending);
    /* Dropped, not cleared in place: the goroutine may have adopted it. */
    tg__vc_unref(r->acq_pending);
    r->acq_pending = NULL;
  }
  if (mo == 3 || mo == 4 || mo == 5) {
    tg__race_clock_into(r, &r->fence_rel, false);
    tg__race_tick(r);
  }
}

/* Orders a goroutine with its own signal handlers: no synchronization
 * between goroutines. */
TSAN_API void __tsan_atomic_signal_fence(tsan_mo mo) {
  (void)mo;
  __atomic_signal_fence(SC);
}
#endif
