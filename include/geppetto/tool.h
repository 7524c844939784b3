/* Tools: the registry of handlers, argument validation, hooks and the executor that
 * runs a batch of calls (SPEC §4.4–4.6).
 *
 * Handlers run on the shared tool worker pool, at most max_parallel_tools at a time per
 * batch; each call has its own cancel token, child of the run's, that fires on run
 * cancel and on the call's execution timeout. Results come back in call order. */
#ifndef GEPPETTO_TOOL_H
#define GEPPETTO_TOOL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "cancel.h"
#include "error.h"
#include "event.h"
#include "run_info.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Argument validation ------------------------------------------------------ */

/* Validates `value` against `schema`, the JSON Schema subset of SPEC §4.4: type
 * (string, number, integer, boolean, object, array, null, or an array of those; also
 * `nullable: true`), properties, required, enum, const, items, additionalProperties
 * (bool or schema), minimum, maximum, minLength, maxLength (in Unicode code points),
 * minItems, maxItems, pattern (ECMA-style, unanchored), anyOf, oneOf, allOf, and $ref to
 * a place in the same schema ("#/$defs/NAME"). Returns 0, or
 * GP_ERR_INVALID_ARGUMENT with *err set to "PATH: REASON", e.g.
 * "$.user.tags[2]: expected string, got integer". A NULL schema accepts everything. */
int gp_schema_validate(const json_t *schema, const json_t *value, gp_error_t **err);
/* Checks `schema` itself: each keyword one that JSON Schema defines (a misspelt one such
 * as `requried` is refused with a "did you mean" hint; `x-` extensions pass), with the
 * JSON type it takes; type names, `required` lists, patterns and $ref targets are
 * checked. Returns 0 or INVALID_ARGUMENT naming the offending keyword's path. */
int gp_schema_check(const json_t *schema, gp_error_t **err);
/* 0 when `name` matches ^[a-zA-Z0-9_-]{1,64}$ (what the providers accept), else
 * INVALID_ARGUMENT naming it. The registry checks every name it is given. */
int gp_tool_name_check(const char *name, gp_error_t **err);

/* ---- Registry ----------------------------------------------------------------- */

typedef struct gp_tool_ctx_s {
  /* The run that made the call, as its tool batch copied it (valid for the call, also
   * one the executor abandoned): run.tags never NULL; run.cancel NULL (the batch may
   * outlive the run's token: `cancel` below, its child, is the one to watch). In a
   * direct gp_registry_call, what its caller gave (tags {} when NULL). */
  gp_run_info_t run;
  const char *tool_name;      /* the registered name the call runs under */
  const char *call_id;        /* the call's id, from the model ("direct": a script called it) */
  int64_t deadline_ms;        /* Unix epoch ms when the call times out; 0: none */
  gp_cancel_t *cancel;        /* the call's token: fires on run cancel (CANCELED) or call
                                 timeout (TIMEOUT) */
  /* Publishes an event of the run about this call (e.g. GP_EVENT_TOOL_PROGRESS), while
   * the call is running; `fields` stolen. NULL outside a run (gp_registry_call). */
  void (*emit)(void *emit_ud, gp_event_type_t type, json_t *fields);
  void *emit_ud;
} gp_tool_ctx_t;

/* A tool handler. `args` is borrowed. On success returns 0 with *result set to a new
 * reference (NULL means JSON null); on failure returns a GP_ERR_* code with *err set
 * (its message is what the model sees). Runs on a tool worker thread. */
typedef int (*gp_tool_cb)(void *ud, const gp_tool_ctx_t *ctx, json_t *args,
                          json_t **result, gp_error_t **err);

/* The completion of an asynchronous handler or hook: the executor (or
 * gp_registry_call) hands one to the callback, which finishes it exactly once with
 * gp_tool_done, from any thread, before or after returning. */
typedef struct gp_tool_done_s gp_tool_done_t;

/* Finishes `done`: `rc` 0 with `result` (stolen; NULL means JSON null), or a GP_ERR_*
 * code with `err` (stolen; may be NULL). For a hook, its decision is written to `out`
 * before this call and `result` is NULL. Any thread; never blocks (it queues the rest
 * of the call on the tool pool, or wakes its waiter). `done` is invalid afterwards. */
void gp_tool_done(gp_tool_done_t *done, int rc, json_t *result, gp_error_t *err);

/* An asynchronous handler: starts the call and returns; `ctx` and `args` stay valid
 * until it calls gp_tool_done(done, ...), which it must do exactly once. Runs on a
 * tool worker thread (or the thread of gp_registry_call). */
typedef void (*gp_tool_async_cb)(void *ud, const gp_tool_ctx_t *ctx, json_t *args,
                                 gp_tool_done_t *done);

typedef struct gp_registry_s gp_registry_t;

/* Refcount 1; never NULL. Thread-safe: registering while runs read it is allowed. */
gp_registry_t *gp_registry_new(void);
gp_registry_t *gp_registry_ref(gp_registry_t *r);
void gp_registry_unref(gp_registry_t *r); /* accepts NULL */
/* Registers a tool. `parameters` (borrowed, may be NULL) is checked with
 * gp_schema_check. `free_ud` (may be NULL) runs once when the tool is dropped, also
 * when registration fails. A second tool with the same name replaces the first.
 * Returns 0 or INVALID_ARGUMENT (empty name, bad schema) with *err. */
int gp_registry_add(gp_registry_t *r, const char *name, const char *description,
                    const json_t *parameters, gp_tool_cb cb, void *ud,
                    void (*free_ud)(void *ud), gp_error_t **err);
/* The same for an asynchronous handler. */
int gp_registry_add_async(gp_registry_t *r, const char *name, const char *description,
                          const json_t *parameters, gp_tool_async_cb cb, void *ud,
                          void (*free_ud)(void *ud), gp_error_t **err);
int gp_registry_has(gp_registry_t *r, const char *name);
size_t gp_registry_count(gp_registry_t *r);
/* [{name, description, parameters}] in registration order (new reference); when
 * `allowed` is not NULL only those of the `nallowed` names listed. */
json_t *gp_registry_defs(gp_registry_t *r, const char *const *allowed, size_t nallowed);
/* Validates and calls one tool directly on this thread (no timeout, no hooks); an
 * asynchronous handler is waited for here (so not on the owner thread for a JS tool).
 * TOOL_NOT_FOUND, INVALID_ARGUMENT or the handler's error. */
int gp_registry_call(gp_registry_t *r, const gp_tool_ctx_t *ctx, const char *name,
                     json_t *args, json_t **result, gp_error_t **err);

/* ---- Tool-loop settings (SPEC §4.5) --------------------------------------------- */

typedef enum { GP_TOOL_ERRORS_CONTINUE, GP_TOOL_ERRORS_ABORT, GP_TOOL_ERRORS_RETRY } gp_tool_errors_t;

typedef struct gp_tool_settings_s {
  int enabled;                /* default 1 */
  int max_iterations;         /* default 20 */
  int max_parallel_tools;     /* default 3 */
  int64_t execution_timeout_ms; /* default 30000; <= 0: no limit */
  char tool_choice[16];       /* "auto" (default), "none", "required" */
  gp_tool_errors_t error_handling; /* default continue */
  int retry_max_retries;      /* default 2 */
  int64_t retry_backoff_ms;   /* default 1000 */
  double retry_backoff_factor;/* default 2 */
  char **allowed_tools;       /* NULL: all; else nallowed heap strings, owned */
  size_t nallowed;
} gp_tool_settings_t;

void gp_tool_settings_init(gp_tool_settings_t *s);
/* Frees allowed_tools. */
void gp_tool_settings_clear(gp_tool_settings_t *s);
int gp_tool_settings_copy(gp_tool_settings_t *dst, const gp_tool_settings_t *src);
/* Reads the JSON form ({enabled, maxIterations, maxParallelTools, executionTimeoutMs,
 * toolChoice, toolErrorHandling, retryMaxRetries, retryBackoffMs, retryBackoffFactor,
 * allowedTools}) over `s`; unknown keys or wrong types are INVALID_ARGUMENT. */
int gp_tool_settings_from_json(gp_tool_settings_t *s, const json_t *j, gp_error_t **err);
/* 1 if `name` passes allowed_tools. */
int gp_tool_settings_allows(const gp_tool_settings_t *s, const char *name);

/* ---- Hooks (SPEC §4.6) ---------------------------------------------------------- */

typedef enum {
  GP_HOOK_CONTINUE,       /* keep going as planned (undefined in JS) */
  GP_HOOK_ABORT,          /* before: skip the call, its result is `error`;
                             after / on_error: end the run with TOOL_ABORTED */
  GP_HOOK_REWRITE,        /* before: run the call with `name` and/or `args` instead */
  GP_HOOK_SET_RESULT,     /* after: replace the result value (clears the error) */
  GP_HOOK_SET_ERROR,      /* after: turn the result into error `error` */
  GP_HOOK_RETRY,          /* on_error: run again after backoff_ms */
  GP_HOOK_GIVE_UP         /* on_error: "continue": keep the error as the result */
} gp_hook_action_t;

/* What a hook sees. Borrowed for the duration of the hook call. */
typedef struct gp_hook_info_s {
  gp_run_info_t run;          /* the run, as in gp_tool_ctx_t (run.cancel NULL) */
  const char *phase;          /* "beforeToolCall", "afterToolCall", "onToolError" */
  const char *call_id;        /* the call's id */
  const char *name;           /* the tool the call names */
  json_t *args;               /* the call's arguments (borrowed) */
  int64_t timestamp_ms;       /* Unix epoch ms when the hook was called */
  /* afterToolCall */
  json_t *result;             /* NULL means null */
  const char *error;          /* NULL when the call succeeded */
  int64_t duration_ms;
  /* onToolError */
  int attempt;                /* 1 for the first try */
  int default_retry;          /* 1 if the policy would retry */
  int64_t default_backoff_ms;
  gp_cancel_t *cancel;        /* the call's token (run cancel, call timeout); borrowed */
} gp_hook_info_t;

/* What a hook decides. The hook fills it; the executor frees its fields. */
typedef struct gp_hook_decision_s {
  gp_hook_action_t action;
  char *name;                 /* REWRITE: new name, or NULL */
  json_t *args;               /* REWRITE: new args (owned), or NULL */
  json_t *result;             /* SET_RESULT: owned reference (NULL: null) */
  char *error;                /* ABORT (before), SET_ERROR: heap message */
  int64_t backoff_ms;         /* RETRY: -1 for the policy's backoff */
} gp_hook_decision_t;

/* Frees a decision's fields and resets it to "continue" with the policy's backoff. */
void gp_hook_decision_clear(gp_hook_decision_t *d);

/* A hook returns 0 after filling `out`, or nonzero with *err set when it failed
 * (a JS hook threw): then fail-closed makes the call fail with that error and
 * fail-open ignores it. Hooks run on tool worker threads. Any may be NULL.
 * A hook or handler failing with GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN ends the run with
 * that code whatever the policies say (a JS callback went async inside run()). */
typedef int (*gp_hook_cb)(void *ud, const gp_hook_info_t *info, gp_hook_decision_t *out,
                          gp_error_t **err);

/* An asynchronous hook: fills `out` and finishes `done` with gp_tool_done(done, rc,
 * NULL, err) exactly once (rc 0 or nonzero with err, as gp_hook_cb returns). `info`
 * and `out` stay valid until then. Holds no thread while it waits. */
typedef void (*gp_hook_async_cb)(void *ud, const gp_hook_info_t *info, gp_hook_decision_t *out,
                                 gp_tool_done_t *done);

typedef struct gp_tool_hooks_s gp_tool_hooks_t;
/* Refcount 1; `free_ud` (may be NULL) runs once at the end. Never NULL. */
gp_tool_hooks_t *gp_tool_hooks_new(gp_hook_cb before, gp_hook_cb after, gp_hook_cb on_error,
                                   int fail_open, void *ud, void (*free_ud)(void *ud));
/* The same with asynchronous hooks. */
gp_tool_hooks_t *gp_tool_hooks_new_async(gp_hook_async_cb before, gp_hook_async_cb after,
                                         gp_hook_async_cb on_error, int fail_open, void *ud,
                                         void (*free_ud)(void *ud));
gp_tool_hooks_t *gp_tool_hooks_ref(gp_tool_hooks_t *h);
void gp_tool_hooks_unref(gp_tool_hooks_t *h); /* accepts NULL */

/* ---- Executor ----------------------------------------------------------------- */

typedef struct gp_tool_call_s {
  const char *id;
  const char *name;
  json_t *args;               /* borrowed */
} gp_tool_call_t;

typedef struct gp_tool_result_s {
  char *id;                   /* heap */
  json_t *value;              /* owned reference; NULL means null */
  char *error;                /* heap message, or NULL on success */
  int64_t duration_ms;
  int attempts;               /* how many times the handler ran */
} gp_tool_result_t;

void gp_tool_result_clear(gp_tool_result_t *r);

typedef struct gp_exec_params_s {
  /* The run (borrowed for the call; the batch copies what its calls see): run.cancel
   * (may be NULL) parents every call's token; run.tags may be NULL ({}); with
   * run.host.ref and .unref set the batch holds a reference on run.host.ptr. */
  gp_run_info_t run;
  gp_registry_t *registry;    /* the tools (the batch takes a reference) */
  const gp_tool_settings_t *settings; /* copied by the batch; NULL: defaults */
  gp_tool_hooks_t *hooks;     /* may be NULL */
  gp_emitter_t *emitter;      /* tool-call-execute and -execution-result events; may be NULL */
} gp_exec_params_t;

/* Runs `calls[0..n)` and fills `results[0..n)` in call order (the caller clears each
 * with gp_tool_result_clear). Unknown, disallowed or invalid calls become error results
 * without running. Returns 0; TOOL_ABORTED when a call's errors, with `abort`
 * handling or a hook's abort, end the run; CANCELED/TIMEOUT when the run's token fired.
 * On every return all n results are filled (unfinished ones with an error). Blocks the
 * calling thread until every result is in (or abandoned after a timeout); a call
 * waiting for an asynchronous handler or hook holds no pool thread meanwhile. */
int gp_tool_execute(const gp_exec_params_t *p, const gp_tool_call_t *calls, size_t n,
                    gp_tool_result_t *results, gp_error_t **err);

/* Statistics about the shared tool worker pool, for tests and benchmarks. */
typedef struct gp_tool_pool_stats_s {
  int threads;                /* workers alive */
  int busy;                   /* workers running a handler */
} gp_tool_pool_stats_t;
void gp_tool_pool_stats(gp_tool_pool_stats_t *out);

#ifdef __cplusplus
}
#endif
#endif
