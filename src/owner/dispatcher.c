/* Private dispatchers: a queue that the owner thread services itself while it waits for
 * something (a synchronous run entered on the owner), so the run's workers can call back
 * into the owner without a wait cycle. The queue is a mutex-guarded list (one run's
 * traffic, not the whole process's); once closed, requests go to the owner's queue, so a
 * late event from a finished run is still delivered, after everything queued before. */
#include "owner/owner_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/error.h"

gp_dispatcher_t *gp_dispatcher_private_new(gp_owner_t *o) {
  GP_ASSERT_OWNER(o);
  gp_dispatcher_t *d = gp__xcalloc(1, sizeof *d);
  d->owner = o;
  d->is_private = 1;
  atomic_init(&d->refs, 1);
  pthread_mutex_init(&d->mu, NULL);
  pthread_mutex_lock(&o->mu);
  d->dnext = o->dispatchers;
  if (o->dispatchers) o->dispatchers->dprev = d;
  o->dispatchers = d;
  pthread_mutex_unlock(&o->mu);
  return d;
}

gp_dispatcher_t *gp_dispatcher_ref(gp_dispatcher_t *d) {
  if (d && d->is_private) atomic_fetch_add(&d->refs, 1);
  return d;
}

void gp_dispatcher_wake(gp_dispatcher_t *d) {
  if (d == NULL || !d->is_private) return;
  atomic_fetch_add(&d->seq, 1);
  if (atomic_load(&d->waiting)) gp__futex_wake(&d->seq);
}

int gp__dispatcher_push(gp_dispatcher_t *d, gp__req_t *r) {
  pthread_mutex_lock(&d->mu);
  if (d->closed) {
    pthread_mutex_unlock(&d->mu);
    return gp__owner_enqueue(d->owner, r);
  }
  if (atomic_load(&d->owner->closed)) {
    pthread_mutex_unlock(&d->mu);
    return GP_ERR_OWNER_CLOSED;
  }
  r->enq_ns = gp__mono_ns();
  r->lnext = NULL;
  if (d->tail) d->tail->lnext = r;
  else d->head = r;
  d->tail = r;
  pthread_mutex_unlock(&d->mu);
  gp_dispatcher_wake(d);
  return GP_OK;
}

/* Takes the whole private queue; with `close`, also closes the door. */
static gp__req_t *gp__dispatcher_take(gp_dispatcher_t *d, int close) {
  pthread_mutex_lock(&d->mu);
  gp__req_t *list = d->head;
  d->head = d->tail = NULL;
  if (close) d->closed = 1;
  pthread_mutex_unlock(&d->mu);
  return list;
}

/* Runs (on the owner thread) or rejects (owner closed) a taken list, in order. */
static void gp__run_list(gp_owner_t *o, gp__req_t *list) {
  while (list) {
    gp__req_t *r = list;
    list = r->lnext;
    if (atomic_load(&o->closed)) gp__req_reject(r);
    else gp__req_execute(r);
  }
}

void gp_dispatcher_private_close(gp_dispatcher_t *d) {
  if (d == NULL || !d->is_private) return;
  GP_ASSERT_OWNER(d->owner);
  gp__run_list(d->owner, gp__dispatcher_take(d, 1));
}

void gp_dispatcher_unref(gp_dispatcher_t *d) {
  if (d == NULL || !d->is_private) return;
  if (atomic_fetch_sub(&d->refs, 1) != 1) return;
  gp_owner_t *o = d->owner;
  gp__req_t *list = gp__dispatcher_take(d, 1);
  if (gp_owner_is_owner_thread(o)) {
    gp__run_list(o, list);
  } else {
    while (list) { /* off the owner: hand what is left to the owner's queue */
      gp__req_t *r = list;
      list = r->lnext;
      if (gp__owner_enqueue(o, r) != GP_OK) gp__req_reject(r);
    }
  }
  pthread_mutex_lock(&o->mu);
  if (d->dprev) d->dprev->dnext = d->dnext;
  else o->dispatchers = d->dnext;
  if (d->dnext) d->dnext->dprev = d->dprev;
  pthread_mutex_unlock(&o->mu);
  pthread_mutex_destroy(&d->mu);
  free(d);
}

static void gp__dispatcher_on_cancel(void *ud, int reason) {
  (void)reason;
  gp_dispatcher_wake(ud);
}

int gp_dispatcher_wait_service(gp_dispatcher_t *d, int (*until)(void *ud), void *ud,
                               gp_cancel_t *cancel, int64_t timeout_ms) {
  if (d == NULL || !d->is_private) return GP_ERR_INVALID_ARGUMENT;
  gp_owner_t *o = d->owner;
  GP_ASSERT_OWNER(o);
  uint64_t end = timeout_ms < 0 ? UINT64_MAX : gp__mono_ns() + (uint64_t)timeout_ms * 1000000u;
  uint64_t cb = cancel ? gp_cancel_on(cancel, gp__dispatcher_on_cancel, d) : 0;
  int rc;
  for (;;) {
    uint32_t s = atomic_load(&d->seq);
    gp__req_t *list = gp__dispatcher_take(d, 0);
    int closed = atomic_load(&o->closed);
    while (list) {
      gp__req_t *r = list;
      list = r->lnext;
      if (closed) gp__req_reject(r);
      else gp__req_execute(r);
    }
    if (until && until(ud)) { rc = GP_OK; break; }
    if (closed) {
      gp__run_list(o, gp__dispatcher_take(d, 1)); /* rejects: the owner is closed */
      rc = GP_ERR_OWNER_CLOSED;
      break;
    }
    if ((rc = gp_cancel_reason(cancel)) != 0) break;
    uint64_t now = gp__mono_ns();
    if (now >= end) { rc = GP_ERR_TIMEOUT; break; }
    atomic_store(&d->waiting, 1);
    if (atomic_load(&d->seq) == s)
      gp__futex_wait(&d->seq, s, end == UINT64_MAX ? -1 : (int64_t)(end - now));
    atomic_store(&d->waiting, 0);
  }
  if (cb) gp_cancel_off(cancel, cb);
  return rc;
}

void gp__dispatchers_shutdown(gp_owner_t *o) {
  for (;;) { /* take one non-empty queue at a time, reject outside the owner's lock */
    gp__req_t *list = NULL;
    pthread_mutex_lock(&o->mu);
    for (gp_dispatcher_t *d = o->dispatchers; d && !list; d = d->dnext)
      list = gp__dispatcher_take(d, 1);
    pthread_mutex_unlock(&o->mu);
    if (list == NULL) return;
    while (list) {
      gp__req_t *r = list;
      list = r->lnext;
      gp__req_reject(r);
    }
  }
}
