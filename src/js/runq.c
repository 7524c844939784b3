/* The per-run event queue of the JS runtime: a run's sink queues its events in publish
 * order; the owner drains them into the run's JS `onEvent` (through the event pump,
 * pump.c, for async runs; through posts to the run's private dispatcher for a
 * synchronous run()), then settles an async run after its last event.
 *
 * Back-pressure: a run whose queue reaches GP__EVENTS_HIGH events holds its provider
 * stream (gp_run_set_backpressure) until the owner has taken it down to
 * GP__EVENTS_LOW, so a run the owner cannot keep up with waits in the network instead
 * of growing in memory. Each run holds only itself: a synchronous run() is never held
 * by the backlog of runs it keeps waiting. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/core.h"
#include "geppetto/cancel.h"
#include "geppetto/session.h"
#include "inference/internal.h"
#include "js/js_private.h"
#include "js/runq.h"

/* Undelivered events at which a run holds its stream. A network read delivers up to
 * one read buffer of events past it (~100), so a run keeps at most a few hundred. */
#define GP__EVENTS_HIGH 64
/* ... and lets it go on once the owner has taken it down to this many, so the stream
 * refills while the owner still has events to deliver. */
#define GP__EVENTS_LOW 16
/* Events one turn of a run on the pump delivers at most. */
#define GP__EVENTS_BATCH 64
/* How long one event pump request runs before queueing itself again. */
#define GP__PUMP_SLICE_US 250

/* Counts n events as delivered (handed to JS or dropped), waking a before-end wait. */
static void gp__delivered(gp__jsrun_t *r, size_t n) {
  if (n == 0) return;
  pthread_mutex_lock(&r->evmu);
  r->delivered += n;
  if (r->delivered == r->published) pthread_cond_broadcast(&r->delivered_cv);
  pthread_mutex_unlock(&r->evmu);
}

/* Drops the references of events [from, to) of an array. */
static void gp__events_unref(gp_event_t **evs, size_t from, size_t to) {
  for (size_t i = from; i < to; i++) gp_event_unref(evs[i]);
}

gp__jsrun_t *gp__jsrun_ref(gp__jsrun_t *r) {
  atomic_fetch_add(&r->refs, 1);
  return r;
}

void gp__jsrun_unref(void *p) {
  gp__jsrun_t *r = p;
  if (r == NULL || atomic_fetch_sub(&r->refs, 1) != 1) return;
  if (r->launch) { /* never serviced: the run is not left held */
    gp__run_launch(r->launch);
    gp_run_unref(r->launch);
  }
  gp_run_unref(r->run);
  free(r->id);
  gp__events_unref(r->pending, r->phead, r->npending); /* their drain was dropped (shutdown) */
  free(r->pending);
  gp__pump_unref(r->pump);
  pthread_mutex_destroy(&r->evmu);
  pthread_cond_destroy(&r->delivered_cv);
  pthread_mutex_destroy(&r->mu);
  free(r);
}

/* ---- Events ------------------------------------------------------------------------ */

/* With evmu held: holds or releases the run's stream. */
static void gp__hold_locked(gp__jsrun_t *r, int on) {
  if (r->held == on || r->stream_run == NULL) return;
  r->held = on;
  gp_run_set_backpressure(r->stream_run, on);
}

/* Takes up to `max` of the run's oldest pending events into `out` (the caller owns
 * their references); once the queue is down to GP__EVENTS_LOW the stream may go on.
 * Returns how many, and in *left how many are still queued. */
static size_t gp__pending_take(gp__jsrun_t *r, gp_event_t **out, size_t max, size_t *left) {
  pthread_mutex_lock(&r->evmu);
  size_t n = r->npending - r->phead;
  if (n > max) n = max;
  if (n > 0) memcpy(out, r->pending + r->phead, n * sizeof *out);
  r->phead += n;
  if (r->phead == r->npending) r->phead = r->npending = 0;
  *left = r->npending - r->phead;
  if (*left <= GP__EVENTS_LOW) gp__hold_locked(r, 0);
  pthread_mutex_unlock(&r->evmu);
  return n;
}

/* Drops every pending event (their delivery was refused: the owner is closing) and
 * lets the stream go on. */
static void gp__pending_drop(gp__jsrun_t *r) {
  gp_event_t *evs[GP__EVENTS_BATCH];
  size_t n, left;
  do {
    n = gp__pending_take(r, evs, GP__EVENTS_BATCH, &left);
    gp__events_unref(evs, 0, n);
    gp__delivered(r, n);
  } while (left > 0);
}

/* Sets or clears the run the stream of which may be held (before the run reference
 * goes: the publisher uses it under evmu). */
void gp__jsrun_stream_set(gp__jsrun_t *r, gp_run_t *run) {
  pthread_mutex_lock(&r->evmu);
  if (run == NULL) gp__hold_locked(r, 0);
  r->stream_run = run;
  pthread_mutex_unlock(&r->evmu);
}

/* Owner: hands the oldest pending events, up to one batch, to the JS side in publish
 * order (the JS side shields itself from throwing listeners). Returns how many are
 * still queued. */
static size_t gp__events_deliver(gp__jsrun_t *r) {
  gp_js_runtime_t *rt = r->rt;
  GP_JS_ASSERT(rt);
  gp_event_t *evs[GP__EVENTS_BATCH];
  size_t left, n = gp__pending_take(r, evs, GP__EVENTS_BATCH, &left);
  for (size_t i = 0; i < n; i++) {
    /* re-read each time: a listener may end a synchronous run() that owns on_event */
    if (rt->ctx != NULL && r->on_event != NULL) {
      JSValueRef arg = gp__js_from_event(rt->ctx, evs[i]);
      JSValueRef exc = NULL;
      JSObjectCallAsFunction(rt->ctx, r->on_event, NULL, 1, &arg, &exc);
      if (exc) gp__js_report(rt->ctx, exc, "event listener");
    }
    gp_event_unref(evs[i]);
  }
  gp__delivered(r, n);
  return left;
}

/* Owner: delivers every pending event. Events published meanwhile that found the
 * queue empty have asked for the next drain, which finds what is left. */
static void gp__events_drain(void *p) {
  while (gp__events_deliver(p) > 0) {
  }
}

static void gp__settle(gp__jsrun_t *r);

/* With nothing left to deliver: 1 when the run has ended and is now to be settled
 * (the caller then owns the settlement's reference). */
static int gp__settle_take(gp__jsrun_t *r) {
  pthread_mutex_lock(&r->evmu);
  int settle = r->settle_pending && r->phead == r->npending;
  if (settle) r->settle_pending = 0;
  pthread_mutex_unlock(&r->evmu);
  return settle;
}

/* The pump's side of an async run: one batch per turn, so one fast run cannot keep
 * the others (or the owner) waiting; a run with more queued goes back in line. Once
 * every event is delivered, an ended run is settled in its turn, so a thousand runs
 * ending together do not queue a thousand settlements ahead of everything else. */
/* Takes the held run to launch, if any (once). */
static gp_run_t *gp__launch_take(gp__jsrun_t *r) {
  pthread_mutex_lock(&r->evmu);
  gp_run_t *run = r->launch;
  r->launch = NULL;
  pthread_mutex_unlock(&r->evmu);
  return run;
}

void gp__jsrun_launch_later(gp__jsrun_t *r, gp_run_t *run) {
  pthread_mutex_lock(&r->evmu);
  r->launch = gp_run_ref(run);
  pthread_mutex_unlock(&r->evmu);
  if (!gp__pump_mark(r->pump, &gp__jsrun_ref(r)->item)) gp__jsrun_unref(r);
}

static void gp__item_service(gp__pump_item_t *it) {
  gp__jsrun_t *r = (gp__jsrun_t *)it;
  gp_run_t *run = gp__launch_take(r);
  if (run) {
    gp__run_launch(run); /* its events come later: nothing to deliver yet */
    gp_run_unref(run);
    return;
  }
  if (gp__events_deliver(r) > 0) {
    if (!gp__pump_mark(r->pump, &gp__jsrun_ref(r)->item)) gp__jsrun_unref(r);
    return;
  }
  if (!gp__settle_take(r)) return;
  gp__settle(r);
  gp__jsrun_unref(r);
}

static void gp__item_release(gp__pump_item_t *it, int serviced) {
  gp__jsrun_t *r = (gp__jsrun_t *)it;
  gp_run_t *run = gp__launch_take(r);
  if (run) { /* the owner is closing: the run ends on its own */
    gp__run_launch(run);
    gp_run_unref(run);
  }
  if (!serviced) { /* the owner is closing: lost as a failed post loses them */
    gp__pending_drop(r);
    if (gp__settle_take(r)) gp__jsrun_unref(r);
  }
  gp__jsrun_unref(r);
}

/* Run thread or tool worker (never concurrently for one run): queue in publish order;
 * the event that finds the queue empty has it drained: lists the run on the pump
 * (async) or posts a drain (sync), either holding a reference on r. */
static void gp__sink_publish(void *ud, gp_event_t *ev) {
  gp__jsrun_t *r = ud;
  pthread_mutex_lock(&r->evmu);
  if (r->npending == r->cappending) {
    /* The drained head makes room when it is at least half the array: a move costs
     * what is queued, so moving to free a few slots at a time would cost quadratic time
     * while one network read publishes thousands of events faster than the owner takes
     * them; otherwise the array doubles. */
    if (r->phead > 0 && 2 * r->phead >= r->cappending) {
      GP_WORK((r->npending - r->phead) * sizeof *r->pending);
      memmove(r->pending, r->pending + r->phead, (r->npending - r->phead) * sizeof *r->pending);
      r->npending -= r->phead;
      r->phead = 0;
    } else {
      r->cappending = r->cappending ? 2 * r->cappending : 16;
      r->pending = gp__xrealloc(r->pending, r->cappending * sizeof *r->pending);
    }
  }
  r->pending[r->npending++] = gp_event_ref(ev);
  r->published++;
  size_t queued = r->npending - r->phead;
  if (queued >= GP__EVENTS_HIGH) gp__hold_locked(r, 1);
  pthread_mutex_unlock(&r->evmu);
  if (queued != 1) return;
  if (r->pump) {
    if (!gp__pump_mark(r->pump, &gp__jsrun_ref(r)->item)) gp__jsrun_unref(r);
    return;
  }
  if (gp_dispatcher_post(r->d, "run.events", gp__events_drain, gp__jsrun_ref(r),
                         gp__jsrun_unref) == GP_OK)
    return;
  /* not queued (queue full, shutdown): these events are lost as a failed post loses
   * them, and the next one must post again. Only this publisher appends: it is alone. */
  gp__pending_drop(r);
}

/* ---- Settlement --------------------------------------------------------------------- */

/* Owner: the run has ended; settle the JS promise and release what the run kept. */
static void gp__settle(gp__jsrun_t *r) {
  gp_js_runtime_t *rt = r->rt;
  GP_JS_ASSERT(rt);
  if (rt->ctx != NULL) gp__js_sig_flush(rt); /* a canceled run's handlers see their signal abort first */
  if (rt->ctx == NULL) { /* the VM is gone (torn down, the script ended): the run only */
    gp__js_runs_remove(rt, r->run);
    gp__jsrun_stream_set(r, NULL);
    gp_run_unref(r->run);
    r->run = NULL;
    return;
  }
  JSContextRef ctx = rt->ctx;
  gp_turn_t *turn = NULL;
  gp_error_t *err = NULL;
  int rc = gp_run_wait(r->run, 0, &turn, &err);
  gp__js_runs_remove(rt, r->run);
  gp__jsrun_stream_set(r, NULL);
  gp_run_unref(r->run);
  r->run = NULL;
  JSValueRef args[2];
  if (rc == GP_OK) {
    args[0] = JSValueMakeNull(ctx);
    args[1] = gp__js_from_turn(ctx, turn);
  } else {
    if (err == NULL) err = gp_error_new(rc, NULL);
    args[0] = gp__js_error_from(ctx, err);
    args[1] = JSValueMakeUndefined(ctx);
  }
  gp_turn_free(turn);
  gp_error_free(err);
  JSObjectRef settle = r->on_settle;
  r->on_settle = NULL;
  if (r->on_event) JSValueUnprotect(ctx, r->on_event);
  r->on_event = NULL;
  JSValueUnprotect(ctx, r->session_obj);
  r->session_obj = NULL;
  gp__js_run_end(rt);
  JSValueRef exc = NULL;
  if (!rt->ended) JSObjectCallAsFunction(ctx, settle, NULL, 2, args, &exc);
  JSValueUnprotect(ctx, settle);
  if (exc) gp__js_fatal(ctx, exc, "Uncaught");
}

void gp__jsrun_before_end(void *ud, gp_cancel_t *token) {
  gp__jsrun_t *r = ud;
  pthread_mutex_lock(&r->evmu);
  while (r->delivered < r->published && !gp_cancel_reason(token)) {
    /* a cancel fires no callback here: look again every few milliseconds */
    struct timespec ts;
    gp__timespec_in(&ts, CLOCK_REALTIME, 5);
    pthread_cond_timedwait(&r->delivered_cv, &r->evmu, &ts);
  }
  pthread_mutex_unlock(&r->evmu);
}

/* Run thread, once, after the terminal event. */
void gp__jsrun_on_done(void *ud, gp_run_t *run) {
  gp__jsrun_t *r = ud;
  if (r->sync) {
    pthread_mutex_lock(&r->mu);
    r->done = 1;
    gp_dispatcher_wake(r->d);
    pthread_mutex_unlock(&r->mu);
    return;
  }
  /* after its terminal event: the pump settles the run once that is delivered */
  pthread_mutex_lock(&r->evmu);
  r->settle_pending = 1;
  pthread_mutex_unlock(&r->evmu);
  if (!gp__pump_mark(r->pump, &gp__jsrun_ref(r)->item)) gp__jsrun_unref(r);
}

int gp__jsrun_sync_done(void *ud) {
  gp__jsrun_t *r = ud;
  pthread_mutex_lock(&r->mu);
  int done = r->done;
  pthread_mutex_unlock(&r->mu);
  return done;
}

gp__jsrun_t *gp__jsrun_new(gp_js_runtime_t *rt, JSContextRef ctx, JSValueRef on_event) {
  gp__jsrun_t *r = gp__xcalloc(1, sizeof *r);
  atomic_init(&r->refs, 1);
  r->item.service = gp__item_service;
  r->item.release = gp__item_release;
  r->rt = rt;
  pthread_mutex_init(&r->mu, NULL);
  pthread_mutex_init(&r->evmu, NULL);
  pthread_cond_init(&r->delivered_cv, NULL);
  if (gp__js_is_function(ctx, on_event)) {
    r->on_event = (JSObjectRef)on_event;
    JSValueProtect(ctx, on_event);
  }
  return r;
}

gp_sink_t *gp__jsrun_sink(gp__jsrun_t *r) {
  return gp_sink_new(gp__sink_publish, gp__jsrun_ref(r), gp__jsrun_unref);
}

gp__pump_t *gp__jsrun_pump(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  if (rt->events == NULL)
    rt->events = gp__pump_new(gp_owner_dispatcher(rt->owner), "run.events", GP__PUMP_SLICE_US);
  return gp__pump_ref(rt->events);
}
