/* Tool hooks written in JavaScript (SPEC §4.6): {beforeToolCall, afterToolCall,
 * onToolError, hookErrorPolicy} become a gp_tool_hooks_t whose callbacks are adapters.
 *
 * The hooks are asynchronous (gp_hook_async_cb): the adapter queues a request on the
 * owner through the run's dispatcher and returns the worker to the pool; the request
 * builds the info object, calls the JS function and turns its answer into a
 * gp_hook_decision_t, then finishes the call's gp_tool_done_t. A Promise is awaited
 * by deferred completion (runAsync/start); inside run() it fails the run with
 * ASYNC_CALLBACK_IN_SYNC_RUN. A throw, a rejection or an answer of the wrong shape is
 * the hook's failure, which hookErrorPolicy judges (fail-closed by default). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"


enum { GP__BEFORE, GP__AFTER, GP__ON_ERROR, GP__NPHASES };
static const char *const gp__phase_names[GP__NPHASES] = {"beforeToolCall", "afterToolCall",
                                                         "onToolError"};

typedef struct {
  gp_js_runtime_t *rt;
  JSObjectRef fn[GP__NPHASES];    /* protected, or NULL; unprotected (later) when freed */
} gp__jshooks_t;

typedef struct {
  gp__jshooks_t *h;
  int phase;
  const gp_hook_info_t *info;     /* borrowed from the call's job until `done` */
  gp_hook_decision_t *out;        /* idem: where the decision goes */
  gp_tool_done_t *done;           /* NULL for a synchronous hop */
} gp__hook_req_t;

typedef struct {
  gp_hook_decision_t d;           /* fields owned until moved to the executor */
  gp_error_t *err;
} gp__hook_answer_t;

static void gp__hook_answer_free(void *p) {
  gp__hook_answer_t *a = p;
  if (a == NULL) return;
  gp_hook_decision_clear(&a->d);
  gp_error_free(a->err);
  free(a);
}

static void gp__jshooks_free(void *p) {
  gp__jshooks_t *h = p;
  for (int i = 0; i < GP__NPHASES; i++)
    if (h->fn[i]) gp__js_unprotect_later(h->rt, h->fn[i]);
  free(h);
}

/* ---- What a hook sees ------------------------------------------------------------------ */

static JSValueRef gp__str_or_null(JSContextRef ctx, const char *s) {
  return s ? gp__js_str(ctx, s) : JSValueMakeNull(ctx);
}

static JSObjectRef gp__info_obj(JSContextRef ctx, int phase, const gp_hook_info_t *in) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "phase", gp__js_str(ctx, gp__phase_names[phase]));
  JSObjectRef call = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, call, "id", gp__js_str(ctx, in->call_id));
  gp__js_set(ctx, call, "name", gp__js_str(ctx, in->name));
  gp__js_set(ctx, call, "args", in->args ? gp__js_from_json(ctx, in->args) : JSObjectMake(ctx, NULL, NULL));
  gp__js_set(ctx, o, "call", call);
  gp__js_set(ctx, o, "timestampMs", JSValueMakeNumber(ctx, (double)in->timestamp_ms));
  gp__js_set_run(ctx, o, &in->run);
  if (phase == GP__AFTER) {
    JSObjectRef r = JSObjectMake(ctx, NULL, NULL);
    gp__js_set(ctx, r, "value", in->result ? gp__js_from_json(ctx, in->result) : JSValueMakeNull(ctx));
    gp__js_set(ctx, r, "error", gp__str_or_null(ctx, in->error));
    gp__js_set(ctx, r, "durationMs", JSValueMakeNumber(ctx, (double)in->duration_ms));
    gp__js_set(ctx, o, "result", r);
  } else if (phase == GP__ON_ERROR) {
    gp__js_set(ctx, o, "attempt", JSValueMakeNumber(ctx, in->attempt));
    gp__js_set(ctx, o, "error", gp__str_or_null(ctx, in->error));
    gp__js_set(ctx, o, "defaultRetry", JSValueMakeBoolean(ctx, in->default_retry));
    gp__js_set(ctx, o, "defaultBackoffMs", JSValueMakeNumber(ctx, (double)in->default_backoff_ms));
  }
  return o;
}

/* ---- What a hook answers --------------------------------------------------------------- */

static int gp__has(JSContextRef ctx, JSObjectRef o, const char *name) {
  JSStringRef n = gp__js_string(name);
  int has = JSObjectHasProperty(ctx, o, n);
  JSStringRelease(n);
  return has;
}

static int gp__is_nullish(JSContextRef ctx, JSValueRef v) {
  return JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v);
}

/* An error message from an Error (its message), a string, or anything (String(v)). */
static char *gp__message_of(JSContextRef ctx, JSValueRef v) {
  if (gp__is_nullish(ctx, v)) return NULL;
  if (JSValueIsObject(ctx, v)) {
    JSValueRef m = gp__js_get(ctx, (JSObjectRef)v, "message");
    if (JSValueIsString(ctx, m)) return gp__js_to_cstr(ctx, m);
  }
  return gp__js_to_cstr(ctx, v);
}

/* A TypeError saying what a hook returned wrong. Returns -1. */
static int gp__bad_answer(JSContextRef ctx, int phase, const char *what, JSValueRef *exc) {
  gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "%s returned %s", gp__phase_names[phase], what);
  return -1;
}

/* {action:"abort", error} | {call:{name?, args?}} | {args} | undefined */
static int gp__decide_before(JSContextRef ctx, JSObjectRef o, const char *action,
                             gp_hook_decision_t *d, JSValueRef *exc) {
  if (action && !strcmp(action, "abort")) {
    d->action = GP_HOOK_ABORT;
    d->error = gp__message_of(ctx, gp__js_get(ctx, o, "error"));
    return 0;
  }
  if (action && strcmp(action, "continue") && strcmp(action, "rewrite"))
    return gp__bad_answer(ctx, GP__BEFORE, "an unknown action (use \"abort\", or {call:{name?, args?}} / {args})", exc);
  JSValueRef call = gp__js_get(ctx, o, "call");
  JSObjectRef src = o;
  if (JSValueIsObject(ctx, call)) {
    src = (JSObjectRef)call;
    JSValueRef name = gp__js_get(ctx, src, "name");
    if (JSValueIsString(ctx, name)) d->name = gp__js_to_cstr(ctx, name);
    else if (!gp__is_nullish(ctx, name)) return gp__bad_answer(ctx, GP__BEFORE, "a call.name that is not a string", exc);
  } else if (!gp__is_nullish(ctx, call)) {
    return gp__bad_answer(ctx, GP__BEFORE, "a `call` that is not an object", exc);
  }
  JSValueRef args = gp__js_get(ctx, src, "args");
  if (!JSValueIsUndefined(ctx, args)) {
    d->args = gp__js_to_json(ctx, args, exc);
    if (d->args == NULL) return -1;
  }
  if (d->name || d->args) d->action = GP_HOOK_REWRITE;
  return 0;
}

/* {result} | {error} | {action:"abort"} | undefined */
static int gp__decide_after(JSContextRef ctx, JSObjectRef o, const char *action,
                            gp_hook_decision_t *d, JSValueRef *exc) {
  if (action && !strcmp(action, "abort")) {
    d->action = GP_HOOK_ABORT;
    return 0;
  }
  if (action && strcmp(action, "continue"))
    return gp__bad_answer(ctx, GP__AFTER, "an unknown action (use {result}, {error} or {action:\"abort\"})", exc);
  JSValueRef e = gp__js_get(ctx, o, "error");
  if (!gp__is_nullish(ctx, e)) {
    d->action = GP_HOOK_SET_ERROR;
    d->error = gp__message_of(ctx, e);
    return 0;
  }
  if (gp__has(ctx, o, "result")) {
    JSValueRef r = gp__js_get(ctx, o, "result");
    json_t *j = gp__js_to_json(ctx, r, exc);
    if (j == NULL) return -1;
    d->action = GP_HOOK_SET_RESULT;
    if (json_is_null(j)) json_decref(j);
    else d->result = j;
  }
  return 0;
}

/* "retry" | "abort" | "continue" | {action, backoffMs?} | undefined */
static int gp__decide_on_error(JSContextRef ctx, JSObjectRef o, const char *action,
                               gp_hook_decision_t *d, JSValueRef *exc) {
  if (action == NULL) return 0;
  if (!strcmp(action, "retry")) {
    d->action = GP_HOOK_RETRY;
    JSValueRef b = o ? gp__js_get(ctx, o, "backoffMs") : JSValueMakeUndefined(ctx);
    if (JSValueIsNumber(ctx, b)) {
      double ms = JSValueToNumber(ctx, b, NULL);
      d->backoff_ms = ms > 0 ? (ms > 3.6e6 ? 3600000 : (int64_t)ms) : 0;
    } else if (!gp__is_nullish(ctx, b)) {
      return gp__bad_answer(ctx, GP__ON_ERROR, "a backoffMs that is not a number", exc);
    }
  } else if (!strcmp(action, "abort")) {
    d->action = GP_HOOK_ABORT;
  } else if (!strcmp(action, "continue")) {
    d->action = GP_HOOK_GIVE_UP;
  } else {
    return gp__bad_answer(ctx, GP__ON_ERROR, "an unknown action (use \"retry\", \"abort\" or \"continue\")", exc);
  }
  return 0;
}

/* Fills `d` from a hook's answer `v`. 0, or -1 with *exc. */
static int gp__decide(JSContextRef ctx, int phase, JSValueRef v, gp_hook_decision_t *d, JSValueRef *exc) {
  if (gp__is_nullish(ctx, v)) return 0;
  JSObjectRef o = NULL;
  char *action = NULL;
  if (JSValueIsString(ctx, v) && phase == GP__ON_ERROR) {
    action = gp__js_to_cstr(ctx, v);
  } else if (JSValueIsObject(ctx, v) && !JSValueIsArray(ctx, v)) {
    o = (JSObjectRef)v;
    JSValueRef a = gp__js_get(ctx, o, "action");
    if (JSValueIsString(ctx, a)) action = gp__js_to_cstr(ctx, a);
    else if (!gp__is_nullish(ctx, a)) return gp__bad_answer(ctx, phase, "an action that is not a string", exc);
  } else {
    return gp__bad_answer(ctx, phase, "neither an object nor undefined", exc);
  }
  int rc;
  switch (phase) {
  case GP__BEFORE: rc = gp__decide_before(ctx, o, action, d, exc); break;
  case GP__AFTER: rc = gp__decide_after(ctx, o, action, d, exc); break;
  default: rc = gp__decide_on_error(ctx, o, action, d, exc); break;
  }
  free(action);
  if (rc) gp_hook_decision_clear(d);
  return rc;
}

/* The answer of a hook that returned (or resolved with) `v`, or threw / rejected. */
static int gp__hook_answer(JSContextRef ctx, int phase, int failed, JSValueRef v, void **result) {
  gp__hook_answer_t *a = gp__xcalloc(1, sizeof *a);
  gp_hook_decision_clear(&a->d);
  *result = a;
  JSValueRef exc = NULL;
  if (!failed && gp__decide(ctx, phase, v, &a->d, &exc) == 0) return GP_OK;
  a->err = gp__js_error_to_c(ctx, failed ? v : exc, GP_ERR_HOOK_FAILED);
  a->err->code = GP_ERR_HOOK_FAILED; /* the hook's own failure: the policy decides */
  return GP_ERR_HOOK_FAILED;
}

/* The hook's arguments: (info). ud: the request. */
static size_t gp__hook_args(JSContextRef ctx, void *ud, JSValueRef argv[]) {
  gp__hook_req_t *q = ud;
  argv[0] = gp__info_obj(ctx, q->phase, q->info);
  return 1;
}

static int gp__hook_settle(JSContextRef ctx, void *ud, int rejected, JSValueRef v, void **result) {
  gp__hook_req_t *q = ud;
  return gp__hook_answer(ctx, q->phase, rejected, v, result);
}

static int gp__hook_fail(void *ud, gp_error_t *err, void **result) {
  (void)ud;
  gp__hook_answer_t *a = gp__xcalloc(1, sizeof *a);
  gp_hook_decision_clear(&a->d);
  *result = a;
  a->err = err;
  return err->code;
}

/* Owner side of a hook call. A runaway hook is interrupted when the call's token fires
 * (watchdog.c). The request outlives a settle: it is freed once the call is done. */
static int gp__hook_owner(void *arg, gp_owner_completion_t *c, void **result) {
  gp__hook_req_t *q = arg;
  gp__js_adapter_t a = {
      .fn = q->h->fn[q->phase], .cancel = q->info->cancel, .host = q->info->run.host.ptr,
      .args = gp__hook_args, .settle = gp__hook_settle, .fail = gp__hook_fail,
      .what = "the hook", .name = gp__phase_names[q->phase], .ud = q};
  return gp__js_adapter_call(q->h->rt, &a, c, result);
}

/* The owner's answer as the hook's outcome: fills *out, returns rc with *err. Frees a. */
static int gp__hook_outcome(int phase, int rc, gp__hook_answer_t *a, gp_hook_decision_t *out,
                            gp_error_t **err) {
  *err = NULL;
  if (rc == GP_OK && a) {
    *out = a->d;
    memset(&a->d, 0, sizeof a->d);
  } else if (rc != GP_OK) {
    if (a && a->err) {
      *err = a->err;
      a->err = NULL;
    } else {
      *err = gp_error_new(rc, "the %s hook did not run: %s", gp__phase_names[phase], gp_strerror(rc));
    }
  }
  gp__hook_answer_free(a);
  return rc;
}

/* The owner answered an asynchronous hop: finish the call's completion. */
static void gp__hook_done(void *ud, int rc, void *res) {
  gp__hook_req_t *q = ud;
  gp_tool_done_t *done = q->done;
  gp_error_t *err;
  rc = gp__hook_outcome(q->phase, rc, res, q->out, &err);
  free(q);
  gp_tool_done(done, rc, NULL, err);
}

/* The hook adapter (asynchronous): queues the hook on the owner and returns; no thread
 * waits while a returned Promise is pending. Inline on the owner thread itself. */
static void gp__hook_call(void *ud, int phase, const gp_hook_info_t *info, gp_hook_decision_t *out,
                          gp_tool_done_t *done) {
  gp__jshooks_t *h = ud;
  gp_dispatcher_t *d = gp__js_dispatcher(h->rt, info->run.host.ptr);
  gp_error_t *err;
  if (gp_owner_is_owner_thread(h->rt->owner)) {
    gp__hook_req_t q = {h, phase, info, out, NULL};
    void *res = NULL;
    int rc = gp_dispatcher_call(d, gp__phase_names[phase], gp__hook_owner, &q, info->cancel, &res,
                                gp__hook_answer_free);
    rc = gp__hook_outcome(phase, rc, res, out, &err);
    gp_tool_done(done, rc, NULL, err);
    return;
  }
  gp__hook_req_t *q = gp__xcalloc(1, sizeof *q);
  *q = (gp__hook_req_t){h, phase, info, out, done};
  int rc = gp_dispatcher_call_async(d, gp__phase_names[phase], gp__hook_owner, q, gp__hook_done, q,
                                    gp__hook_answer_free);
  if (rc != GP_OK) gp__hook_done(q, rc, NULL);
}

static void gp__before_cb(void *ud, const gp_hook_info_t *info, gp_hook_decision_t *out, gp_tool_done_t *done) {
  gp__hook_call(ud, GP__BEFORE, info, out, done);
}

static void gp__after_cb(void *ud, const gp_hook_info_t *info, gp_hook_decision_t *out, gp_tool_done_t *done) {
  gp__hook_call(ud, GP__AFTER, info, out, done);
}

static void gp__on_error_cb(void *ud, const gp_hook_info_t *info, gp_hook_decision_t *out, gp_tool_done_t *done) {
  gp__hook_call(ud, GP__ON_ERROR, info, out, done);
}

/* ---- Building hooks from a script's object ------------------------------------------ */

/* Rejects own keys that are not hook options (a typo would silently disable a hook). */
static int gp__check_keys(JSContextRef ctx, JSObjectRef o, JSValueRef *exc) {
  static const char *const known[] = {"beforeToolCall", "afterToolCall", "onToolError", "hookErrorPolicy"};
  JSPropertyNameArrayRef names = JSObjectCopyPropertyNames(ctx, o);
  size_t n = JSPropertyNameArrayGetCount(names);
  int rc = 0;
  for (size_t i = 0; i < n && rc == 0; i++) {
    char *k = gp__js_strdup(ctx, JSPropertyNameArrayGetNameAtIndex(names, i));
    int ok = 0;
    for (size_t j = 0; j < sizeof known / sizeof known[0]; j++) ok |= !strcmp(k, known[j]);
    if (!ok) {
      gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                   "toolHooks: unknown option '%s' (expected beforeToolCall, afterToolCall, "
                   "onToolError, hookErrorPolicy)", k);
      rc = -1;
    }
    free(k);
  }
  JSPropertyNameArrayRelease(names);
  return rc;
}

/* "fail-closed" (default) -> 0, "fail-open" -> 1, else -1 with *exc. */
static int gp__policy_of(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  if (gp__is_nullish(ctx, v)) return 0;
  char *s = JSValueIsString(ctx, v) ? gp__js_to_cstr(ctx, v) : NULL;
  int open = s && !strcmp(s, "fail-open") ? 1 : s && !strcmp(s, "fail-closed") ? 0 : -1;
  free(s);
  if (open < 0)
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                 "toolHooks.hookErrorPolicy must be \"fail-closed\" or \"fail-open\"");
  return open;
}

gp_tool_hooks_t *gp__js_hooks_from(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  if (gp__is_nullish(ctx, v)) return NULL;
  if (!JSValueIsObject(ctx, v) || JSValueIsArray(ctx, v)) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                 "toolHooks must be an object {beforeToolCall?, afterToolCall?, onToolError?, hookErrorPolicy?}");
    return NULL;
  }
  JSObjectRef o = (JSObjectRef)v;
  if (gp__check_keys(ctx, o, exc)) return NULL;
  int fail_open = gp__policy_of(ctx, gp__js_get(ctx, o, "hookErrorPolicy"), exc);
  if (fail_open < 0) return NULL;
  JSValueRef fns[GP__NPHASES];
  int any = 0;
  for (int i = 0; i < GP__NPHASES; i++) {
    fns[i] = gp__js_get(ctx, o, gp__phase_names[i]);
    if (gp__is_nullish(ctx, fns[i])) {
      fns[i] = NULL;
    } else if (!gp__js_is_function(ctx, fns[i])) {
      gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "toolHooks.%s must be a function", gp__phase_names[i]);
      return NULL;
    } else {
      any = 1;
    }
  }
  if (!any) return NULL;
  gp__jshooks_t *h = gp__xcalloc(1, sizeof *h);
  h->rt = rt;
  for (int i = 0; i < GP__NPHASES; i++) {
    if (fns[i] == NULL) continue;
    h->fn[i] = (JSObjectRef)fns[i];
    JSValueProtect(ctx, fns[i]);
  }
  return gp_tool_hooks_new_async(h->fn[GP__BEFORE] ? gp__before_cb : NULL, h->fn[GP__AFTER] ? gp__after_cb : NULL,
                           h->fn[GP__ON_ERROR] ? gp__on_error_cb : NULL, fail_open, h, gp__jshooks_free);
}

/* toolHooksCheck(obj): throws what createSession would throw for these hooks. */
static JSValueRef gp__hooks_check(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_tool_hooks_unref(gp__js_hooks_from(ctx, GP__ARG(0), exc));
  return JSValueMakeUndefined(ctx);
}

void gp__mod_hooks_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fn(ctx, native, "toolHooksCheck", gp__hooks_check);
}
