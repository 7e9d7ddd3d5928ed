/* Force-included (CMakeLists.txt: -include) into every source of the race
 * library. The race build interposes memcpy/memmove/memset so that the
 * plain libc calls clang emits for instrumented code are seen as accesses;
 * the runtime's and the detector's own copies (a channel element copied into
 * a parked peer, a symbolizer cache) are not the program's accesses, so in
 * these sources the names bind to the uninstrumented libc versions instead.
 * gcc honours the label for the calls it generates itself (struct copies)
 * too; build the race library with gcc. */
#ifndef TANGLE_RACE_LIBC_H
#define TANGLE_RACE_LIBC_H
#if defined(TANGLE_RACE) && !defined(__ASSEMBLER__)
#include <stddef.h>
void *memcpy(void *__restrict dst, const void *__restrict src, size_t n) __asm__("tg__libc_memcpy");
void *memmove(void *dst, const void *src, size_t n) __asm__("tg__libc_memmove");
void *memset(void *dst, int c, size_t n) __asm__("tg__libc_memset");
/* realloc's move of the block is a copy too (the runtime's timer heaps,
 * pools and free lists grow with it): forgotten like any freed block, not
 * recorded as the running goroutine's read and write. */
void *realloc(void *p, size_t n) __asm__("tg__libc_realloc");
#endif
#endif
