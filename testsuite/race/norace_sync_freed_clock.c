/* Twin of race_sync_freed_clock: main waits on the old group before
 * freeing it, so the worker's write is ordered before main's read. */
//! races: 0
//! stdout: x=1 same=1
#define WAIT_OLD_GROUP
#include "race_sync_freed_clock.c"
