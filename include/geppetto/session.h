/* Sessions and runs (SPEC §4.5, §4.7): a history of turns, one active run at a time,
 * and the tool loop that each run executes on a run thread.
 *
 * A run goes: start event -> [middlewares + engine -> pending tool calls -> tool
 * executor -> tool_use blocks appended in call order] repeated until no call is pending
 * -> exactly one terminal event (final, error, or interrupt on cancel). On success the
 * result replaces the session's latest turn; on failure (or cancel) the history is as it
 * was before the run (a seed turn the run added is removed again) and the error carries
 * the partial turn, so a retry is the same call again.
 *
 * What a seed does (SPEC §4.7): GP_SEED_TURN (the default) appends the seed turn as it
 * is; GP_SEED_CONTINUE continues the conversation: a copy of the latest turn with the
 * seed's blocks appended becomes the new latest turn (in an empty session, the seed
 * itself). No seed: the run works on the latest turn. */
#ifndef GEPPETTO_SESSION_H
#define GEPPETTO_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "engine.h"
#include "event.h"
#include "middleware.h"
#include "store.h"
#include "tool.h"
#include "turn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- The tool loop, without a session --------------------------------------------- */

typedef struct gp_loop_params_s {
  gp_run_info_t run;                  /* the run (borrowed): every engine, tool and hook
                                         sees it; run.tags may be NULL ({}) */
  gp_engine_t *engine;                /* borrowed for the call */
  gp_middleware_t *const *middlewares;/* [0..nmiddlewares), outermost first; borrowed */
  size_t nmiddlewares;
  gp_registry_t *registry;            /* may be NULL: no tools */
  const gp_tool_settings_t *settings; /* may be NULL: defaults */
  gp_tool_hooks_t *hooks;             /* may be NULL */
  gp_emitter_t *emitter;              /* may be NULL */
  const json_t *output;               /* structured output {schema, ...} or NULL (SPEC §4.10) */
} gp_loop_params_t;

/* Runs the tool loop on `turn` in place (SPEC §4.5) and publishes its tool-result
 * events; start and terminal events are the caller's. With p->output, the answer that
 * ends the loop is parsed as JSON and validated against its schema: valid, it goes to
 * the turn's data "output"; invalid, the model is asked once more with the errors (a
 * repair step), then the loop fails with OUTPUT_INVALID. Returns 0, or MAX_ITERATIONS,
 * TOOL_ABORTED, OUTPUT_INVALID, CANCELED, TIMEOUT or the engine's error with *err set;
 * `turn` then holds the partial output. */
int gp_tool_loop_run(const gp_loop_params_t *p, gp_turn_t *turn, gp_error_t **err);

/* ---- Sessions --------------------------------------------------------------------- */

typedef struct gp_session_config_s {
  gp_engine_t *engine;                /* required; the session takes a reference */
  gp_middleware_t *const *middlewares;/* references taken */
  size_t nmiddlewares;
  gp_registry_t *tools;               /* may be NULL; reference taken */
  const gp_tool_settings_t *settings; /* copied; NULL: defaults */
  gp_tool_hooks_t *hooks;             /* may be NULL; reference taken */
  const char *id;                     /* NULL: a fresh id */
  /* May be NULL; reference taken. The session's history persists there (SPEC §4.12):
   * with an `id` the store knows, the session resumes it; each run takes the session's
   * lease, and a run that succeeds commits its turn and record in one transaction. */
  gp_store_t *store;
  /* With a store: 0 loads the history in gp_session_new (blocking the caller, which
   * must not be an owner thread); 1 loads it on a pool thread, and history reads wait
   * for it (gp_session_wait_ready). */
  int load_async;
} gp_session_config_t;

typedef struct gp_session_s gp_session_t;
typedef struct gp_run_s gp_run_t;

/* A new session; NULL with *err (INVALID_ARGUMENT) when the engine is missing. */
gp_session_t *gp_session_new(const gp_session_config_t *cfg, gp_error_t **err);
/* Frees the session. An active run is canceled and waited for first. Accepts NULL. */
void gp_session_free(gp_session_t *s);
const char *gp_session_id(const gp_session_t *s);
/* Adds a sink that receives the events of every later run (new reference taken). */
void gp_session_add_sink(gp_session_t *s, gp_sink_t *sink);

/* History. Every read returns a copy the caller frees; thread-safe. With a store, an
 * appended turn is written there in the background (a later run waits for it). */
void gp_session_append(gp_session_t *s, gp_turn_t *turn); /* takes ownership */
size_t gp_session_turn_count(gp_session_t *s);
gp_turn_t *gp_session_latest(gp_session_t *s);            /* NULL when empty */
gp_turn_t *gp_session_get_turn(gp_session_t *s, size_t i);/* NULL out of range */
int gp_session_is_running(gp_session_t *s);
/* With a store: waits until the history is loaded; returns 0, or the load's failure
 * (GP_ERR_STORE: e.g. a database of a newer schema) with *err set. 0 without a store. */
int gp_session_wait_ready(gp_session_t *s, gp_error_t **err);
/* Like gp_session_wait_ready without waiting: 1 ready (or failed), 0 still loading. */
int gp_session_is_ready(gp_session_t *s);
gp_store_t *gp_session_store(gp_session_t *s);  /* borrowed, or NULL */
/* A new session with the same engine, middlewares, tools, hooks and store, holding a
 * copy of the history, under `new_id` (NULL: a fresh id). With a store the copy is made
 * there (asynchronously when the source was configured with load_async: the new
 * session is ready when it is written). NULL with *err on failure. */
gp_session_t *gp_session_fork(gp_session_t *s, const char *new_id, gp_error_t **err);
/* Cancels the active run; 1 if there was one to cancel. */
int gp_session_cancel_active(gp_session_t *s);

/* How gp_session_start treats its seed (see the file comment). */
typedef enum {
  GP_SEED_TURN = 0,                   /* append the seed turn as it is */
  GP_SEED_CONTINUE = 1                /* latest turn + the seed's blocks, as a new turn */
} gp_seed_mode_t;

typedef struct gp_run_opts_s {
  gp_seed_mode_t seed_mode;           /* what the seed does; 0: GP_SEED_TURN */
  int64_t timeout_ms;                 /* 0: none; the run fails with TIMEOUT after it */
  json_t *tags;                       /* borrowed JSON object, may be NULL */
  gp_sink_t *sink;                    /* this run's own sink (after the session's); may be NULL */
  /* Opaque, passed to every ctx as run.host (adapters' dispatcher). With ref and unref
   * set the run, and every tool batch (an abandoned tool call may outlive its run), hold
   * a reference, so a host is never freed under a late caller. */
  gp_host_ref_t host;
  /* Called once on the run thread when the run has ended: terminal event published,
   * result stored, session no longer running, waiters woken. gp_run_wait inside it
   * returns at once. */
  void (*on_done)(void *ud, gp_run_t *run);
  void *on_done_ud;
  /* Structured output (SPEC §4.10): {schema, name?, strict?}, borrowed (the run copies
   * it); NULL: none. The schema must pass gp_schema_check (else INVALID_ARGUMENT). */
  const json_t *output;
} gp_run_opts_t;

/* Starts a run on the latest turn; `seed` (may be NULL, owned) first adds a turn as
 * opts->seed_mode says; a run that fails or is canceled removes that turn again.
 * Returns 0 with *out (the caller's reference), or ALREADY_RUNNING / EMPTY_TURN /
 * INVALID_ARGUMENT with *err and nothing started (seed freed). `opts` may be NULL. */
int gp_session_start(gp_session_t *s, gp_turn_t *seed, const gp_run_opts_t *opts,
                     gp_run_t **out, gp_error_t **err);
/* Start + wait: the result turn in *result (caller frees) or the error in *err. */
int gp_session_run(gp_session_t *s, gp_turn_t *seed, const gp_run_opts_t *opts,
                   gp_turn_t **result, gp_error_t **err);

/* ---- Runs ------------------------------------------------------------------------- */

gp_run_t *gp_run_ref(gp_run_t *r);
void gp_run_unref(gp_run_t *r); /* accepts NULL; the run goes on without its handle */
const char *gp_run_id(const gp_run_t *r);
/* Cancels: 1 if the run was still going (it will end with CANCELED and an interrupt
 * event), 0 if it had already ended. Any thread, any moment, also before the run
 * thread has begun. Returns at once. */
int gp_run_cancel(gp_run_t *r);
/* Back-pressure: while on, the run's provider stream stops reading from the network (what
 * has arrived waits in libcurl's and the kernel's buffers, the server's sends block), and the
 * idle timeout does not count the paused time; off resumes where it stopped. Nothing is lost
 * or reordered. Any thread, any time, cheap (an atomic store unless the stream is paused);
 * the last call wins. Engines that do not stream over HTTP ignore it. */
void gp_run_set_backpressure(gp_run_t *r, int on);
int gp_run_is_running(gp_run_t *r);
/* Waits up to `timeout_ms` (< 0: no limit) for the end. Returns GP_ERR_TIMEOUT if the
 * wait timed out (the run goes on), else the run's result code: 0 with *result set to a
 * copy of the final turn, or the failure with *err set to a copy of the error. Either
 * out-pointer may be NULL. May be called any number of times, from any thread. */
int gp_run_wait(gp_run_t *r, int64_t timeout_ms, gp_turn_t **result, gp_error_t **err);

/* Runs waiting to start or running, across all sessions (for tests and shutdown). A
 * run counts until its thread has made its last callback (on_done, releasing its
 * sinks), which is after gp_run_wait returns for it. */
size_t gp_runs_active(void);

#ifdef __cplusplus
}
#endif
#endif
