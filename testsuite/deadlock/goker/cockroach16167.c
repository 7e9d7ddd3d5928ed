/* cockroach#16167 (Resource, double locking): execParsed read-locks
 * systemConfigMu (through the Cond's RLocker) and, deeper in the same call
 * chain, getDatabaseCache read-locks it again; updateSystemConfig's Lock in
 * between queues a writer, and Go's RWMutex then admits no new reader.
 * Fix: the inner read lock is not taken again. The port lets the writer
 * queue between the two read locks. */
#include "goker.h"

struct executor {
  tg_rwmutex system_config_mu;
};

static void get_database_cache(struct executor *e) {
  tg_rwmutex_rlock(&e->system_config_mu);
  tg_rwmutex_runlock(&e->system_config_mu);
}

static void exec_parsed(struct executor *e) {
  tg_rwmutex_rlock(&e->system_config_mu); /* systemConfigCond.L.Lock() */
  tg_sleep(20 * MS);                      /* the writer queues */
  if (!fixed)
    get_database_cache(e); /* Prepare -> resetForBatch -> getDatabaseCache */
  tg_rwmutex_runlock(&e->system_config_mu);
}

static void start(void *p) { /* G2: updateSystemConfig */
  struct executor *e = p;
  tg_sleep(5 * MS);
  tg_rwmutex_lock(&e->system_config_mu);
  tg_yield();
  tg_rwmutex_unlock(&e->system_config_mu);
}

static void g1(void *p) {
  (void)p;
  struct executor *e = new0(sizeof *e);
  GO(start, e);
  exec_parsed(e);
}

static void kernel(void) { GO(g1, NULL); }
