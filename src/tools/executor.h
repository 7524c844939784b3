/* Internal interface between the executor's two halves: executor.c runs a batch
 * (dispatch under the parallel cap, waiting, timeouts, cancel, results in order) and
 * executor_call.c runs one call as a step machine on tool workers (hooks, validation,
 * handler, retries), letting go of the worker while an asynchronous handler or hook
 * is out; a dispatched call counts against the cap until it ends either way.
 *
 * Lifetimes: a batch is refcounted (the executor plus one per dispatched job) because a
 * job whose call was abandoned after a timeout keeps running on its worker after
 * gp_tool_execute returned; the batch owns copies of everything a job reads, so nothing
 * of the caller's is touched after the return, and the emitter only under the guard of
 * gp__batch_emit. */
#ifndef GP_TOOLS_EXECUTOR_H
#define GP_TOOLS_EXECUTOR_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/pool.h"
#include "tools/tools.h"

typedef struct gp__batch_s gp__batch_t;

typedef struct gp__call_s {
  gp__batch_t *batch;
  size_t index;
  char *id;                   /* heap, immutable */
  char *name;                 /* heap, immutable: the name the model asked for */
  json_t *args;               /* deep copy; owned by the job once dispatched */
  gp_cancel_t *token;         /* child of the run token; one reference held by the batch */
  uint64_t cb_id;             /* wake callback registered on token (0: none) */
  int64_t dispatched_ms;      /* monotonic; set by the executor */
  atomic_int attempts;        /* handler runs so far (read by the executor any time) */
  /* guarded by batch->mu */
  int fired;                  /* reason the token fired with, 0 while it has not */
  int dispatched;             /* handed to a worker */
  int finished;               /* the job is done computing; it will not be abandoned */
  int complete;               /* the job published its result; the executor may take it */
  int abandoned;              /* the executor gave up on it (timeout, cancel, abort) */
  /* written by the job before `finished`, read by the executor after `complete` */
  json_t *value;              /* owned; NULL means null */
  char *error;                /* heap message, NULL on success */
  int64_t duration_ms;
  char *abort_msg;            /* set when the call ends the batch with TOOL_ABORTED */
  int abort_code;             /* the batch's code with abort_msg; 0: TOOL_ABORTED */
} gp__call_t;

struct gp__batch_s {
  pthread_mutex_t mu;
  pthread_cond_t cv;          /* signalled on every state change below */
  int refcount;               /* guarded by mu */
  int running;                /* guarded by mu: dispatched, neither complete nor abandoned */
  int closed;                 /* guarded by mu: the executor is returning; no more emits */
  int emit_busy;              /* guarded by mu: jobs inside gp__batch_emit */
  int run_reason;             /* guarded by mu: why the run token fired, 0 while not */
  gp_cancel_t *run_token;     /* borrowed from the caller, read only inside gp_tool_execute */
  unsigned gen;               /* guarded by mu: bumped with every broadcast of cv */
  gp_registry_t *registry;    /* reference, may be NULL */
  gp_tool_settings_t settings;/* private copy */
  gp_tool_hooks_t *hooks;     /* reference, may be NULL */
  gp_emitter_t *emitter;      /* borrowed from the caller: only inside gp__batch_emit */
  /* What its calls see of the run: heap copies of the ids (never NULL), a deep copy of
   * the tags (never NULL), no token (run_token is the caller's), host.ptr passed through
   * (a reference when host.unref is set, else host.ref and .unref are NULL). */
  gp_run_info_t run;
  gp__call_t *calls;
  size_t n;
};

/* Starts call `c` on a tool worker: fills value/error/duration/abort_msg, possibly
 * later and on other workers (asynchronous handlers and hooks), and then calls
 * gp__call_end(c) once, on a tool worker. */
void gp__call_start(gp__call_t *c);
/* Publishes call `c`'s result unless it was abandoned, and drops its job's reference
 * on the batch (executor.c). */
void gp__call_end(gp__call_t *c);

/* A call whose token fired reports the timeout (or cancel) as its error, whatever its
 * handler said once it noticed, so the result does not depend on who won the race.
 * No-op while the token has not fired. The call's worker. */
void gp__call_fired_error(gp__call_t *c);

/* Publishes an event for call `c` unless the call was abandoned or the executor has
 * returned; steals `fields`. Worker threads; takes batch->mu briefly (not while
 * emitting). */
void gp__batch_emit(gp__batch_t *b, gp__call_t *c, gp_event_type_t type, json_t *fields);

/* The tool workers: one process-wide pool, up to 256 threads, for synchronous work only
 * (an asynchronous handler or hook lets go of its worker while it is out). */
gp_pool_t *gp__tools_pool(void);

#endif
