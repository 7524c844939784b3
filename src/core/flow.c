/* Flow valves: per-consumer back-pressure. A consumer that falls behind holds its valve;
 * the producer reads gp__flow_held once per chunk (an atomic load) and, when held, stops
 * and waits for a release callback to resume it. Holding is a single atomic store so a
 * consumer may flip it per event; only a release that ends a hold takes the mutex.
 *
 * Locks: `lock` guards the callback list and is held while release callbacks run, which
 * is what lets gp__flow_off promise that its callback is not running once it returns. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/core.h"

typedef struct gp__flow_cb_s {
  struct gp__flow_cb_s *next;
  uint64_t id;
  gp_flow_cb cb;
  void *ud;
} gp__flow_cb_t;

struct gp_flow_s {
  atomic_int refcount;
  atomic_int held;           /* 1 while held; no lock */
  pthread_mutex_t lock;      /* guards cbs and next_id; held while callbacks run */
  gp__flow_cb_t *cbs;        /* registration order */
  uint64_t next_id;
};

gp_flow_t *gp__flow_new(void) {
  gp_flow_t *f = gp__xcalloc(1, sizeof *f);
  atomic_init(&f->refcount, 1);
  atomic_init(&f->held, 0);
  pthread_mutex_init(&f->lock, NULL);
  f->next_id = 1;
  return f;
}

gp_flow_t *gp__flow_ref(gp_flow_t *f) {
  if (f) atomic_fetch_add_explicit(&f->refcount, 1, memory_order_relaxed);
  return f;
}

void gp__flow_unref(gp_flow_t *f) {
  if (!f || atomic_fetch_sub_explicit(&f->refcount, 1, memory_order_acq_rel) != 1) return;
  for (gp__flow_cb_t *c = f->cbs, *n; c; c = n) {
    n = c->next;
    free(c);
  }
  pthread_mutex_destroy(&f->lock);
  free(f);
}

int gp__flow_held(const gp_flow_t *f) {
  return f ? atomic_load_explicit(&((gp_flow_t *)f)->held, memory_order_acquire) : 0;
}

/* Any thread. A release runs the callbacks after the store, so a producer that saw the
 * valve held before this store is resumed by them, and one that reads it afterwards
 * sees it open: no pause is left without its resume. */
void gp__flow_set_held(gp_flow_t *f, int on) {
  if (!f) return;
  if (on) {
    atomic_store_explicit(&f->held, 1, memory_order_release);
    return;
  }
  if (!atomic_exchange_explicit(&f->held, 0, memory_order_acq_rel)) return;
  pthread_mutex_lock(&f->lock);
  for (gp__flow_cb_t *c = f->cbs; c; c = c->next) c->cb(c->ud);
  pthread_mutex_unlock(&f->lock);
}

uint64_t gp__flow_on_release(gp_flow_t *f, gp_flow_cb cb, void *ud) {
  gp__flow_cb_t *e = gp__xmalloc(sizeof *e);
  e->cb = cb;
  e->ud = ud;
  e->next = NULL;
  pthread_mutex_lock(&f->lock);
  uint64_t id = e->id = f->next_id++;
  gp__flow_cb_t **pp = &f->cbs;
  while (*pp) pp = &(*pp)->next;
  *pp = e;
  pthread_mutex_unlock(&f->lock);
  return id;
}

void gp__flow_off(gp_flow_t *f, uint64_t id) {
  if (!f || id == 0) return;
  gp__flow_cb_t *found = NULL;
  pthread_mutex_lock(&f->lock);
  for (gp__flow_cb_t **pp = &f->cbs; *pp; pp = &(*pp)->next) {
    if ((*pp)->id == id) {
      found = *pp;
      *pp = found->next;
      break;
    }
  }
  pthread_mutex_unlock(&f->lock);
  free(found);
}
