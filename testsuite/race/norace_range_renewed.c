/* race_range_renewed.c's clean twin: the write is handed back to the
 * clearer before its second clear, which then renews every word. */
//! races: 0
#define ORDER_POKE
#include "race_range_renewed.c"
