/* norace_mutex_relock_learnt through a buffered channel: the writer's
 * epoch arrives as an extra entry of the slot's clock and waits in the
 * holder's own extra entry, its vc (and the vc's stamp) unchanged. The
 * unlock must still pass it on: a mutex clock copied from the holder is
 * only rewritten in place while it holds the holder's extra entry
 * (race_sync.c). Twin: race_mutex_relock_learnt_buffered. */
//! races: 0
//! stdout: y=1
#define CH_CAP 1
#include "norace_mutex_relock_learnt.c"
