/* memcpy/memmove/memset seen as accesses (race build only).
 *
 * clang 14 instruments a copy by calling plain memcpy (gcc emits
 * __tsan_{read,write}_range around it), so the race build defines these
 * three symbols for the whole process. A call counts as the program's
 * accesses only when it comes from the executable's own code: shared
 * libraries (libdw, libunwind, libc itself) are not the program, and the
 * race library's own sources bind memcpy to tg__libc_memcpy instead
 * (race_libc.h). The copy itself is libc's, reached through its
 * __*_chk entry points (not interposed; called through a volatile pointer
 * so the compiler cannot fold them back into memcpy). */
#ifdef TANGLE_RACE
#include "race_state.h"

#include <link.h>

#define TSAN_API __attribute__((visibility("default")))
#define PC()     ((uintptr_t)__builtin_return_address(0))

void *__memcpy_chk(void *d, const void *s, size_t n, size_t dn);
void *__memmove_chk(void *d, const void *s, size_t n, size_t dn);
void *__memset_chk(void *d, int c, size_t n, size_t dn);
static void *(*volatile real_memcpy)(void *, const void *, size_t, size_t) = __memcpy_chk;
static void *(*volatile real_memmove)(void *, const void *, size_t, size_t) = __memmove_chk;
static void *(*volatile real_memset)(void *, int, size_t, size_t) = __memset_chk;

/* The executable's code, set once by tg__race_mem_init before any
 * goroutine state exists. */
static uintptr_t exe_lo, exe_hi;

static int find_exe(struct dl_phdr_info *info, size_t size, void *data) {
  (void)size, (void)data;
  /* The first object is the executable itself. */
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
      uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
      if (!exe_lo || lo < exe_lo)
        exe_lo = lo;
      if (hi > exe_hi)
        exe_hi = hi;
    }
  }
  return 1;
}

void tg__race_mem_init(void) {
  dl_iterate_phdr(find_exe, NULL);
}

bool tg__race_from_program(uintptr_t pc) {
  return pc - exe_lo < exe_hi - exe_lo;
}

static inline struct tg_race_g *program_caller(uintptr_t pc, size_t n) {
  return n && tg__race_from_program(pc) ? tg__race_cur() : NULL;
}

void *tg__race_memcpy(void *d, const void *s, size_t n) __asm__("memcpy") TSAN_API;
void *tg__race_memcpy(void *d, const void *s, size_t n) {
  uintptr_t pc = PC();
  struct tg_race_g *r = program_caller(pc, n);
  if (r) {
    tg__race_access_range(r, (uintptr_t)s, n, false, pc);
    tg__race_access_range(r, (uintptr_t)d, n, true, pc);
  }
  return real_memcpy(d, s, n, (size_t)-1);
}

void *tg__race_memmove(void *d, const void *s, size_t n) __asm__("memmove") TSAN_API;
void *tg__race_memmove(void *d, const void *s, size_t n) {
  uintptr_t pc = PC();
  struct tg_race_g *r = program_caller(pc, n);
  if (r) {
    tg__race_access_range(r, (uintptr_t)s, n, false, pc);
    tg__race_access_range(r, (uintptr_t)d, n, true, pc);
  }
  return real_memmove(d, s, n, (size_t)-1);
}

void *tg__race_memset(void *d, int c, size_t n) __asm__("memset") TSAN_API;
void *tg__race_memset(void *d, int c, size_t n) {
  uintptr_t pc = PC();
  struct tg_race_g *r = program_caller(pc, n);
  if (r)
    tg__race_access_range(r, (uintptr_t)d, n, true, pc);
  return real_memset(d, c, n, (size_t)-1);
}

/* What the race library's own sources call (race_libc.h). */
void *tg__libc_memcpy_fn(void *d, const void *s, size_t n) __asm__("tg__libc_memcpy");
void *tg__libc_memcpy_fn(void *d, const void *s, size_t n) {
  return real_memcpy(d, s, n, (size_t)-1);
}
void *tg__libc_memmove_fn(void *d, const void *s, size_t n) __asm__("tg__libc_memmove");
void *tg__libc_memmove_fn(void *d, const void *s, size_t n) {
  return real_memmove(d, s, n, (size_t)-1);
}
void *tg__libc_memset_fn(void *d, int c, size_t n) __asm__("tg__libc_memset");
void *tg__libc_memset_fn(void *d, int c, size_t n) {
  return real_memset(d, c, n, (size_t)-1);
}
#endif
