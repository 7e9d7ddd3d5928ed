/* Seed 001_3dfe1f1bcc3944a6.txt, "cond": the button click. Three handlers
 * subscribe to the button's Clicked Cond; subscribe returns only once its
 * handler's goroutine is running. Broadcast then wakes all three, and a
 * WaitGroup makes sure their lines are printed before main returns.
 *
 * "Running" is not "waiting": a handler could be woken by a Broadcast it has
 * not yet started to wait for and miss it. The seed takes that risk; the
 * port closes it the way Cond is meant to be used, with a condition checked
 * in a loop (clicked), set under the lock before the Broadcast. Their order
 * is not defined. */
#include <stdbool.h>
#include <stdio.h>
#include <tangle.h>

struct button {
  tg_mutex mu;
  tg_cond clicked;  /* on mu */
  bool was_clicked; /* guarded by mu */
};

static tg_waitgroup click_registered;

struct handler {
  struct button *b;
  void (*fn)(void);
  tg_waitgroup *goroutine_running;
};

static void handler_goroutine(void *arg) {
  struct handler *h = arg;
  struct button *b = h->b;
  void (*fn)(void) = h->fn;
  tg_waitgroup_done(h->goroutine_running); /* h is gone after this */
  tg_mutex_lock(&b->mu);
  while (!b->was_clicked)
    tg_cond_wait(&b->clicked);
  fn();
  tg_mutex_unlock(&b->mu); /* defer c.L.Unlock() */
}

static void subscribe(struct button *b, void (*fn)(void)) {
  tg_waitgroup goroutine_running = {0};
  struct handler h = {b, fn, &goroutine_running};
  tg_waitgroup_add(&goroutine_running, 1);
  tg_go(handler_goroutine, &h);
  tg_waitgroup_wait(&goroutine_running);
}

static void maximize(void) {
  printf("Maximizing window.\n");
  tg_waitgroup_done(&click_registered);
}
static void dialog(void) {
  printf("Displaying annoying dialog box!\n");
  tg_waitgroup_done(&click_registered);
}
static void mouse_clicked(void) {
  printf("Mouse clicked.\n");
  tg_waitgroup_done(&click_registered);
}

int main(void) {
  static struct button button;
  tg_cond_init(&button.clicked, &button.mu);
  tg_waitgroup_add(&click_registered, 3);
  subscribe(&button, maximize);
  subscribe(&button, dialog);
  subscribe(&button, mouse_clicked);

  tg_mutex_lock(&button.mu);
  button.was_clicked = true;
  tg_mutex_unlock(&button.mu);
  tg_cond_broadcast(&button.clicked);
  tg_waitgroup_wait(&click_registered);
  return 0;
}
