/* free/realloc interposition (race build only): memory given back to the
 * allocator forgets its access history and its sync clocks, so that the
 * next owner of those bytes never races with the previous one. Every path
 * that frees goes through free or realloc (glibc's own internal frees call
 * them through the PLT), and allocation itself needs nothing: fresh memory
 * has a clean shadow. Allocation stays libc's (__libc_* entry points). */
#ifdef TANGLE_RACE
#include "race_state.h"

#include <errno.h>
#include <malloc.h>
#include <string.h>

#define TSAN_API __attribute__((visibility("default")))
#define PC()     ((uintptr_t)__builtin_return_address(0))

bool tg__race_from_program(uintptr_t pc);

static void forget(void *p) {
  if (p && tg__race_ready()) {
    size_t n = malloc_usable_size(p);
    tg__shadow_reset((uintptr_t)p, n);
    tg__race_sync_free_range((uintptr_t)p, n);
  }
}

void tg__race_free(void *p) __asm__("free") TSAN_API;
void tg__race_free(void *p) {
  forget(p);
  __libc_free(p);
}

/* A block that must move is copied here, so the copy is the caller's read
 * of the old block and write of the new one. */
static void *move_block(void *p, size_t n, uintptr_t pc, bool program) {
  size_t old = malloc_usable_size(p);
  if (n <= old)
    return p; /* it fits: realloc may return the same block */
  void *q = __libc_malloc(n);
  if (!q)
    return NULL;
  struct tg_race_g *r = program && tg__race_from_program(pc) ? tg__race_cur() : NULL;
  if (r) {
    tg__race_access_range(r, (uintptr_t)p, old, false, pc);
    tg__race_access_range(r, (uintptr_t)q, old, true, pc);
  }
  memcpy(q, p, old);
  forget(p);
  __libc_free(p);
  return q;
}

void *tg__race_realloc(void *p, size_t n) __asm__("realloc") TSAN_API;
void *tg__race_realloc(void *p, size_t n) {
  if (!p)
    return __libc_malloc(n);
  if (!n) {
    tg__race_free(p);
    return NULL;
  }
  return move_block(p, n, PC(), true);
}

/* The runtime's and the detector's own realloc (race_libc.h binds their
 * calls here): the runtime is linked into the program's executable, so the
 * caller's address cannot tell its copies from the program's. */
void *tg__libc_realloc(void *p, size_t n) TSAN_API;
void *tg__libc_realloc(void *p, size_t n) {
  if (!p)
    return __libc_malloc(n);
  if (!n) {
    tg__race_free(p);
    return NULL;
  }
  return move_block(p, n, 0, false);
}

void *tg__race_reallocarray(void *p, size_t n, size_t size) __asm__("reallocarray") TSAN_API;
void *tg__race_reallocarray(void *p, size_t n, size_t size) {
  size_t bytes;
  if (__builtin_mul_overflow(n, size, &bytes)) {
    errno = ENOMEM;
    return NULL;
  }
  if (!p)
    return __libc_malloc(bytes);
  if (!bytes) {
    tg__race_free(p);
    return NULL;
  }
  return move_block(p, bytes, PC(), true);
}
#endif
