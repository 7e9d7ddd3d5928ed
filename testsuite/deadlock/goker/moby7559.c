/* moby#7559 (Resource, double locking): the UDP proxy's Run continues its
 * loop after a failed dial without unlocking connTrackLock, and the next
 * iteration locks it again. Fix: unlock before continuing. The port's dial
 * always fails. */
#include "goker.h"

struct proxy {
  tg_mutex conn_track_lock;
};

static void run(void *p) {
  struct proxy *pr = p;
  int i;
  for (i = 0; i < 2; i++) {
    tg_mutex_lock(&pr->conn_track_lock);
    bool err = true; /* net.DialUDP("udp", nil, nil) */
    if (err) {
      if (fixed)
        tg_mutex_unlock(&pr->conn_track_lock);
      continue; /* missing unlock */
    }
    if (i == 0)
      break;
  }
  if (!fixed || i < 2)
    tg_mutex_unlock(&pr->conn_track_lock);
}

static void kernel(void) { GO(run, new0(sizeof(struct proxy))); }
