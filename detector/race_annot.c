/* include/tangle/race.h: annotations for synchronization the detector
 * cannot see. Real in the race build; empty functions in the normal build
 * (so that annotated code links against either library). */
#include "tangle/race.h"

#ifdef TANGLE_RACE
#include "race_state.h"

#define PC() ((uintptr_t)__builtin_return_address(0))

void tg__race_ignore(int delta) {
  struct tg_race_g *r = tg__race_cur();
  if (!r)
    return;
  r->ignore += delta;
  if (r->ignore < 0)
    r->ignore = 0;
  tg__race_refresh_fast(r);
}

void tg_race_acquire(const void *addr) {
  tg__race_acquire(addr);
}

void tg_race_release(const void *addr) {
  tg__race_release_merge(addr);
}

void tg_race_read_range(const void *addr, size_t n) {
  struct tg_race_g *r = tg__race_cur();
  if (r && n)
    tg__race_access_range(r, (uintptr_t)addr, n, false, PC());
}

void tg_race_write_range(const void *addr, size_t n) {
  struct tg_race_g *r = tg__race_cur();
  if (r && n)
    tg__race_access_range(r, (uintptr_t)addr, n, true, PC());
}

void tg_race_ignore_begin(void) {
  tg__race_ignore(1);
}

void tg_race_ignore_end(void) {
  tg__race_ignore(-1);
}

#else

void tg_race_acquire(const void *addr) {
  (void)addr;
}
void tg_race_release(const void *addr) {
  (void)addr;
}
void tg_race_read_range(const void *addr, size_t n) {
  (void)addr, (void)n;
}
void tg_race_write_range(const void *addr, size_t n) {
  (void)addr, (void)n;
}
void tg_race_ignore_begin(void) {}
void tg_race_ignore_end(void) {}

#endif
