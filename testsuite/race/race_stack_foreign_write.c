/* norace_stack_foreign_write with the owner also storing to its local
 * before the writer's store is ordered after it: one race on the local
 * (owner vs writer), and only that one: the later goroutines reusing the
 * stack are not reported against either. */
//! races: 1
//! env: TANGLE_MAXPROCS=1
//! stderr: body\(\) .*stack_foreign_write\.c
//! stderr: writer\(\) .*stack_foreign_write\.c
#define OWNER_WRITES_TOO
#include "norace_stack_foreign_write.c"
