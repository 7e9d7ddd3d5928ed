/* race_renew_secondary.c's clean twin: the write is handed to the second
 * reader over a channel before its renewed read, so the read comes after
 * it and renews its secondary cell in place. */
//! races: 0
#define ORDER_WRITE
#include "race_renew_secondary.c"
