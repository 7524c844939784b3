/* What the inference layer's session files share (session.c: sessions, history and
 * runs; session_store.c: a store-backed session's loading, background writes and a
 * run's lease and commit): the session and run structures and the functions one file
 * calls in the other. Locks as session.c's comment says. */
#ifndef GP_INFERENCE_SESSION_PRIVATE_H
#define GP_INFERENCE_SESSION_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/core.h"
#include "core/pool.h"
#include "events/events_internal.h"
#include "geppetto/session.h"

struct gp_session_s {
  char *id;
  gp_engine_t *engine;            /* reference */
  gp_middleware_t **mws;          /* references */
  size_t nmws;
  gp_registry_t *tools;           /* reference or NULL */
  gp_tool_settings_t settings;
  gp_tool_hooks_t *hooks;         /* reference or NULL */
  pthread_mutex_t lock;
  gp_turn_t **turns;              /* history; guarded by lock */
  size_t nturns, cap;             /* guarded by lock */
  gp_sink_t **sinks;              /* guarded by lock */
  size_t nsinks;                  /* guarded by lock */
  gp_run_t *active;               /* the running run (a reference) or NULL; guarded by lock */
  gp_store_t *store;              /* reference or NULL */
  int load_async;                 /* see gp_session_config_t */
  char *copy_from;                /* fork: the store session to copy before loading; heap */
  int ready;                      /* history loaded: 0 loading, 1 ready, -1 failed; lock */
  gp_error_t *load_err;           /* the load's failure when ready == -1; lock */
  int pending;                    /* background store work not yet done; lock */
  int64_t rev;                    /* the store revision the history reflects; lock */
  pthread_cond_t cond;            /* ready or pending changed; with lock */
};

struct gp_run_s {
  atomic_int refcount;
  atomic_int launched;            /* gp__run_launch ran (it submits the thread once) */
  char *id;
  gp_session_t *session;          /* valid until the run ends (see the file comment) */
  size_t turn_index;              /* the history slot the result replaces */
  int added_turn;                 /* the seed added that slot: a failure removes it */
  gp_turn_t *seed;                /* store runs: the seed as given (to compose again after
                                     a reload), or NULL; run thread after start */
  gp_seed_mode_t seed_mode;
  int composed;                   /* turn/turn_index reflect the history; run thread */
  int leased;                     /* the run holds the session's store lease */
  int64_t started_ms;             /* Unix ms */
  gp_turn_t *turn;                /* working turn; run thread only */
  size_t first_new_block;         /* blocks before this index were there at start */
  /* The run's identity, what its tool loop hands down: session_id borrowed from the
   * session, run_id is `id`; tags an owned JSON object; cancel a reference; host.ptr a
   * reference when host.unref is set (else host.ref and .unref are NULL). */
  gp_run_info_t info;
  gp_emitter_t *emitter;
  gp_flow_t *flow;                /* back-pressure valve, shared with the emitter */
  json_t *output;                 /* owned copy of the structured-output option, or NULL */
  void (*on_done)(void *ud, gp_run_t *run);
  void *on_done_ud;
  void (*before_end)(void *ud, gp_cancel_t *token); /* gp__run_set_before_end, or NULL */
  void *before_end_ud;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int ended;                      /* outcome decided; guarded by lock */
  int done;                       /* outcome stored; guarded by lock */
  int rc;                         /* guarded by lock */
  gp_turn_t *result;              /* guarded by lock */
  gp_error_t *error;              /* guarded by lock */
};

/* The run threads: one process-wide pool with no maximum. A run waiting for nested runs
 * (a tool that awaits runAsync) stays active, so any fixed maximum could deadlock. It
 * also loads and writes store-backed histories in the background. */
gp_pool_t *gp__runs_pool(void);

/* session.c. Under the session lock: appends `turn` (taken) to the history. */
void gp__session_push(gp_session_t *s, gp_turn_t *turn);
/* session.c. Under the session lock: a continuing seed (GP_SEED_CONTINUE) made into the
 * new latest turn (a copy of the latest turn plus the seed's blocks); takes `seed`. */
gp_turn_t *gp__seed_continue(gp_session_t *s, gp_turn_t *seed);

/* session_store.c. Under the lock: waits until the history is loaded (or failed). */
void gp__session_wait_loaded(gp_session_t *s);
/* session_store.c. Starts loading the history: now (load_async 0; returns the
 * failure) or on a pool thread. */
int gp__session_load_start(gp_session_t *s, gp_error_t **err);
/* session_store.c. Under the lock: writes slot `index` (`turn` taken) to the store in
 * the background. */
void gp__session_put_start(gp_session_t *s, size_t index, gp_turn_t *turn);
/* session_store.c. Store runs before inference and at the end (run thread): take the
 * lease and compose the turn; commit the outcome and release the lease. */
int gp__run_store_begin(gp_run_t *r, gp_error_t **err);
int gp__run_store_end(gp_run_t *r, int rc, gp_error_t **err);

#endif
