/* kubernetes#6632 (Mixed, Channel & Lock): WriteFrame holds writeLock while
 * it sends on resetChan, which nobody reads; the monitor, told to close,
 * needs writeLock to close resetChan. Fix: the monitor drains resetChan in
 * a goroutine of its own before taking the lock. */
#include "goker.h"

struct framer {
  tg_chan *reset_chan, *close_chan;
  tg_mutex write_lock;
  bool reset_closed;
};

static void drain(void *p) {
  while (tg_chan_recv(p, NULL)) {
  }
}

static void monitor(void *p) { /* G1 */
  struct framer *f = p;
  tg_chan_recv(f->close_chan, NULL);
  if (fixed)
    GO(drain, f->reset_chan);
  tg_mutex_lock(&f->write_lock);
  tg_chan_close(f->reset_chan);
  f->reset_closed = true;
  tg_mutex_unlock(&f->write_lock);
}

static void write_frame(void *p) { /* G2 */
  struct framer *f = p;
  tg_mutex_lock(&f->write_lock);
  if (!f->reset_closed) {
    bool v = true;
    tg_chan_send(f->reset_chan, &v);
  }
  tg_mutex_unlock(&f->write_lock);
}

static void helper(void *p) {
  struct framer *f = p;
  tg_sleep(5 * MS);
  bool v = true;
  tg_chan_send(f->close_chan, &v);
}

static void kernel(void) {
  struct framer *f = new0(sizeof *f);
  f->reset_chan = tg_chan_make(sizeof(bool), 0);
  f->close_chan = tg_chan_make(sizeof(bool), 0);
  GO(helper, f);
  GO(monitor, f);
  GO(write_frame, f);
}
