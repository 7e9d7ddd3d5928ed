/* The machine-dependent context switch (runtime/switch_amd64.S). */
#ifndef TANGLE_CTXSWITCH_H
#define TANGLE_CTXSWITCH_H

#include <stdint.h>

void tg__ctx_switch(void **save_sp, void *new_sp);
void tg__ctx_start(void);

/* Prepares a stack [lo, hi) so that switching to the returned stack pointer
 * calls entry(arg) on it. */
static inline void *tg__ctx_make(char *hi, void (*entry)(void *), void *arg) {
  uintptr_t top = ((uintptr_t)hi - 16) & ~(uintptr_t)15;
  uint64_t *sp = (uint64_t *)(top - 64);
  sp[0] = 0x1F80 | ((uint64_t)0x037F << 32); /* default MXCSR, x87 control word */
  sp[1] = 0;                                 /* r15 */
  sp[2] = 0;                                 /* r14 */
  sp[3] = (uint64_t)(uintptr_t)entry;        /* r13 */
  sp[4] = (uint64_t)(uintptr_t)arg;          /* r12 */
  sp[5] = 0;                                 /* rbx */
  sp[6] = 0;                                 /* rbp: ends frame-pointer walks */
  sp[7] = (uint64_t)(uintptr_t)tg__ctx_start;
  ((uint64_t *)top)[0] = 0;
  ((uint64_t *)top)[1] = 0;
  return sp;
}

#endif
