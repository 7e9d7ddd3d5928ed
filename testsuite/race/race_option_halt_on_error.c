/* halt_on_error=1: the program stops at the first report (race_two_pairs
 * has two races; one is reported), with the exit status, before main
 * finishes. */
//! races: 1
//! options: halt_on_error=1
//! not-stdout: main finished
//! stderr: ^Found 1 data race\(s\)$
#include "race_two_pairs.c"
