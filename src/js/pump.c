/* The event pump: one owner request at a time services every run that has events
 * waiting, round robin, for at most a time slice, then queues itself again behind
 * whatever else was posted meanwhile.
 *
 * Why: with one owner request per run that has events, a thousand streaming runs keep
 * a thousand requests queued, and a tool call or a timer posted behind them waits for
 * all of them (seconds in a burst). Through the pump the queue holds one events
 * request, so anything else posted to the owner waits at most one slice. The events
 * themselves wait in their runs' queues, whose length the runs bound with
 * back-pressure on their streams (runq.c).
 *
 * Items are listed at most once (`listed`, under the pump's lock); the list holds a
 * reference on each, taken by the caller of gp__pump_mark and dropped with
 * item->release after the item was serviced or, when the owner is closing and it never
 * will be, without service. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/core.h"
#include "js/js_private.h"

struct gp__pump_s {
  atomic_int refs;
  gp_dispatcher_t *d;             /* the owner's own dispatcher (lives with the owner) */
  const char *op;                 /* the owner request's name in the statistics */
  uint64_t slice_ns;
  pthread_mutex_t lock;
  gp__pump_item_t *head, *tail;   /* under lock */
  int posted;                     /* a request is queued or running; under lock */
};

/* One posted request: whether it ran tells its free what is left to do. */
typedef struct {
  gp__pump_t *p;
  int ran;
} gp__pump_post_t;

gp__pump_t *gp__pump_new(gp_dispatcher_t *d, const char *op, uint64_t slice_us) {
  gp__pump_t *p = gp__xcalloc(1, sizeof *p);
  atomic_init(&p->refs, 1);
  p->d = d;
  p->op = op;
  p->slice_ns = slice_us * 1000u;
  pthread_mutex_init(&p->lock, NULL);
  return p;
}

gp__pump_t *gp__pump_ref(gp__pump_t *p) {
  atomic_fetch_add(&p->refs, 1);
  return p;
}

void gp__pump_unref(gp__pump_t *p) {
  if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1) return;
  pthread_mutex_destroy(&p->lock);
  free(p);
}

/* With the lock held: unlists and returns the first item, or NULL. An item is
 * unlisted only as it leaves, so one marked again meanwhile is never linked twice. */
static gp__pump_item_t *gp__pump_take_locked(gp__pump_t *p) {
  gp__pump_item_t *it = p->head;
  if (it == NULL) return NULL;
  p->head = it->next;
  if (p->head == NULL) p->tail = NULL;
  it->next = NULL;
  it->listed = 0;
  return it;
}

/* Unlists every item and releases it unserviced (the owner will not run the pump).
 * One item at a time under the lock, as the pump itself takes them: an item marked
 * again meanwhile (its post refused too, which drops again from another thread) is
 * then taken by whichever drop comes to it first. */
static void gp__pump_drop_all(gp__pump_t *p) {
  pthread_mutex_lock(&p->lock);
  p->posted = 0;
  gp__pump_item_t *it;
  while ((it = gp__pump_take_locked(p)) != NULL) {
    pthread_mutex_unlock(&p->lock);
    it->release(it, 0);
    pthread_mutex_lock(&p->lock);
  }
  pthread_mutex_unlock(&p->lock);
}

static void gp__pump_run(void *arg);

static void gp__pump_post_free(void *arg) {
  gp__pump_post_t *q = arg;
  gp__pump_t *p = q->p;
  if (!q->ran) gp__pump_drop_all(p); /* rejected: the owner is closing */
  free(q);
  gp__pump_unref(p);
}

/* With `posted` already set by the caller: queues the request. When the owner refuses
 * it, its free runs at once without it and drops everything listed. */
static void gp__pump_post(gp__pump_t *p) {
  gp__pump_post_t *q = gp__xcalloc(1, sizeof *q);
  q->p = gp__pump_ref(p);
  gp_dispatcher_post(p->d, p->op, gp__pump_run, q, gp__pump_post_free);
}

int gp__pump_mark(gp__pump_t *p, gp__pump_item_t *it) {
  pthread_mutex_lock(&p->lock);
  if (it->listed) {
    pthread_mutex_unlock(&p->lock);
    return 0;
  }
  it->listed = 1;
  it->next = NULL;
  if (p->tail) p->tail->next = it;
  else p->head = it;
  p->tail = it;
  int post = !p->posted;
  p->posted = 1;
  pthread_mutex_unlock(&p->lock);
  if (post) gp__pump_post(p);
  return 1;
}

/* Owner: services listed items in order until the list is empty or the slice is over;
 * items listed meanwhile go to the tail and are serviced in this turn or the next. */
static void gp__pump_run(void *arg) {
  gp__pump_post_t *q = arg;
  gp__pump_t *p = q->p;
  q->ran = 1;
  uint64_t end = gp__mono_ns() + p->slice_ns;
  for (;;) {
    pthread_mutex_lock(&p->lock);
    gp__pump_item_t *it = gp__pump_take_locked(p);
    if (it == NULL) {
      p->posted = 0;
      pthread_mutex_unlock(&p->lock);
      return;
    }
    pthread_mutex_unlock(&p->lock);
    it->service(it);
    it->release(it, 1);
    if (gp__mono_ns() < end) continue;
    pthread_mutex_lock(&p->lock);
    int more = p->head != NULL;
    if (!more) p->posted = 0;
    pthread_mutex_unlock(&p->lock);
    if (more) gp__pump_post(p); /* `posted` stays set: the next turn is ours */
    return;
  }
}
