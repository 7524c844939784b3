/* One tool call (SPEC §4.5–4.6): allowedTools, lookup, beforeToolCall, argument
 * validation, the handler with the error policy and onToolError (retries with
 * backoff), then afterToolCall. Failures before the handler become the call's error
 * result; TOOL_ABORTED is reported through abort_msg. A step machine on tool workers:
 * while an asynchronous handler or hook is out (a JS promise) no thread is held. */
#include "tools/executor.h"
#include "core/json_depth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <geppetto/log.h>

#include "core/core.h"

#define GP__MAX_FORCED_RETRIES 10

/* Where a call is. Each step runs on a tool worker; a step that starts a handler or a
 * hook names the step that takes its outcome and, when the outcome is not in yet,
 * returns the worker to the pool: the completion queues the job again (resume). */
typedef enum {
  ST_START,                   /* timeout, lookup */
  ST_BEFORE,                  /* beforeToolCall */
  ST_BEFORE_DONE,
  ST_VALIDATE,                /* arguments, the execute event */
  ST_ATTEMPT,                 /* the handler */
  ST_HANDLER_DONE,
  ST_ON_ERROR_DONE,           /* onToolError's answer */
  ST_DECIDE,                  /* retry or stop */
  ST_AFTER,                   /* afterToolCall */
  ST_AFTER_DONE,
  ST_FINISH
} step_t;

/* The working state of one call, on the heap: it lives across workers. */
typedef struct job_s {
  gp__call_t *c;
  gp__batch_t *b;
  char *name;                 /* current name (a hook may rewrite it), heap */
  gp__tool_t *tool;           /* reference, or NULL */
  gp_tool_ctx_t ctx;          /* the handler's; valid until its completion */
  int64_t t0;                 /* monotonic ms at the start */
  step_t step;
  gp_tool_done_t done;        /* the one handler or hook in flight */
  gp_hook_info_t info;        /* what the hook in flight sees */
  gp_hook_decision_t d;       /* what it decided */
  int attempt;                /* 1 for the first handler run */
  int forced;                 /* hook-forced retries so far */
  int default_retry;          /* the policy's answer for this failure */
  int retry;                  /* 1 retry, 0 stop, -1 the policy decides */
  int64_t backoff;            /* ms before the next attempt */
} job_t;

static void gp__set_error(gp__call_t *c, char *msg) {
  json_decref(c->value);
  c->value = NULL;
  free(c->error);
  c->error = msg;
}

static void gp__set_abort(gp__call_t *c, char *msg) {
  if (c->abort_msg) free(msg);
  else c->abort_msg = msg;
}

/* A failure no policy may absorb: a JS callback returned a Promise inside a
 * synchronous run(). The call's error is `msg` and the run ends with that code. */
static int gp__is_fatal(int code) { return code == GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN; }

static void gp__set_fatal(gp__call_t *c, int code, const char *msg) {
  char *copy = gp__xstrdup(msg); /* msg may be c->error, which set_error frees */
  if (!c->abort_msg) {
    c->abort_msg = gp__xstrdup(copy);
    c->abort_code = code;
  }
  gp__set_error(c, copy);
}

static int gp__stopped(const job_t *j) { return gp_cancel_reason(j->c->token) != 0; }

static void gp__info_init(const job_t *j, gp_hook_info_t *info, const char *phase) {
  memset(info, 0, sizeof *info);
  info->phase = phase;
  info->call_id = j->c->id;
  info->name = j->name;
  info->args = j->c->args;
  info->timestamp_ms = gp__now_ms();
  info->run = j->b->run;
  info->cancel = j->c->token;
}

/* The model sees a call's error as the tool's result; the developer sees it at warn
 * (SPEC §4.4): tool, call id, attempt once the handler ran, message. A canceled run is
 * the run's news, not the tool's: not logged. */
static void gp__log_failure(const job_t *j) {
  if (gp_cancel_reason(j->c->token) == GP_ERR_CANCELED) return;
  if (j->attempt > 0)
    gp_log(GP_LOG_WARN, "tools", "tool %s (call %s, attempt %d) failed: %s", j->name, j->c->id,
           j->attempt, j->c->error);
  else
    gp_log(GP_LOG_WARN, "tools", "tool %s (call %s) failed: %s", j->name, j->c->id, j->c->error);
}

/* The outcome of the hook that just completed (j->d, j->done): 0 when the decision
 * stands (a failure under fail-open reads as CONTINUE); -1 when the hook failed under
 * fail-closed: the call's error is then the hook's message. */
static int gp__hook_outcome(job_t *j) {
  gp_tool_hooks_t *h = j->b->hooks;
  gp_hook_decision_t *d = &j->d;
  gp_error_t *herr = j->done.err;
  j->done.err = NULL;
  json_decref(j->done.result);
  j->done.result = NULL;
  if (j->done.rc == 0) {
    gp_error_free(herr);
    return 0;
  }
  gp_hook_decision_clear(d);
  if (herr && gp__is_fatal(herr->code)) {
    gp__set_fatal(j->c, herr->code, herr->message);
    gp_error_free(herr);
    return -1;
  }
  if (h->fail_open) {
    gp_log(GP_LOG_WARN, "tools", "%s hook failed for tool %s (ignored, fail-open): %s",
           j->info.phase, j->name, herr ? herr->message : "no message");
    gp_error_free(herr);
    return 0;
  }
  gp__set_error(j->c, herr ? gp__xstrdup(herr->message) : gp__xasprintf("%s hook failed", j->info.phase));
  gp_error_free(herr);
  gp__log_failure(j);
  return -1;
}

/* Sets the call's error to `msg` (stolen) before its handler ran, and logs it. -1. */
static int gp__fail_early(job_t *j, char *msg) {
  gp__set_error(j->c, msg);
  gp__log_failure(j);
  return -1;
}

/* allowedTools and lookup of j->name. 0, or -1 with the call's error set. */
static int gp__resolve(job_t *j) {
  gp__tool_unref(j->tool);
  j->tool = NULL;
  if (!gp_tool_settings_allows(&j->b->settings, j->name))
    return gp__fail_early(j, gp__xasprintf("tool %s is not allowed (not in allowedTools)", j->name));
  j->tool = gp__registry_lookup(j->b->registry, j->name);
  if (!j->tool) return gp__fail_early(j, gp__xasprintf("unknown tool %s", j->name));
  return 0;
}

static void gp__job_resume(void *arg);

/* Starts hook `cb` (sync) or `acb` (async) with j->info. 1 when its outcome is in. */
static int gp__hook_start(job_t *j, gp_hook_cb cb, gp_hook_async_cb acb) {
  gp_tool_hooks_t *h = j->b->hooks;
  memset(&j->d, 0, sizeof j->d);
  j->d.backoff_ms = -1;
  gp__done_reset(&j->done, gp__job_resume, j);
  if (acb) {
    acb(h->ud, &j->info, &j->d, &j->done);
  } else {
    gp_error_t *herr = NULL;
    int rc = cb(h->ud, &j->info, &j->d, &herr);
    gp_tool_done(&j->done, rc, NULL, herr);
  }
  return gp__done_returned(&j->done);
}

/* Starts the handler. 1 when its outcome is in. */
static int gp__handler_start(job_t *j) {
  gp__done_reset(&j->done, gp__job_resume, j);
  if (j->tool->acb) {
    j->tool->acb(j->tool->ud, &j->ctx, j->c->args, &j->done);
  } else {
    json_t *res = NULL;
    gp_error_t *herr = NULL;
    int rc = j->tool->cb(j->tool->ud, &j->ctx, j->c->args, &res, &herr);
    gp_tool_done(&j->done, rc, res, herr);
  }
  return gp__done_returned(&j->done);
}

static step_t gp__before_done(job_t *j) {
  if (gp__hook_outcome(j)) return ST_FINISH;
  gp_hook_decision_t *d = &j->d;
  step_t next = ST_VALIDATE;
  if (d->action == GP_HOOK_ABORT) {
    gp__set_error(j->c, d->error ? d->error : gp__xasprintf("the beforeToolCall hook aborted tool %s", j->name));
    d->error = NULL;
    next = ST_FINISH;
  } else if (d->action == GP_HOOK_REWRITE) {
    if (d->args) {
      json_decref(j->c->args);
      j->c->args = d->args;
      d->args = NULL;
    }
    if (d->name && *d->name) {
      free(j->name);
      j->name = d->name;
      d->name = NULL;
      if (gp__resolve(j)) next = ST_FINISH;
    }
  }
  gp_hook_decision_clear(d);
  return next;
}

/* ctx.emit: an event about the running call (MCP progress), through the batch's guard. */
static void gp__job_emit(void *ud, gp_event_type_t type, json_t *fields) {
  job_t *j = ud;
  gp__batch_emit(j->b, j->c, type, fields);
}

static int gp__validate_args(job_t *j) {
  gp_error_t *verr = NULL;
  if (!gp_schema_validate(j->tool->parameters, j->c->args, &verr)) return 0;
  char *msg = gp__xasprintf("invalid arguments for tool %s: %s", j->name, verr->message);
  gp_error_free(verr);
  return gp__fail_early(j, msg);
}

static int64_t gp__policy_backoff(const gp_tool_settings_t *s, int attempt) {
  double ms = (double)s->retry_backoff_ms * pow(s->retry_backoff_factor, attempt - 1);
  return ms > 3.6e6 ? 3600000 : (int64_t)ms;
}

/* The handler's outcome is in (j->done). */
static step_t gp__handler_done(job_t *j) {
  const gp_tool_settings_t *s = &j->b->settings;
  json_t *res = j->done.result;
  gp_error_t *herr = j->done.err;
  int rc = j->done.rc;
  j->done.result = NULL;
  j->done.err = NULL;
  atomic_fetch_add(&j->c->attempts, 1);
  if (rc == 0 && gp__json_too_deep(res, GP_JSON_MAX_DEPTH)) {
    gp__json_release_deep(res); /* a host's value may be deeper than any stack allows */
    res = NULL;
    gp_error_free(herr);
    herr = NULL;
    rc = gp_error_set(&herr, GP_ERR_INVALID_ARGUMENT,
                      "tool %s: the result nests deeper than %d levels (the limit)", j->name,
                      GP_JSON_MAX_DEPTH);
  }
  if (rc == 0) {
    gp__set_error(j->c, NULL);
    j->c->value = res;
    gp_error_free(herr);
    return ST_AFTER;
  }
  json_decref(res);
  gp__set_error(j->c, herr ? gp__xstrdup(herr->message)
                       : gp__xasprintf("tool %s failed: %s", j->name, gp_strerror(rc)));
  gp_error_free(herr);
  gp__call_fired_error(j->c); /* a timed-out call says so, not how its handler stopped */
  gp__log_failure(j);
  if (gp__is_fatal(rc)) {
    gp__set_fatal(j->c, rc, j->c->error);
    return ST_AFTER;
  }
  if (gp__stopped(j)) return ST_AFTER;
  j->default_retry = s->error_handling == GP_TOOL_ERRORS_RETRY && j->attempt <= s->retry_max_retries;
  j->backoff = gp__policy_backoff(s, j->attempt);
  j->retry = -1;
  return ST_DECIDE; /* the caller asks onToolError first when there is one */
}

/* onToolError's answer is in: sets j->retry (1 retry, 0 stop with the error kept, -1
 * the policy decides), possibly j->backoff. */
static void gp__on_error_done(job_t *j) {
  if (gp__hook_outcome(j)) {
    j->retry = 0;
    return;
  }
  gp_hook_decision_t *d = &j->d;
  j->retry = -1;
  switch (d->action) {
  case GP_HOOK_RETRY:
    j->retry = j->forced < GP__MAX_FORCED_RETRIES;
    if (j->retry) {
      j->forced++;
      if (d->backoff_ms >= 0) j->backoff = d->backoff_ms;
    }
    break;
  case GP_HOOK_ABORT:
    gp__set_abort(j->c, gp__xasprintf("tool %s failed: %s (the onToolError hook aborted the run)",
                                 j->name, j->c->error));
    j->retry = 0;
    break;
  case GP_HOOK_GIVE_UP: j->retry = 0; break;
  default: break;
  }
  gp_hook_decision_clear(d);
}

/* Retry or stop, once the policy and onToolError have spoken. */
static step_t gp__decide(job_t *j) {
  const gp_tool_settings_t *s = &j->b->settings;
  if (j->retry < 0) {
    if (s->error_handling == GP_TOOL_ERRORS_ABORT) {
      gp__set_abort(j->c, gp__xasprintf("tool %s failed: %s (toolErrorHandling is abort)", j->name,
                                   j->c->error));
      return ST_AFTER;
    }
    j->retry = j->default_retry;
  }
  if (!j->retry) return ST_AFTER;
  /* The backoff holds this worker (bounded, and the token cuts it short). */
  if (j->backoff > 0 && gp_cancel_wait(j->c->token, j->backoff)) return ST_AFTER;
  j->attempt++;
  return ST_ATTEMPT;
}

static void gp__after_done(job_t *j) {
  if (gp__hook_outcome(j)) return;
  gp_hook_decision_t *d = &j->d;
  switch (d->action) {
  case GP_HOOK_SET_RESULT:
    gp__set_error(j->c, NULL);
    j->c->value = d->result;
    d->result = NULL;
    break;
  case GP_HOOK_SET_ERROR:
    gp__set_error(j->c, d->error ? d->error : gp__xasprintf("the afterToolCall hook failed tool %s", j->name));
    d->error = NULL;
    break;
  case GP_HOOK_ABORT:
    gp__set_abort(j->c, gp__xasprintf("the afterToolCall hook aborted the run after tool %s", j->name));
    break;
  default: break;
  }
  gp_hook_decision_clear(d);
}

/* Runs the job's steps on this worker until it finishes or waits for a completion. */
static void gp__job_drive(job_t *j) {
  gp__call_t *c = j->c;
  gp__batch_t *b = j->b;
  gp_tool_hooks_t *h = b->hooks;
  int64_t timeout = b->settings.execution_timeout_ms;
  for (;;) {
    switch (j->step) {
    case ST_START:
      if (timeout > 0) gp_cancel_fire_after(c->token, timeout, GP_ERR_TIMEOUT);
      j->step = gp__resolve(j) ? ST_FINISH : ST_BEFORE;
      break;
    case ST_BEFORE:
      if (gp__stopped(j)) {
        j->step = ST_FINISH;
      } else if (!h || !(h->before || h->abefore)) {
        j->step = ST_VALIDATE;
      } else {
        gp__info_init(j, &j->info, "beforeToolCall");
        j->step = ST_BEFORE_DONE;
        if (!gp__hook_start(j, h->before, h->abefore)) return;
      }
      break;
    case ST_BEFORE_DONE: j->step = gp__before_done(j); break;
    case ST_VALIDATE:
      if (gp__validate_args(j) || gp__stopped(j)) {
        j->step = ST_FINISH;
        break;
      }
      j->ctx = (gp_tool_ctx_t){.run = b->run, .tool_name = j->name, .call_id = c->id,
                               .deadline_ms = timeout > 0 ? gp__now_ms() + timeout : 0,
                               .cancel = c->token, .emit = gp__job_emit, .emit_ud = j};
      gp__batch_emit(b, c, GP_EVENT_TOOL_CALL_EXECUTE, gp_fields_tool_call(c->id, j->name, c->args));
      j->attempt = 1;
      j->step = ST_ATTEMPT;
      break;
    case ST_ATTEMPT:
      if (gp__stopped(j)) {
        j->step = ST_AFTER;
        break;
      }
      j->step = ST_HANDLER_DONE;
      if (!gp__handler_start(j)) return;
      break;
    case ST_HANDLER_DONE:
      j->step = gp__handler_done(j);
      if (j->step == ST_DECIDE && h && (h->on_error || h->aon_error)) {
        gp__info_init(j, &j->info, "onToolError");
        j->info.error = c->error;
        j->info.attempt = j->attempt;
        j->info.default_retry = j->default_retry;
        j->info.default_backoff_ms = j->backoff;
        j->step = ST_ON_ERROR_DONE;
        if (!gp__hook_start(j, h->on_error, h->aon_error)) return;
      }
      break;
    case ST_ON_ERROR_DONE:
      gp__on_error_done(j);
      j->step = ST_DECIDE;
      break;
    case ST_DECIDE: j->step = gp__decide(j); break;
    case ST_AFTER:
      if (atomic_load(&c->attempts) == 0 || !h || !(h->after || h->aafter) || gp__stopped(j)) {
        j->step = ST_FINISH;
        break;
      }
      gp__info_init(j, &j->info, "afterToolCall");
      j->info.result = c->value;
      j->info.error = c->error;
      j->info.duration_ms = gp__mono_ms() - j->t0;
      j->info.attempt = atomic_load(&c->attempts);
      j->step = ST_AFTER_DONE;
      if (!gp__hook_start(j, h->after, h->aafter)) return;
      break;
    case ST_AFTER_DONE:
      gp__after_done(j);
      j->step = ST_FINISH;
      break;
    case ST_FINISH:
      c->duration_ms = gp__mono_ms() - j->t0;
      gp__tool_unref(j->tool);
      free(j->name);
      free(j);
      gp__call_end(c);
      return;
    }
  }
}

/* A completion came after its starter returned: go on, on a worker. */
static void gp__job_resume_work(void *arg) { gp__job_drive(arg); }
static void gp__job_resume(void *arg) { gp__pool_submit(gp__tools_pool(), gp__job_resume_work, arg); }

void gp__call_start(gp__call_t *c) {
  job_t *j = gp__xcalloc(1, sizeof *j);
  j->c = c;
  j->b = c->batch;
  j->name = gp__xstrdup(c->name);
  j->t0 = gp__mono_ms();
  j->step = ST_START;
  gp__job_drive(j);
}
