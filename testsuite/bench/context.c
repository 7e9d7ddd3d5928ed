/* Context create/cancel: n times, a cancelable child of a cancelable parent
 * is created and released (cancel + drop: C's `defer cancel()`). The parent
 * being cancelable makes each child register with it, as in real code.
 * One op = one create/cancel pair. */
#include "bench.h"
#include <tangle.h>

int main(int argc, char **argv) {
  long n = bench_ops(argc, argv, 1000000);
  tg_ctx *parent = tg_with_cancel(tg_background());
  long canceled = 0;
  int64_t t0 = bench_now();
  for (long i = 0; i < n; i++) {
    tg_ctx *c = tg_with_cancel(parent);
    tg_cancel(c);
    canceled += tg_ctx_err(c) == TG_CANCELED;
    tg_ctx_release(c);
  }
  int64_t t1 = bench_now();
  bench_check(canceled == n && tg_ctx_err(parent) == 0, "children canceled, parent not");
  tg_ctx_release(parent);
  bench_report("context", t1 - t0, n, NULL);
  return 0;
}
