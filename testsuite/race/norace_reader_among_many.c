/* race_reader_among_many.c's clean twin: the first reader is joined too
 * (it sends on a channel main receives before writing), so main's write is
 * ordered after all five reads, wherever their cells went. */
//! races: 0
#define JOIN_EARLY_READER
#include "race_reader_among_many.c"
