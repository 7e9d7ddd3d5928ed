/* FIFO queues of waiting goroutines (sudogs), as in Go's chan.go. Inline:
 * every channel operation, select and semaphore wait goes through them.
 * Included by rt.h once struct tg_g is complete. */
#ifndef TANGLE_WAITQ_H
#define TANGLE_WAITQ_H

static inline void tg__waitq_enqueue(struct tg_waitq *q, struct tg_sudog *s) {
  s->next = NULL;
  s->prev = q->last;
  if (q->last)
    q->last->next = s;
  else
    q->first = s;
  q->last = s;
}

static inline void tg__waitq_remove(struct tg_waitq *q, struct tg_sudog *s) {
  if (s->prev)
    s->prev->next = s->next;
  else if (q->first == s)
    q->first = s->next;
  else
    return; /* not in this queue */
  if (s->next)
    s->next->prev = s->prev;
  else
    q->last = s->prev;
  s->next = s->prev = NULL;
}

/* Takes the first waiter that can still be woken: a goroutine blocked in a
 * select sits in several queues, and only the first waker to claim it
 * (select_done 0 -> 1) may complete its select. */
static inline struct tg_sudog *tg__waitq_dequeue(struct tg_waitq *q) {
  for (;;) {
    struct tg_sudog *s = q->first;
    if (!s)
      return NULL;
    q->first = s->next;
    if (q->first)
      q->first->prev = NULL;
    else
      q->last = NULL;
    s->next = s->prev = NULL;
    if (s->is_select) {
      uint32_t zero = 0;
      if (!atomic_compare_exchange_strong(&s->g->select_done, &zero, 1))
        continue;
    }
    return s;
  }
}

#endif
