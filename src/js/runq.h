/* The per-run event queue of the JS runtime (runq.c), shared by the session binding
 * (mod_session.c): one gp__jsrun_t per run started from JS. */
#ifndef GP_JS_RUNQ_H
#define GP_JS_RUNQ_H

#include <pthread.h>
#include <stdatomic.h>

#include "geppetto/session.h"
#include "js/js_private.h"

typedef struct {
  gp__pump_item_t item;           /* first: the pump hands it back to us */
  atomic_int refs;
  gp_js_runtime_t *rt;
  gp_run_t *run;                  /* reference from start until settled (the run's sink
                                     holds this struct: dropping it breaks the cycle) */
  char *id;                       /* the run's id, heap */
  gp_dispatcher_t *d;             /* where events go; valid until the run has ended */
  int sync;
  JSObjectRef on_event;           /* protected or NULL; owner thread */
  JSObjectRef on_settle;          /* protected (async) or NULL; owner thread */
  JSObjectRef session_obj;        /* protected while an async run is active */
  pthread_mutex_t mu;             /* sync: guards done against the waker */
  int done;                       /* sync: on_done ran; under mu */
  pthread_mutex_t evmu;           /* guards the pending events */
  gp_event_t **pending;           /* published, not yet drained (references); under evmu */
  size_t phead, npending, cappending; /* queued: pending[phead..npending); under evmu */
  gp_run_t *stream_run;           /* r->run while it may be held (borrowed); under evmu */
  int held;                       /* the stream is held; under evmu */
  int settle_pending;             /* async: ended, not yet settled (the settlement's
                                     reference is still held); under evmu */
  gp__pump_t *pump;               /* async runs: the runtime's event pump (a reference) */
  gp_run_t *launch;               /* async: started held, launched by the pump's first
                                     turn for this run (gp__jsrun_launch_later); a
                                     reference; under evmu */
  size_t published, delivered;    /* events queued, and handed to JS (or dropped); under evmu */
  pthread_cond_t delivered_cv;    /* broadcast when delivered catches up; with evmu */
} gp__jsrun_t;

/* Owner: a new run record (one reference) with `on_event` protected when it is a
 * function. */
gp__jsrun_t *gp__jsrun_new(gp_js_runtime_t *rt, JSContextRef ctx, JSValueRef on_event);
gp__jsrun_t *gp__jsrun_ref(gp__jsrun_t *r);
/* Any thread; accepts NULL. */
void gp__jsrun_unref(void *p);
/* The run's event sink (a new reference; it holds r): queues the run's events. */
gp_sink_t *gp__jsrun_sink(gp__jsrun_t *r);
/* Owner: the runtime's event pump (a new reference), created on first use. */
gp__pump_t *gp__jsrun_pump(gp_js_runtime_t *rt);
/* Sets or clears the run whose stream may be held (clear it before dropping the run). */
void gp__jsrun_stream_set(gp__jsrun_t *r, gp_run_t *run);
/* The run's on_done (gp_run_opts_t): run thread, once, after the terminal event. */
void gp__jsrun_on_done(void *ud, gp_run_t *run);
/* Owner, async runs: `run` (started held) is launched in the event pump's next turn,
 * so code that runs on after start() (a cancel) comes first, and a burst of starts
 * costs the owner's queue one request, not one each. */
void gp__jsrun_launch_later(gp__jsrun_t *r, gp_run_t *run);
/* The run's before-end step (gp__run_set_before_end): run thread; returns once the
 * owner has handed every event published so far to the run's listeners (or dropped
 * it), or the run's token fired, so a listener's cancel() of a run whose engine is
 * already done still ends it with CANCELED (SPEC §4.7: cancel works at any moment). */
void gp__jsrun_before_end(void *ud, gp_cancel_t *token);
/* A synchronous run's wait condition: 1 once on_done ran. */
int gp__jsrun_sync_done(void *ud);

#endif
