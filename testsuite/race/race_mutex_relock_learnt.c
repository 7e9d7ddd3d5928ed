/* Twin of norace_mutex_relock_learnt: the holder's last unlock comes
 * before its receive, so the writer's y does not reach `next`. */
//! races: 1
//! stderr: writer\(\)|next\(\)
#define RECV_AFTER_UNLOCK
#include "norace_mutex_relock_learnt.c"
