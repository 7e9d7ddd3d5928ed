/* grpc#3017 (Resource, missing unlock): the deletion timer's callback
 * returns without unlocking when the entry's deletion was aborted; the
 * callback's goroutine ends holding the client conn's mutex and the next
 * RemoveSubConn waits forever. Fix: unlock on that path. The port emulates
 * time.AfterFunc with a goroutine and forces the abort. */
#include "goker.h"

struct entry {
  bool abort_deleting;
  _Atomic bool fired, stopped;
};

struct ccc {
  tg_mutex mu;
  struct entry *cached;
  bool has_addr;
};

struct after {
  struct ccc *c;
  struct entry *e;
};

static void deletion_timer(void *p) { /* G3: the AfterFunc callback */
  struct after *a = p;
  tg_sleep(1 * MS);
  if (atomic_load(&a->e->stopped))
    return;
  atomic_store(&a->e->fired, true);
  tg_sleep(10 * MS); /* runtime.Gosched(): NewSubConn aborts meanwhile */
  tg_mutex_lock(&a->c->mu);
  if (a->e->abort_deleting) {
    if (fixed)
      tg_mutex_unlock(&a->c->mu);
    return; /* missing unlock */
  }
  a->c->has_addr = false;
  a->c->cached = NULL;
  tg_mutex_unlock(&a->c->mu);
}

static void remove_sub_conn(struct ccc *c) {
  tg_mutex_lock(&c->mu);
  if (!c->has_addr || c->cached) {
    tg_mutex_unlock(&c->mu);
    return;
  }
  struct entry *e = new0(sizeof *e);
  c->cached = e;
  struct after *a = new0(sizeof *a);
  *a = (struct after){c, e};
  GO(deletion_timer, a);
  tg_mutex_unlock(&c->mu);
}

static void new_sub_conn(struct ccc *c) {
  tg_mutex_lock(&c->mu);
  struct entry *e = c->cached;
  if (e) {
    atomic_store(&e->stopped, true); /* entry.cancel(): timer.Stop() */
    if (atomic_load(&e->fired))
      e->abort_deleting = true;
    c->cached = NULL;
  }
  c->has_addr = true;
  tg_mutex_unlock(&c->mu);
}

static void g2(void *p) {
  struct ccc *c = p;
  for (int i = 0; i < 3; i++) {
    remove_sub_conn(c);
    tg_sleep(5 * MS);
    new_sub_conn(c);
    tg_sleep(15 * MS);
  }
}

static void kernel(void) {
  struct ccc *c = new0(sizeof *c);
  new_sub_conn(c);
  GO(g2, c);
}
