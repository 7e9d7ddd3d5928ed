/* Seed 001_3dfe1f1bcc3944a6.txt, "livelocks": Alice and Barbara in a
 * hallway. Each tries to step left, then right, five times; every step waits
 * for the common cadence (a Cond broadcast on every tick of a 1 ms ticker).
 * Moving together, each sees the other in the same direction and gives way:
 * busy, never stuck, never getting anywhere.
 *
 * Whether a walker ever succeeds depends on whether the two stay in step
 * (the seed's run: both toss their hands up). The Go program prints each
 * walker's buffer when it finishes; the port collects both and prints them
 * in a fixed order, and the expectation accepts success or giving up. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <tangle.h>

static tg_mutex cadence_mu;
static tg_cond cadence; /* on cadence_mu, set up by main */

static void ticker(void *arg) {
  (void)arg;
  tg_ticker *t = tg_ticker_new(TG_MILLISECOND); /* time.Tick(1 * time.Millisecond) */
  for (;;) {
    tg_chan_recv(tg_ticker_chan(t), NULL);
    tg_cond_broadcast(&cadence);
  }
}

static void take_step(void) {
  tg_mutex_lock(&cadence_mu);
  tg_cond_wait(&cadence);
  tg_mutex_unlock(&cadence_mu);
}

struct buffer {
  char text[512];
  size_t len;
};

static void bprintf(struct buffer *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b->text + b->len, sizeof b->text - b->len, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < sizeof b->text - b->len)
    b->len += (size_t)n;
}

static atomic_int left, right; /* people trying to move in each direction */

static bool try_dir(const char *dir_name, atomic_int *dir, struct buffer *out) {
  bprintf(out, " %s", dir_name);
  atomic_fetch_add(dir, 1);
  take_step();
  if (atomic_load(dir) == 1) {
    bprintf(out, ". Success!");
    return true;
  }
  take_step();
  atomic_fetch_add(dir, -1);
  return false;
}

static bool try_left(struct buffer *out) {
  return try_dir("left", &left, out);
}
static bool try_right(struct buffer *out) {
  return try_dir("right", &right, out);
}

static tg_waitgroup people_in_hallway;

struct walker {
  const char *name;
  struct buffer out;
};

static void walk(void *arg) {
  struct walker *w = arg;
  bprintf(&w->out, "%s is trying to scoot:", w->name);
  for (int i = 0; i < 5; i++) {
    if (try_left(&w->out) || try_right(&w->out))
      goto done;
  }
  bprintf(&w->out, "\n%s tosses her hands up in exasperation!", w->name);
done:
  tg_waitgroup_done(&people_in_hallway);
}

int main(void) {
  tg_cond_init(&cadence, &cadence_mu); /* sync.NewCond(&sync.Mutex{}) */
  tg_go(ticker, NULL);
  static struct walker alice = {.name = "Alice"}, barbara = {.name = "Barbara"};
  tg_waitgroup_add(&people_in_hallway, 2);
  tg_go(walk, &alice);
  tg_go(walk, &barbara);
  tg_waitgroup_wait(&people_in_hallway);
  printf("%s\n%s\n", alice.out.text, barbara.out.text);
  return 0;
}
