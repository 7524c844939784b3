/* Natives behind `gp.tools` (SPEC §4.4): registry objects (a JS class whose private
 * data is a gp_registry_t reference), JS tool handlers as gp_tool_cb adapters, and the
 * native tools a C host registers on a runtime (gp__js_runtime_add_native_tool).
 *
 * A JS handler is an asynchronous tool (gp_tool_async_cb): the adapter queues a request
 * on the owner through the run's dispatcher (gp_dispatcher_call_async) and returns the
 * worker to the pool; the request converts the arguments to JS and calls
 * handler(args, ctx). A returned Promise is awaited by deferred completion
 * (runAsync/start), its settlement finishing the call's gp_tool_done_t, or fails the
 * run with ASYNC_CALLBACK_IN_SYNC_RUN inside run(). ctx.signal is an AbortSignal (signal.c)
 * that aborts when the call's cancel token fires (run cancel or the call's
 * executionTimeoutMs). */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"
#include "core/json_depth.h"
#include "tools/tools.h"


static JSClassRef gp__registry_class;

/* ---- JS handlers as tools ------------------------------------------------------------ */

typedef struct {
  gp_js_runtime_t *rt;
  JSObjectRef handler;            /* protected; unprotected on the owner when dropped */
} gp__jstool_t;

typedef struct {
  gp__jstool_t *t;
  const gp_tool_ctx_t *tctx;      /* borrowed from the call's job until `done` */
  json_t *args;                   /* borrowed; read on the owner */
  gp_tool_done_t *done;           /* the call's completion; NULL for a synchronous hop */
} gp__call_req_t;

typedef struct {
  json_t *value;                  /* the result (owned; NULL: null) */
  gp_error_t *err;
} gp__tool_answer_t;

static void gp__tool_answer_free(void *p) {
  gp__tool_answer_t *a = p;
  if (a == NULL) return;
  json_decref(a->value);
  gp_error_free(a->err);
  free(a);
}

static void gp__jstool_free(void *p) {
  gp__jstool_t *t = p;
  gp__js_unprotect_later(t->rt, t->handler);
  free(t);
}

/* The handler's answer from what it returned / threw (thrown: `failed`). */
static int gp__tool_answer(JSContextRef ctx, int failed, JSValueRef v, void **result) {
  gp__tool_answer_t *a = gp__xcalloc(1, sizeof *a);
  *result = a;
  if (failed) {
    a->err = gp__js_error_to_c(ctx, v, GP_ERR_TOOL_FAILED);
    a->err->code = GP_ERR_TOOL_FAILED; /* the message is the tool's error; the run goes on */
    return GP_ERR_TOOL_FAILED;
  }
  JSValueRef exc = NULL;
  a->value = gp__js_to_json(ctx, v, &exc);
  if (a->value == NULL) {
    gp_error_t *e = gp__js_error_to_c(ctx, exc, GP_ERR_TOOL_FAILED);
    a->err = gp_error_new(GP_ERR_TOOL_FAILED, "the tool's result is not JSON-serialisable: %s", e->message);
    gp_error_free(e);
    return GP_ERR_TOOL_FAILED;
  }
  if (json_is_null(a->value)) {
    json_decref(a->value);
    a->value = NULL;
  }
  return GP_OK;
}

static JSObjectRef gp__tool_ctx_obj(JSContextRef ctx, const gp_tool_ctx_t *t, JSValueRef signal) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "toolName", gp__js_str(ctx, t->tool_name));
  gp__js_set(ctx, o, "callId", gp__js_str(ctx, t->call_id));
  gp__js_set_run(ctx, o, &t->run);
  gp__js_set(ctx, o, "deadlineMs", JSValueMakeNumber(ctx, (double)t->deadline_ms));
  gp__js_set(ctx, o, "signal", signal);
  return o;
}

/* One handler call on the owner: the request and the call's ctx.signal. */
typedef struct {
  gp__call_req_t *q;              /* borrowed: gone once the call is abandoned */
  gp__js_sig_t *sig;
} gp__tool_call_t;

static void gp__tool_call_free(void *p) {
  gp__tool_call_t *w = p;
  gp__js_sig_release(w->sig);
  free(w);
}

/* The handler's arguments: (args, ctx). */
static size_t gp__tool_args(JSContextRef ctx, void *ud, JSValueRef argv[]) {
  gp__tool_call_t *w = ud;
  const gp_tool_ctx_t *tctx = w->q->tctx;
  JSValueRef signal = gp__js_sig_new(w->q->t->rt, ctx, tctx->cancel, tctx->run.host.ptr, 1, &w->sig);
  argv[0] = gp__js_from_json(ctx, w->q->args);
  argv[1] = gp__tool_ctx_obj(ctx, tctx, signal);
  return 2;
}

/* The handler's answer from what it returned / threw, or its promise gave. */
static int gp__tool_settle(JSContextRef ctx, void *ud, int rejected, JSValueRef v, void **result) {
  gp__tool_call_t *w = ud;
  gp__js_sig_finish(w->sig); /* no abort once the handler has answered */
  return gp__tool_answer(ctx, rejected, v, result);
}

static int gp__tool_fail(void *ud, gp_error_t *err, void **result) {
  (void)ud;
  gp__tool_answer_t *a = gp__xcalloc(1, sizeof *a);
  *result = a;
  a->err = err;
  return err->code;
}

/* Owner side of a tool call. A runaway handler is interrupted at the call's deadline
 * or cancel (watchdog.c). */
static int gp__jstool_owner(void *arg, gp_owner_completion_t *c, void **result) {
  gp__call_req_t *q = arg;
  gp__tool_call_t *w = gp__xcalloc(1, sizeof *w);
  w->q = q;
  gp__js_adapter_t a = {
      .fn = q->t->handler, .deadline_ms = q->tctx->deadline_ms,
      .limit = "the tool's executionTimeoutMs", .cancel = q->tctx->cancel,
      .host = q->tctx->run.host.ptr,
      .args = gp__tool_args, .settle = gp__tool_settle, .fail = gp__tool_fail,
      .what = "the handler of tool", .name = q->tctx->tool_name, .ud = w, .ud_free = gp__tool_call_free};
  return gp__js_adapter_call(q->t->rt, &a, c, result);
}

/* The owner's answer as the handler's outcome: (rc, *value, *err). Frees `a`. */
static int gp__tool_outcome(const gp_tool_ctx_t *tctx, int rc, gp__tool_answer_t *a, json_t **value,
                            gp_error_t **err) {
  *value = NULL;
  *err = NULL;
  if (rc == GP_OK) {
    *value = a ? a->value : NULL;
    if (a) a->value = NULL;
  } else if (a && a->err) {
    *err = a->err;
    a->err = NULL;
  } else {
    *err = gp_error_new(rc, "tool %s did not run: %s", tctx->tool_name, gp_strerror(rc));
  }
  gp__tool_answer_free(a);
  return rc;
}

/* The owner answered an asynchronous hop (owner thread, or the thread shutting it
 * down): finish the call's completion, which queues the rest of the call on a worker. */
static void gp__jstool_done(void *ud, int rc, void *res) {
  gp__call_req_t *q = ud;
  json_t *value;
  gp_error_t *err;
  gp_tool_done_t *done = q->done;
  rc = gp__tool_outcome(q->tctx, rc, res, &value, &err);
  free(q);
  gp_tool_done(done, rc, value, err);
}

/* The handler adapter (asynchronous): queues the call on the owner and returns; no
 * thread waits while a returned Promise is pending. On the owner thread itself (a
 * direct gp_registry_call) the hop runs inline instead. */
static void gp__jstool_acb(void *ud, const gp_tool_ctx_t *tctx, json_t *args, gp_tool_done_t *done) {
  gp__jstool_t *t = ud;
  gp_dispatcher_t *d = gp__js_dispatcher(t->rt, tctx->run.host.ptr);
  json_t *value;
  gp_error_t *err;
  if (gp_owner_is_owner_thread(t->rt->owner)) {
    gp__call_req_t q = {t, tctx, args, NULL};
    void *res = NULL;
    int rc = gp_dispatcher_call(d, "tool.handler", gp__jstool_owner, &q, tctx->cancel, &res, gp__tool_answer_free);
    rc = gp__tool_outcome(tctx, rc, res, &value, &err);
    gp_tool_done(done, rc, value, err);
    return;
  }
  gp__call_req_t *q = gp__xcalloc(1, sizeof *q);
  *q = (gp__call_req_t){t, tctx, args, done};
  int rc = gp_dispatcher_call_async(d, "tool.handler", gp__jstool_owner, q, gp__jstool_done, q,
                                    gp__tool_answer_free);
  if (rc != GP_OK) gp__jstool_done(q, rc, NULL);
}

/* ---- Native tools of the runtime ----------------------------------------------------- */

/* A registry entry that forwards to a native tool of the runtime. */
typedef struct {
  gp_registry_t *src;             /* reference to rt->native_tools */
  char *name;
} gp__fwd_t;

static void gp__fwd_free(void *p) {
  gp__fwd_t *f = p;
  gp_registry_unref(f->src);
  free(f->name);
  free(f);
}

static int gp__fwd_cb(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result, gp_error_t **err) {
  gp__fwd_t *f = ud;
  return gp_registry_call(f->src, ctx, f->name, args, result, err);
}

typedef struct {
  gp_js_runtime_t *rt;
  const char *name, *description;
  json_t *params;                 /* borrowed */
  gp_tool_cb cb;
  void *ud;
  void (*free_ud)(void *ud);
  int consumed;                   /* the registry took (or freed) ud */
  gp_error_t *err;
} gp__native_add_t;

static int gp__native_add_owner(void *arg, gp_owner_completion_t *c, void **result) {
  gp__native_add_t *q = arg;
  gp_js_runtime_t *rt = q->rt;
  GP_JS_ASSERT(rt);
  q->consumed = 1;
  if (rt->native_tools == NULL) rt->native_tools = gp_registry_new();
  if (q->name && gp_registry_has(rt->native_tools, q->name)) {
    if (q->free_ud) q->free_ud(q->ud);
    return gp_error_set(&q->err, GP_ERR_INVALID_ARGUMENT, "a native tool named %s is already registered",
                        q->name);
  }
  return gp_registry_add(rt->native_tools, q->name, q->description, q->params, q->cb, q->ud,
                         q->free_ud, &q->err);
}

int gp__js_runtime_add_native_tool(gp_js_runtime_t *rt, const char *name, const char *description,
                                  const char *parameters_json, gp_tool_cb cb, void *ud,
                                  void (*free_ud)(void *ud), gp_error_t **err) {
  json_t *params = NULL;
  if (parameters_json) {
    json_error_t jerr;
    params = gp__json_loads(parameters_json, 0, &jerr);
    if (params == NULL) {
      if (free_ud) free_ud(ud);
      return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "native tool %s: parameters are not JSON: %s",
                          name ? name : "(null)", jerr.text);
    }
  }
  gp__native_add_t q = {rt, name, description, params, cb, ud, free_ud, 0, NULL};
  int rc = gp_owner_call(rt->owner, "tools.addNative", gp__native_add_owner, &q, NULL, NULL, NULL);
  json_decref(params);
  if (!q.consumed && free_ud) free_ud(ud);
  if (rc != GP_OK && q.err == NULL) q.err = gp_error_new(rc, NULL);
  if (err) *err = q.err;
  else gp_error_free(q.err);
  return rc;
}

/* ---- Registry objects ---------------------------------------------------------------- */

static void gp__registry_finalize(JSObjectRef obj) { gp_registry_unref(JSObjectGetPrivate(obj)); }

gp_registry_t *gp__js_registry_of(JSContextRef ctx, JSValueRef v) {
  return gp__js_private_of(ctx, v, gp__registry_class);
}

#define GP__REGISTRY_OR_THROW(r)                                                        \
  gp_registry_t *r = gp__js_registry_of(ctx, GP__ARG(0));                               \
  if (r == NULL) return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "not a tool registry")

/* Throws err (its code; a TypeError for INVALID_ARGUMENT) and frees it. */
/* registryNew() -> a registry object (the JS side sets its prototype). */
static JSValueRef gp__registry_new(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  if (gp__registry_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "ToolRegistry";
    def.finalize = gp__registry_finalize;
    gp__registry_class = JSClassCreate(&def);
  }
  return JSObjectMake(ctx, gp__registry_class, gp_registry_new());
}

/* JSON of an optional argument (undefined/null: *out NULL). 0, or -1 with *exc. */
static int gp__opt_json(JSContextRef ctx, JSValueRef v, json_t **out, JSValueRef *exc) {
  *out = NULL;
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) return 0;
  *out = gp__js_to_json(ctx, v, exc);
  return *out ? 0 : -1;
}

/* registryAdd(reg, name, description, parameters, handler); the JS side checked types. */
static JSValueRef gp__registry_add(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  GP__REGISTRY_OR_THROW(reg);
  JSValueRef h = GP__ARG(4);
  if (!JSValueIsString(ctx, GP__ARG(1)) || !gp__js_is_function(ctx, h))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "register needs {name, handler}");
  json_t *params;
  if (gp__opt_json(ctx, GP__ARG(3), &params, exc)) return JSValueMakeUndefined(ctx);
  char *name = gp__js_to_cstr(ctx, argv[1]);
  char *desc = JSValueIsString(ctx, GP__ARG(2)) ? gp__js_to_cstr(ctx, argv[2]) : NULL;
  gp_error_t *err = NULL;
  if (gp_registry_has(reg, name)) {
    err = gp_error_new(GP_ERR_INVALID_ARGUMENT,
                       "a tool named %s is already registered in this registry; pick another name", name);
  } else {
    gp__jstool_t *t = gp__xcalloc(1, sizeof *t);
    t->rt = rt;
    t->handler = (JSObjectRef)h;
    JSValueProtect(ctx, h);
    gp_registry_add_async(reg, name, desc, params, gp__jstool_acb, t, gp__jstool_free, &err);
  }
  free(name);
  free(desc);
  json_decref(params);
  if (err) return gp__js_throw_c(ctx, exc, err);
  return JSValueMakeUndefined(ctx);
}

/* The names of the runtime's native tools, "a, b" (heap). */
static char *gp__native_names(gp_registry_t *native) {
  json_t *defs = gp_registry_defs(native, NULL, 0);
  gp_buf_t b = {0};
  size_t i;
  json_t *d;
  json_array_foreach(defs, i, d) gp__buf_printf(&b, "%s%s", i ? ", " : "", json_string_value(json_object_get(d, "name")));
  json_decref(defs);
  return b.data ? gp__buf_steal(&b) : gp__xstrdup("none");
}

/* Heap copies of names[] (an array of strings, checked by the JS side). */
static char **gp__names_of(JSContextRef ctx, JSValueRef v, size_t *n) {
  *n = 0;
  if (!JSValueIsObject(ctx, v)) return NULL;
  JSObjectRef a = (JSObjectRef)v;
  size_t len = (size_t)JSValueToNumber(ctx, gp__js_get(ctx, a, "length"), NULL);
  char **names = gp__xcalloc(len ? len : 1, sizeof *names);
  for (size_t i = 0; i < len; i++) names[i] = gp__js_to_cstr(ctx, JSObjectGetPropertyAtIndex(ctx, a, (unsigned)i, NULL));
  *n = len;
  return names;
}

static void gp__names_free(char **names, size_t n) {
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

/* Checks that every name is a native tool and free in `reg`; NULL or the error. */
static gp_error_t *gp__native_check(gp_registry_t *reg, gp_registry_t *native, char **names, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (names[i] == NULL || !gp_registry_has(native, names[i])) {
      char *known = gp__native_names(native);
      gp_error_t *e = gp_error_new(GP_ERR_TOOL_NOT_FOUND,
                                   "no native tool named %s; the host registered: %s",
                                   names[i] ? names[i] : "(null)", known);
      free(known);
      return e;
    }
    if (gp_registry_has(reg, names[i]))
      return gp_error_new(GP_ERR_INVALID_ARGUMENT,
                          "a tool named %s is already registered in this registry", names[i]);
  }
  return NULL;
}

/* registryUseNative(reg, names?): adds the runtime's native tools (all, or those named). */
static JSValueRef gp__registry_use_native(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                          size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  GP__REGISTRY_OR_THROW(reg);
  gp_registry_t *native = rt->native_tools ? rt->native_tools : gp_registry_new();
  if (rt->native_tools == NULL) rt->native_tools = native;
  size_t n = 0;
  char **names = gp__names_of(ctx, GP__ARG(1), &n);
  json_t *defs;
  gp_error_t *err = NULL;
  if (names) {
    err = gp__native_check(reg, native, names, n);
    defs = err ? json_array() : gp_registry_defs(native, (const char *const *)names, n);
  } else {
    defs = gp_registry_defs(native, NULL, 0);
    size_t i;
    json_t *d;
    json_array_foreach(defs, i, d) {
      const char *name = json_string_value(json_object_get(d, "name"));
      if (err == NULL && gp_registry_has(reg, name))
        err = gp_error_new(GP_ERR_INVALID_ARGUMENT, "a tool named %s is already registered in this registry",
                           name);
    }
  }
  size_t i;
  json_t *d;
  json_array_foreach(defs, i, d) {
    if (err) break;
    gp__fwd_t *f = gp__xcalloc(1, sizeof *f);
    f->src = gp_registry_ref(native);
    f->name = gp__xstrdup(json_string_value(json_object_get(d, "name")));
    gp_registry_add(reg, f->name, json_string_value(json_object_get(d, "description")),
                    json_object_get(d, "parameters"), gp__fwd_cb, f, gp__fwd_free, &err);
  }
  json_decref(defs);
  gp__names_free(names, n);
  if (err) return gp__js_throw_c(ctx, exc, err);
  return JSValueMakeUndefined(ctx);
}

/* registryList(reg) -> [{name, description}] in registration order. */
static JSValueRef gp__registry_list(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__REGISTRY_OR_THROW(reg);
  json_t *defs = gp_registry_defs(reg, NULL, 0);
  size_t i;
  json_t *d;
  json_array_foreach(defs, i, d) json_object_del(d, "parameters");
  return gp__js_take_json(ctx, defs);
}

/* registryCall(reg, name, args): a native (C) tool, run here on the owner thread. */
static JSValueRef gp__registry_call(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  GP__REGISTRY_OR_THROW(reg);
  json_t *args;
  if (gp__opt_json(ctx, GP__ARG(2), &args, exc)) return JSValueMakeUndefined(ctx);
  char *name = gp__js_to_cstr(ctx, GP__ARG(1));
  json_t *tags = json_object();
  gp_tool_ctx_t tctx = {.run = {.session_id = "", .run_id = "", .tags = tags},
                        .tool_name = name, .call_id = "direct"};
  json_t *res = NULL;
  gp_error_t *err = NULL;
  int rc = gp_registry_call(reg, &tctx, name, args, &res, &err);
  free(name);
  json_decref(tags);
  json_decref(args);
  if (rc != GP_OK) return gp__js_throw_c(ctx, exc, err ? err : gp_error_new(rc, NULL));
  return res ? gp__js_take_json(ctx, res) : JSValueMakeNull(ctx);
}

/* registryJSTool(reg, name) -> {handler, parameters} of a tool registered from JS, or
 * undefined (no such tool, or a native or MCP one): the registry is the one record. */
static JSValueRef gp__registry_js_tool(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  GP__REGISTRY_OR_THROW(reg);
  char *name = gp__js_to_cstr(ctx, GP__ARG(1));
  gp__tool_t *t = name ? gp__registry_lookup(reg, name) : NULL;
  free(name);
  JSValueRef v = JSValueMakeUndefined(ctx);
  if (t && t->acb == gp__jstool_acb) {
    JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
    gp__js_set(ctx, o, "handler", ((gp__jstool_t *)t->ud)->handler);
    gp__js_set(ctx, o, "parameters",
               t->parameters ? gp__js_from_json(ctx, t->parameters) : JSValueMakeUndefined(ctx));
    v = o;
  }
  gp__tool_unref(t);
  return v;
}

/* isRegistry(v) */
static JSValueRef gp__is_registry(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return JSValueMakeBoolean(ctx, gp__js_registry_of(ctx, GP__ARG(0)) != NULL);
}

/* schemaValidate(schema, value) -> null, or "PATH: REASON". */
static JSValueRef gp__schema_validate(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  json_t *schema, *value;
  if (gp__opt_json(ctx, GP__ARG(0), &schema, exc)) return JSValueMakeUndefined(ctx);
  value = gp__js_to_json(ctx, GP__ARG(1), exc);
  if (value == NULL) {
    json_decref(schema);
    return JSValueMakeUndefined(ctx);
  }
  gp_error_t *err = NULL;
  JSValueRef v = JSValueMakeNull(ctx);
  if (gp_schema_validate(schema, value, &err) != 0) v = gp__js_str(ctx, err ? err->message : "invalid");
  gp_error_free(err);
  json_decref(schema);
  json_decref(value);
  return v;
}

static const gp__js_fn_t gp__tools_fns[] = {
    {"registryNew", gp__registry_new},   {"registryAdd", gp__registry_add},
    {"registryUseNative", gp__registry_use_native},
    {"registryList", gp__registry_list}, {"registryCall", gp__registry_call},
    {"registryJSTool", gp__registry_js_tool}, {"isRegistry", gp__is_registry},
    {"schemaValidate", gp__schema_validate},
};

void gp__mod_tools_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fns(ctx, native, gp__tools_fns, sizeof gp__tools_fns / sizeof gp__tools_fns[0]);
}
