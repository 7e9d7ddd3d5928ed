/* Race annotations: synchronization the detector cannot see by itself.
 * No-ops in normal builds; in race builds (TANGLE_RACE defined by
 * `tangle cc -race`) they feed the detector. */
#ifndef TANGLE_RACE_H
#define TANGLE_RACE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

void tg_race_acquire(const void *addr);
void tg_race_release(const void *addr);
void tg_race_read_range(const void *addr, size_t n);
void tg_race_write_range(const void *addr, size_t n);
void tg_race_ignore_begin(void);
void tg_race_ignore_end(void);

#ifdef __cplusplus
}
#endif
#endif /* TANGLE_RACE_H */
