/* cockroach#9935 (Resource, double locking): outputLogEntry holds the
 * logger's mutex when createFile fails, and exit locks it again. Fix:
 * release it before exiting. The port's createFile always fails. */
#include "goker.h"

struct logging {
  tg_mutex mu;
};

static void log_exit(struct logging *l) {
  tg_mutex_lock(&l->mu);
  tg_mutex_unlock(&l->mu);
}

static void output_log_entry(void *p) {
  struct logging *l = p;
  tg_mutex_lock(&l->mu);
  bool failed = true; /* createFile() */
  if (failed && fixed) {
    tg_mutex_unlock(&l->mu);
    log_exit(l);
    return;
  }
  if (failed)
    log_exit(l);
  tg_mutex_unlock(&l->mu);
}

static void kernel(void) { GO(output_log_entry, new0(sizeof(struct logging))); }
