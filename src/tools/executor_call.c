/* One tool call, run to the end on a tool worker (SPEC §4.5–4.6): allowedTools,
 * lookup, beforeToolCall, argument validation, the handler with the error policy and
 * onToolError (retries with backoff), then afterToolCall. Failures before the handler
 * becomes the call's error result; TOOL_ABORTED is reported through abort_msg. */
#include "core/json_depth.h"
#include "tools/executor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <geppetto/log.h>

#include "core/core.h"

#define GP__MAX_FORCED_RETRIES 10

/* The working state of one call on its worker. */
typedef struct job_s {
  gp__call_t *c;
  gp__batch_t *b;
  char *name;                 /* current name (a hook may rewrite it), heap */
  gp__tool_t *tool;           /* reference, or NULL */
  gp_tool_ctx_t ctx;
  int64_t t0;                 /* monotonic ms at the start */
} job_t;

static void set_error(gp__call_t *c, char *msg) {
  json_decref(c->value);
  c->value = NULL;
  free(c->error);
  c->error = msg;
}

static void set_abort(gp__call_t *c, char *msg) {
  if (c->abort_msg) free(msg);
  else c->abort_msg = msg;
}

/* A failure no policy may absorb: a JS callback returned a Promise inside a
 * synchronous run(). The call's error is `msg` and the run ends with that code. */
static int is_fatal(int code) { return code == GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN; }

static void set_fatal(gp__call_t *c, int code, const char *msg) {
  char *copy = gp_xstrdup(msg); /* msg may be c->error, which set_error frees */
  if (!c->abort_msg) {
    c->abort_msg = gp_xstrdup(copy);
    c->abort_code = code;
  }
  set_error(c, copy);
}

static int stopped(const job_t *j) { return gp_cancel_reason(j->c->token) != 0; }

static void info_init(const job_t *j, gp_hook_info_t *info, const char *phase) {
  memset(info, 0, sizeof *info);
  info->phase = phase;
  info->call_id = j->c->id;
  info->name = j->name;
  info->args = j->c->args;
  info->timestamp_ms = gp_now_ms();
  info->session_id = j->b->session_id;
  info->inference_id = j->b->inference_id;
  info->tags = j->b->tags;
  info->host = j->b->host;
  info->cancel = j->c->token;
}

/* Calls hook `cb` with `d` reset to CONTINUE. Returns 0 when the decision stands (a
 * failure under fail-open reads as CONTINUE); -1 when the hook failed under
 * fail-closed: the call's error is then the hook's message. */
static int call_hook(job_t *j, gp_hook_cb cb, const gp_hook_info_t *info, gp_hook_decision_t *d) {
  gp_tool_hooks_t *h = j->b->hooks;
  gp_error_t *herr = NULL;
  memset(d, 0, sizeof *d);
  d->backoff_ms = -1;
  int rc = cb(h->ud, info, d, &herr);
  if (rc == 0) {
    gp_error_free(herr);
    return 0;
  }
  gp_hook_decision_clear(d);
  if (herr && is_fatal(herr->code)) {
    set_fatal(j->c, herr->code, herr->message);
    gp_error_free(herr);
    return -1;
  }
  if (h->fail_open) {
    gp_log(GP_LOG_WARN, "tools", "%s hook failed for tool %s (ignored, fail-open): %s",
           info->phase, j->name, herr ? herr->message : "no message");
    gp_error_free(herr);
    return 0;
  }
  set_error(j->c, herr ? gp_xstrdup(herr->message) : gp_xasprintf("%s hook failed", info->phase));
  gp_error_free(herr);
  return -1;
}

/* allowedTools and lookup of j->name. 0, or -1 with the call's error set. */
static int resolve(job_t *j) {
  gp__tool_unref(j->tool);
  j->tool = NULL;
  if (!gp_tool_settings_allows(&j->b->settings, j->name)) {
    set_error(j->c, gp_xasprintf("tool %s is not allowed (not in allowedTools)", j->name));
    return -1;
  }
  j->tool = gp__registry_lookup(j->b->registry, j->name);
  if (!j->tool) {
    set_error(j->c, gp_xasprintf("unknown tool %s", j->name));
    return -1;
  }
  return 0;
}

static int before_hook(job_t *j) {
  gp_tool_hooks_t *h = j->b->hooks;
  if (!h || !h->before || stopped(j)) return stopped(j) ? -1 : 0;
  gp_hook_info_t info;
  gp_hook_decision_t d;
  info_init(j, &info, "beforeToolCall");
  if (call_hook(j, h->before, &info, &d)) return -1;
  int rc = 0;
  if (d.action == GP_HOOK_ABORT) {
    set_error(j->c, d.error ? d.error : gp_xasprintf("the beforeToolCall hook aborted tool %s", j->name));
    d.error = NULL;
    rc = -1;
  } else if (d.action == GP_HOOK_REWRITE) {
    if (d.args) {
      json_decref(j->c->args);
      j->c->args = d.args;
      d.args = NULL;
    }
    if (d.name && *d.name) {
      free(j->name);
      j->name = d.name;
      d.name = NULL;
      rc = resolve(j);
    }
  }
  gp_hook_decision_clear(&d);
  return rc;
}

static int validate_args(job_t *j) {
  gp_error_t *verr = NULL;
  if (!gp_schema_validate(j->tool->parameters, j->c->args, &verr)) return 0;
  set_error(j->c, gp_xasprintf("invalid arguments for tool %s: %s", j->name, verr->message));
  gp_error_free(verr);
  return -1;
}

static int64_t policy_backoff(const gp_tool_settings_t *s, int attempt) {
  double ms = (double)s->retry_backoff_ms * pow(s->retry_backoff_factor, attempt - 1);
  return ms > 3.6e6 ? 3600000 : (int64_t)ms;
}

/* Asks onToolError about failure number `attempt`. Returns 1 to retry (with *backoff
 * possibly replaced), 0 to stop with the error kept, -1 when the policy decides. */
static int on_error_hook(job_t *j, int attempt, int default_retry, int64_t *backoff, int *forced) {
  gp_tool_hooks_t *h = j->b->hooks;
  if (!h || !h->on_error) return -1;
  gp_hook_info_t info;
  gp_hook_decision_t d;
  info_init(j, &info, "onToolError");
  info.error = j->c->error;
  info.attempt = attempt;
  info.default_retry = default_retry;
  info.default_backoff_ms = *backoff;
  if (call_hook(j, h->on_error, &info, &d)) return 0;
  int rc = -1;
  switch (d.action) {
  case GP_HOOK_RETRY:
    rc = *forced < GP__MAX_FORCED_RETRIES;
    if (rc) {
      (*forced)++;
      if (d.backoff_ms >= 0) *backoff = d.backoff_ms;
    }
    break;
  case GP_HOOK_ABORT:
    set_abort(j->c, gp_xasprintf("tool %s failed: %s (the onToolError hook aborted the run)",
                                 j->name, j->c->error));
    rc = 0;
    break;
  case GP_HOOK_GIVE_UP: rc = 0; break;
  default: break;
  }
  gp_hook_decision_clear(&d);
  return rc;
}

/* The handler, as many times as the policy and onToolError say. */
static void run_attempts(job_t *j) {
  const gp_tool_settings_t *s = &j->b->settings;
  int forced = 0;
  for (int attempt = 1;; attempt++) {
    if (stopped(j)) return;
    json_t *res = NULL;
    gp_error_t *herr = NULL;
    int rc = j->tool->cb(j->tool->ud, &j->ctx, j->c->args, &res, &herr);
    atomic_fetch_add(&j->c->attempts, 1);
    if (rc == 0 && gp_json_too_deep(res, GP_JSON_MAX_DEPTH)) {
      gp_json_release_deep(res); /* a host's value may be deeper than any stack allows */
      res = NULL;
      rc = gp_error_set(&herr, GP_ERR_INVALID_ARGUMENT,
                        "tool %s: the result nests deeper than %d levels (the limit)", j->name,
                        GP_JSON_MAX_DEPTH);
    }
    if (rc == 0) {
      set_error(j->c, NULL);
      j->c->value = res;
      gp_error_free(herr);
      return;
    }
    json_decref(res);
    set_error(j->c, herr ? gp_xstrdup(herr->message)
                         : gp_xasprintf("tool %s failed: %s", j->name, gp_strerror(rc)));
    gp_error_free(herr);
    if (is_fatal(rc)) {
      set_fatal(j->c, rc, j->c->error);
      return;
    }
    if (stopped(j)) return;
    int default_retry = s->error_handling == GP_TOOL_ERRORS_RETRY && attempt <= s->retry_max_retries;
    int64_t backoff = policy_backoff(s, attempt);
    int retry = on_error_hook(j, attempt, default_retry, &backoff, &forced);
    if (retry < 0) {
      if (s->error_handling == GP_TOOL_ERRORS_ABORT) {
        set_abort(j->c, gp_xasprintf("tool %s failed: %s (toolErrorHandling is abort)", j->name,
                                     j->c->error));
        return;
      }
      retry = default_retry;
    }
    if (!retry) return;
    if (backoff > 0 && gp_cancel_wait(j->c->token, backoff)) return;
  }
}

static void after_hook(job_t *j) {
  gp_tool_hooks_t *h = j->b->hooks;
  if (!h || !h->after || stopped(j)) return;
  gp_hook_info_t info;
  gp_hook_decision_t d;
  info_init(j, &info, "afterToolCall");
  info.result = j->c->value;
  info.error = j->c->error;
  info.duration_ms = gp_mono_ms() - j->t0;
  info.attempt = atomic_load(&j->c->attempts);
  if (call_hook(j, h->after, &info, &d)) return;
  switch (d.action) {
  case GP_HOOK_SET_RESULT:
    set_error(j->c, NULL);
    j->c->value = d.result;
    d.result = NULL;
    break;
  case GP_HOOK_SET_ERROR:
    set_error(j->c, d.error ? d.error : gp_xasprintf("the afterToolCall hook failed tool %s", j->name));
    d.error = NULL;
    break;
  case GP_HOOK_ABORT:
    set_abort(j->c, gp_xasprintf("the afterToolCall hook aborted the run after tool %s", j->name));
    break;
  default: break;
  }
  gp_hook_decision_clear(&d);
}

void gp__call_run(gp__call_t *c) {
  gp__batch_t *b = c->batch;
  job_t j = {.c = c, .b = b, .name = gp_xstrdup(c->name), .t0 = gp_mono_ms()};
  int64_t timeout = b->settings.execution_timeout_ms;
  if (timeout > 0) gp_cancel_fire_after(c->token, timeout, GP_ERR_TIMEOUT);
  if (resolve(&j) == 0 && before_hook(&j) == 0 && validate_args(&j) == 0 && !stopped(&j)) {
    j.ctx = (gp_tool_ctx_t){.tool_name = j.name, .call_id = c->id, .session_id = b->session_id,
                            .inference_id = b->inference_id, .tags = b->tags,
                            .deadline_ms = timeout > 0 ? gp_now_ms() + timeout : 0,
                            .cancel = c->token, .host = b->host};
    gp__batch_emit(b, c, GP_EVENT_TOOL_CALL_EXECUTE, gp_fields_tool_call(c->id, j.name, c->args));
    run_attempts(&j);
    if (atomic_load(&c->attempts) > 0) after_hook(&j);
  }
  c->duration_ms = gp_mono_ms() - j.t0;
  gp__tool_unref(j.tool);
  free(j.name);
}
