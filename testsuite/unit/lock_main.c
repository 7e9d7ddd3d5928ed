/* Linked into every unit test: cmocka keeps its state in thread-local
 * variables, so the main goroutine, which runs cmocka, must stay on the main
 * thread (tg_lock_thread, Go's LockOSThread). Runs after the runtime's own
 * constructor (priority 101). */
#include <tangle.h>

__attribute__((constructor(200))) static void lock_main_goroutine(void) {
  tg_lock_thread();
}
