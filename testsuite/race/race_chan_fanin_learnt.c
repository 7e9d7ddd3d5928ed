/* norace_chan_fanin_learnt with one sender writing its cell again after
 * its send: main's reads of that cell are unordered with the write, however
 * the receiver's learnt entries are kept (race.c). */
//! races: 1
#define WRITE_AFTER_SEND
#include "norace_chan_fanin_learnt.c"
