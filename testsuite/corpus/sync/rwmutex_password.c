/* Seed 002_86b5fec98460e5da.txt, "The sync.RWMutex type" (rwMutex.go): three
 * show() readers and two Change() writers share Password. Readers may hold
 * the lock together; a writer holds it alone. main is the book's. Sleeps of
 * 4 s and 2 s are 40 ms and 20 ms here.
 *
 * (In the seed, Change prints "Change() UnLocked" after unlocking and show
 * defers its RUnlock; both kept.) The order of lines and which password each
 * reader sees depend on scheduling; the last writer's password wins. */
#include <stdio.h>
#include <tangle.h>

struct secret {
  tg_rwmutex rwm;
  const char *password; /* guarded by rwm */
};

static struct secret *password;
static tg_waitgroup wg;

static void change(const char *pass) {
  printf("Change() function\n");
  tg_rwmutex_lock(&password->rwm);
  printf("Change() Locked\n");
  tg_sleep(40 * TG_MILLISECOND);
  password->password = pass;
  tg_rwmutex_unlock(&password->rwm);
  printf("Change() UnLocked\n");
}

static void show(void *arg) {
  (void)arg;
  tg_rwmutex_rlock(&password->rwm);
  printf("Show function locked!\n");
  tg_sleep(20 * TG_MILLISECOND);
  printf("Pass value: %s\n", password->password);
  tg_rwmutex_runlock(&password->rwm);
  tg_waitgroup_done(&wg);
}

static void changer(void *arg) {
  change(arg);
  tg_waitgroup_done(&wg);
}

int main(void) {
  static struct secret s = {.password = "myPass"};
  password = &s;
  for (int i = 0; i < 3; i++) {
    tg_waitgroup_add(&wg, 1);
    tg_go(show, NULL);
  }
  tg_waitgroup_add(&wg, 1);
  tg_go(changer, "123456");
  tg_waitgroup_add(&wg, 1);
  tg_go(changer, "54321");
  tg_waitgroup_wait(&wg);
  /* Direct access to Password.password */
  printf("Current password value: %s\n", password->password);
  return 0;
}
