/* The tool executor: runs a batch of calls on the shared tool pool, at most
 * max_parallel_tools at a time, dispatched in call order, and collects the results in
 * call order. The calling thread waits on the batch's condition variable; cancel-token
 * callbacks wake it, so a call's timeout or the run's cancel is answered at once,
 * without waiting for a handler that ignores its token (that job is abandoned: it runs
 * on, and its late result is dropped when it ends — see executor.h for lifetimes). */
#include "tools/executor.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void gp_tool_result_clear(gp_tool_result_t *r) {
  if (!r) return;
  free(r->id);
  json_decref(r->value);
  free(r->error);
  memset(r, 0, sizeof *r);
}

static gp_pool_t *_Atomic gp__tools_pool_slot;

gp_pool_t *gp__tools_pool(void) { return gp__pool_shared(&gp__tools_pool_slot, "gp-tool", 256); }

void gp_tool_pool_stats(gp_tool_pool_stats_t *out) {
  size_t queued = 0;
  gp__pool_stats(gp__tools_pool(), &out->threads, &out->busy, &queued);
}

/* ---- batch lifetime -------------------------------------------------------------- */

static void gp__call_wake(void *ud, int reason) {
  gp__call_t *c = ud;
  pthread_mutex_lock(&c->batch->mu);
  if (!c->fired) c->fired = reason;
  c->batch->gen++;
  pthread_cond_broadcast(&c->batch->cv);
  pthread_mutex_unlock(&c->batch->mu);
}

static void gp__run_wake(void *ud, int reason) {
  gp__batch_t *b = ud;
  pthread_mutex_lock(&b->mu);
  if (!b->run_reason) b->run_reason = reason;
  b->gen++;
  pthread_cond_broadcast(&b->cv);
  pthread_mutex_unlock(&b->mu);
}

static gp__batch_t *gp__batch_new(const gp_exec_params_t *p, const gp_tool_call_t *calls, size_t n) {
  gp__batch_t *b = gp__xcalloc(1, sizeof *b);
  pthread_mutex_init(&b->mu, NULL);
  pthread_cond_init(&b->cv, NULL);
  b->refcount = 1;
  b->registry = gp_registry_ref(p->registry);
  if (p->settings) gp_tool_settings_copy(&b->settings, p->settings);
  else gp_tool_settings_init(&b->settings);
  b->hooks = gp_tool_hooks_ref(p->hooks);
  b->emitter = p->emitter;
  b->run.session_id = gp__xstrdup(p->run.session_id ? p->run.session_id : "");
  b->run.run_id = gp__xstrdup(p->run.run_id ? p->run.run_id : "");
  b->run.tags = p->run.tags ? json_deep_copy(p->run.tags) : json_object();
  b->run.deadline_ms = p->run.deadline_ms;
  b->run.host.ptr = p->run.host.ptr;
  if (b->run.host.ptr && p->run.host.ref && p->run.host.unref) {
    b->run.host = p->run.host;
    b->run.host.ptr = p->run.host.ref(p->run.host.ptr);
  }
  b->n = n;
  b->calls = gp__xcalloc(n ? n : 1, sizeof *b->calls);
  for (size_t i = 0; i < n; i++) {
    gp__call_t *c = &b->calls[i];
    c->batch = b;
    c->index = i;
    c->id = gp__xstrdup(calls[i].id ? calls[i].id : "");
    c->name = gp__xstrdup(calls[i].name ? calls[i].name : "");
    c->args = calls[i].args ? json_deep_copy(calls[i].args) : json_object();
    atomic_init(&c->attempts, 0);
    c->token = gp_cancel_new(p->run.cancel);
  }
  return b;
}

static void gp__batch_free(gp__batch_t *b) {
  for (size_t i = 0; i < b->n; i++) {
    gp__call_t *c = &b->calls[i];
    gp_cancel_unref(c->token);
    free(c->id);
    free(c->name);
    json_decref(c->args);
    json_decref(c->value);
    free(c->error);
    free(c->abort_msg);
  }
  free(b->calls);
  gp_registry_unref(b->registry);
  gp_tool_settings_clear(&b->settings);
  gp_tool_hooks_unref(b->hooks);
  free((char *)b->run.session_id);
  free((char *)b->run.run_id);
  json_decref(b->run.tags);
  if (b->run.host.ptr && b->run.host.unref) b->run.host.unref(b->run.host.ptr);
  pthread_cond_destroy(&b->cv);
  pthread_mutex_destroy(&b->mu);
  free(b);
}

static void gp__batch_release(gp__batch_t *b) {
  pthread_mutex_lock(&b->mu);
  int last = --b->refcount == 0;
  pthread_mutex_unlock(&b->mu);
  if (last) gp__batch_free(b);
}

void gp__batch_emit(gp__batch_t *b, gp__call_t *c, gp_event_type_t type, json_t *fields) {
  pthread_mutex_lock(&b->mu);
  int ok = !b->closed && !c->abandoned;
  if (ok) b->emit_busy++;
  pthread_mutex_unlock(&b->mu);
  if (!ok) {
    json_decref(fields);
    return;
  }
  gp_emit(b->emitter, type, fields);
  pthread_mutex_lock(&b->mu);
  b->emit_busy--;
  b->gen++;
  pthread_cond_broadcast(&b->cv);
  pthread_mutex_unlock(&b->mu);
}

/* The message of a call whose token fired. A timeout is the call's own once it ran for
 * executionTimeoutMs; sooner, it came from the run's timeoutMs (through the run token). */
static char *gp__fired_message(const gp__call_t *c, int reason) {
  int64_t limit = c->batch->settings.execution_timeout_ms;
  if (reason != GP_ERR_TIMEOUT) return gp__xstrdup("canceled");
  if (limit <= 0 || gp__mono_ms() - c->dispatched_ms < limit) return gp__xstrdup("timed out: the run timed out");
  return gp__xasprintf("tool %s timed out after %lld ms", c->name, (long long)limit);
}

void gp__call_fired_error(gp__call_t *c) {
  int reason = gp_cancel_reason(c->token);
  if (!reason) return;
  json_decref(c->value);
  c->value = NULL;
  free(c->error);
  c->error = gp__fired_message(c, reason);
}

/* A worker: starts the call; gp__call_end follows when it is done. */
static void gp__call_job(void *arg) { gp__call_start(arg); }

/* The end of a call: publishes its result unless it was abandoned meanwhile. */
void gp__call_end(gp__call_t *c) {
  gp__batch_t *b = c->batch;
  gp__call_fired_error(c);
  pthread_mutex_lock(&b->mu);
  int mine = !c->abandoned;
  if (mine) c->finished = 1;
  pthread_mutex_unlock(&b->mu);
  if (mine) {
    json_t *f = gp_fields_tool_exec_result(c->id, c->value, c->error, c->duration_ms);
    gp__batch_emit(b, c, GP_EVENT_TOOL_CALL_EXECUTION_RESULT, f);
  }
  /* Completing and dropping the job's reference happen together, so once the executor
   * saw every call complete no job of its batch holds anything any more: only
   * abandoned jobs outlive gp_tool_execute. */
  pthread_mutex_lock(&b->mu);
  if (mine) {
    c->complete = 1;
    b->running--;
  }
  int last = --b->refcount == 0;
  b->gen++;
  pthread_cond_broadcast(&b->cv);
  pthread_mutex_unlock(&b->mu);
  if (last) gp__batch_free(b);
}

/* ---- the waiting side ------------------------------------------------------------ */

/* Gives up on call `c` with `msg` as its result (stolen). Caller holds b->mu. */
static void gp__abandon_locked(gp__batch_t *b, gp__call_t *c, gp_tool_result_t *r, char *msg) {
  c->abandoned = 1;
  if (c->dispatched) b->running--;
  r->error = msg;
  r->duration_ms = c->dispatched ? gp__mono_ms() - c->dispatched_ms : 0;
  r->attempts = atomic_load(&c->attempts);
}

/* Emits the result event of an abandoned call from the executor's thread. */
static void gp__emit_abandoned(gp__batch_t *b, gp__call_t *c, const gp_tool_result_t *r) {
  pthread_mutex_unlock(&b->mu);
  gp_emit(b->emitter, GP_EVENT_TOOL_CALL_EXECUTION_RESULT,
          gp_fields_tool_exec_result(c->id, NULL, r->error, r->duration_ms));
  pthread_mutex_lock(&b->mu);
}

/* The run token's reason, read from the token itself: a token fires its children (the
 * calls' tokens) before its own callbacks, so run_wake may not have run yet while calls
 * already see the cancel. Caller holds b->mu, inside gp_tool_execute. */
static int gp__run_reason_locked(gp__batch_t *b) {
  if (!b->run_reason) b->run_reason = gp_cancel_reason(b->run_token);
  return b->run_reason;
}

/* One pass over the calls: abandons timed-out or canceled ones, notes aborts.
 * Returns 1 when every call is accounted for. Caller holds b->mu. */
static int gp__sweep_locked(gp__batch_t *b, gp_tool_result_t *results, size_t *abort_at) {
  int done = 1;
  gp__run_reason_locked(b);
  for (size_t i = 0; i < b->n; i++) {
    gp__call_t *c = &b->calls[i];
    gp_tool_result_t *r = &results[i];
    if (c->abandoned) continue;
    if (c->complete) {
      if (c->abort_msg && *abort_at == SIZE_MAX) *abort_at = i;
      continue;
    }
    if (b->run_reason && !c->finished) {
      gp__abandon_locked(b, c, r, gp__xstrdup(b->run_reason == GP_ERR_TIMEOUT ? "timed out: the run timed out"
                                                                       : "canceled"));
      if (c->dispatched) gp__emit_abandoned(b, c, r);
    } else if (c->dispatched && c->fired && !c->finished) {
      gp__abandon_locked(b, c, r, gp__fired_message(c, c->fired));
      gp__emit_abandoned(b, c, r);
    } else if (!c->dispatched && *abort_at != SIZE_MAX) {
      gp__abandon_locked(b, c, r, gp__xasprintf("not run: tool %s aborted the run", b->calls[*abort_at].name));
    } else {
      done = 0;
    }
  }
  return done;
}

/* Dispatches calls in order while the cap allows. Caller holds b->mu; released while
 * submitting, so it stops as soon as anything changed (a call that completed meanwhile
 * may have aborted the batch): the caller sweeps again first. */
static void gp__dispatch_locked(gp__batch_t *b, size_t *next, int cap) {
  unsigned gen = b->gen;
  while (*next < b->n && b->running < cap && !gp__run_reason_locked(b) && b->gen == gen) {
    gp__call_t *c = &b->calls[(*next)++];
    if (c->abandoned) continue;
    c->dispatched = 1;
    c->dispatched_ms = gp__mono_ms();
    b->running++;
    b->refcount++;
    pthread_mutex_unlock(&b->mu);
    gp__pool_submit(gp__tools_pool(), gp__call_job, c);
    pthread_mutex_lock(&b->mu);
  }
}

static void gp__take_result(gp__call_t *c, gp_tool_result_t *r) {
  r->value = c->value;
  c->value = NULL;
  r->error = c->error;
  c->error = NULL;
  r->duration_ms = c->duration_ms;
  r->attempts = atomic_load(&c->attempts);
}

int gp_tool_execute(const gp_exec_params_t *p, const gp_tool_call_t *calls, size_t n,
                    gp_tool_result_t *results, gp_error_t **err) {
  if (n) memset(results, 0, n * sizeof *results);
  gp__batch_t *b = gp__batch_new(p, calls, n);
  b->run_token = p->run.cancel;
  int cap = b->settings.max_parallel_tools < 1 ? 1 : b->settings.max_parallel_tools;
  uint64_t run_cb = p->run.cancel ? gp_cancel_on(p->run.cancel, gp__run_wake, b) : 0;
  for (size_t i = 0; i < n; i++) b->calls[i].cb_id = gp_cancel_on(b->calls[i].token, gp__call_wake, &b->calls[i]);

  size_t next = 0, abort_at = SIZE_MAX;
  pthread_mutex_lock(&b->mu);
  for (;;) {
    unsigned seen = b->gen;
    if (gp__sweep_locked(b, results, &abort_at)) break;
    if (abort_at == SIZE_MAX) gp__dispatch_locked(b, &next, cap);
    while (b->gen == seen) pthread_cond_wait(&b->cv, &b->mu);
  }
  b->closed = 1;
  while (b->emit_busy > 0) pthread_cond_wait(&b->cv, &b->mu);
  int run_reason = gp__run_reason_locked(b);
  pthread_mutex_unlock(&b->mu);

  for (size_t i = 0; i < n; i++) {
    gp__call_t *c = &b->calls[i];
    if (c->cb_id) gp_cancel_off(c->token, c->cb_id);
    if (!c->abandoned) gp__take_result(c, &results[i]);
    results[i].id = gp__xstrdup(c->id);
  }
  if (run_cb) gp_cancel_off(p->run.cancel, run_cb);

  int rc = 0;
  if (run_reason) {
    rc = gp_error_set(err, run_reason, run_reason == GP_ERR_TIMEOUT ? "the run timed out during tool execution"
                                                                    : "the run was canceled during tool execution");
  } else if (abort_at != SIZE_MAX) {
    gp__call_t *ac = &b->calls[abort_at];
    rc = gp_error_set(err, ac->abort_code ? ac->abort_code : GP_ERR_TOOL_ABORTED, "%s", ac->abort_msg);
  }
  gp__batch_release(b);
  return rc;
}
