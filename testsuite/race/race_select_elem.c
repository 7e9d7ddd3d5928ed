/* norace_select_elem with the orderings taken away: main reads the value a
 * select received before the receiver is done (race with the select's
 * write), and writes the value a select sends while it may be reading it
 * (race with the select's read). */
//! races: 2
//! stderr: receiver\(\) .*norace_select_elem\.c
//! stderr: sender\(\) .*norace_select_elem\.c
#define RACY
#include "norace_select_elem.c"
