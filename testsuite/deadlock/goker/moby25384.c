/* moby#25384 (Mixed, misuse of WaitGroup): init adds the number of plugins
 * to the group, but waits inside the loop, after starting only the first
 * plugin's goroutine: Wait needs Dones that are never started. Fix: wait
 * after the loop. */
#include "goker.h"

static void plugin_init(void *p) { tg_waitgroup_done(p); }

static void manager_init(void *p) {
  (void)p;
  int nplugins = 2;
  tg_waitgroup *group = new0(sizeof *group);
  tg_waitgroup_add(group, nplugins);
  for (int i = 0; i < nplugins; i++) {
    GO(plugin_init, group);
    if (!fixed)
      tg_waitgroup_wait(group); /* block here */
  }
  if (fixed)
    tg_waitgroup_wait(group);
}

static void kernel(void) { GO(manager_init, NULL); }
