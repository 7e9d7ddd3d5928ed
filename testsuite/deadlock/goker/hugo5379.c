/* hugo#5379 (Resource, double locking): a page's content init starts a
 * goroutine that holds contentInitMu while rendering shortcodes; rendering
 * counts the page's words, which runs initPlain(lock=true) and locks
 * contentInitMu again (inside plainInit's Once). Fix (here): the render
 * goroutine does not hold contentInitMu while rendering. */
#include "goker.h"

struct page {
  tg_once content_init, plain_init;
  tg_mutex content_init_mu;
};

struct plain_arg {
  struct page *p;
  bool lock;
};

static void word_count(struct page *p, bool lock);

static void plain_init(void *arg) {
  struct plain_arg *a = arg;
  if (a->lock) {
    tg_mutex_lock(&a->p->content_init_mu); /* double locking */
    tg_mutex_unlock(&a->p->content_init_mu);
  }
}

static void init_plain(struct page *p, bool lock) {
  struct plain_arg a = {p, lock};
  tg_once_do(&p->plain_init, plain_init, &a);
}

struct render {
  struct page *p;
  tg_chan *c;
};

static void prepare_for_render(void *arg) { /* G2 */
  struct render *r = arg;
  if (!fixed)
    tg_mutex_lock(&r->p->content_init_mu);
  word_count(r->p, true); /* a shortcode renders with the page */
  if (!fixed)
    tg_mutex_unlock(&r->p->content_init_mu);
  int err = 0;
  tg_chan_send(r->c, &err);
}

static void content_init(void *arg) {
  struct page *p = arg;
  struct render *r = new0(sizeof *r);
  r->p = p;
  r->c = tg_chan_make(sizeof(int), 1);
  GO(prepare_for_render, r);
  tg_case cs[] = {TG_AFTER(TG_MILLISECOND), TG_RECV(r->c, NULL, NULL)};
  tg_select(cs, 2);
}

static void word_count(struct page *p, bool lock) {
  tg_once_do(&p->content_init, content_init, p); /* initContent */
  init_plain(p, lock);
}

struct renderer {
  struct page *p;
  tg_waitgroup *wg;
};

static void page_renderer(void *arg) { /* G3 */
  struct renderer *r = arg;
  word_count(r->p, true);
  tg_waitgroup_done(r->wg);
}

static void g1(void *arg) {
  (void)arg;
  struct page *p = new0(sizeof *p);
  tg_waitgroup *wg = new0(sizeof *wg);
  struct renderer *r = new0(sizeof *r);
  *r = (struct renderer){p, wg};
  tg_waitgroup_add(wg, 1);
  GO(page_renderer, r);
  tg_waitgroup_wait(wg);
}

static void kernel(void) { GO(g1, NULL); }
