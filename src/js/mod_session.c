/* Natives behind sessions and runs (SPEC §4.7): Session objects (private data: a
 * gp_session_t), synchronous run() serviced through a private dispatcher, and
 * asynchronous runs whose events and settlement reach the owner through the event pump
 * (the per-run event queue with back-pressure is runq.c).
 *
 * Async run: start on the owner -> the run thread publishes events into a sink that
 * queues them on the run (in publish order); the first event of an empty queue lists
 * the run on the runtime's event pump (pump.c), whose one owner request at a time
 * drains the queues of the listed runs into their JS `onEvent`, so a streaming run
 * costs no owner request of its own per batch, and a thousand of them do not queue a
 * thousand requests ahead of everything else. The run's on_done lists it once more:
 * after its last event the pump settles it, calling `onSettle`.
 * Sync run: the same sink posts one drain per batch to a private dispatcher that this
 * (owner) thread services while it waits, so the run's JS callbacks and events execute
 * inline. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/session.h"
#include "inference/internal.h"
#include "js/js_private.h"
#include "js/runq.h"


static JSClassRef gp__session_class, gp__run_class;

/* ---- Sessions ----------------------------------------------------------------------- */

static void gp__session_finalize(JSObjectRef obj) { gp_session_free(JSObjectGetPrivate(obj)); }

static gp_session_t *gp__session_of(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  if (gp__session_class == NULL || !JSValueIsObjectOfClass(ctx, v, gp__session_class)) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "not a session");
    return NULL;
  }
  return JSObjectGetPrivate((JSObjectRef)v);
}

/* The `tools` (a registry from gp.tools, borrowed) and `toolHooks` (a new reference)
 * of a createSession config. 0, or -1 with *exc (a TypeError naming the option). */
static int gp__session_tools(JSContextRef ctx, JSObjectRef cfg, gp_registry_t **tools,
                             gp_tool_hooks_t **hooks, JSValueRef *exc) {
  *tools = NULL;
  *hooks = NULL;
  JSValueRef tv = gp__js_get(ctx, cfg, "tools");
  if (!JSValueIsUndefined(ctx, tv) && !JSValueIsNull(ctx, tv)) {
    *tools = gp__js_registry_of(ctx, tv);
    if (*tools == NULL) {
      gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                   "createSession: `tools` must be a registry from gp.tools.createRegistry()");
      return -1;
    }
  }
  JSValueRef hexc = NULL;
  *hooks = gp__js_hooks_from(ctx, gp__js_get(ctx, cfg, "toolHooks"), &hexc);
  if (hexc) {
    *exc = hexc;
    return -1;
  }
  return 0;
}

/* The `middlewares` of a createSession config (first = outermost): *out gets a heap
 * array of new references (n entries; free with gp__session_mws_free). 0, or -1 with
 * *exc (a TypeError naming the entry). */
static int gp__session_middlewares(JSContextRef ctx, JSObjectRef cfg, gp_middleware_t ***out,
                                   size_t *n, JSValueRef *exc) {
  *out = NULL;
  *n = 0;
  JSValueRef v = gp__js_get(ctx, cfg, "middlewares");
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) return 0;
  if (!JSValueIsArray(ctx, v)) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                 "createSession: `middlewares` must be an array of middlewares");
    return -1;
  }
  size_t len = (size_t)JSValueToNumber(ctx, gp__js_get(ctx, (JSObjectRef)v, "length"), NULL);
  gp_middleware_t **mws = gp__xcalloc(len ? len : 1, sizeof *mws);
  for (size_t i = 0; i < len; i++) {
    mws[i] = gp__js_middleware_from(ctx, JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)v,
                                                                    (unsigned)i, NULL));
    if (mws[i] == NULL) {
      for (size_t k = 0; k < i; k++) gp_middleware_unref(mws[k]);
      free(mws);
      gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                   "createSession: middlewares[%zu] must be a function or a middleware from "
                   "gp.middlewares (fromJS, native)", i);
      return -1;
    }
  }
  *out = mws;
  *n = len;
  return 0;
}

static void gp__session_mws_free(gp_middleware_t **mws, size_t n) {
  for (size_t i = 0; i < n; i++) gp_middleware_unref(mws[i]);
  free(mws);
}

static JSObjectRef gp__session_wrap(JSContextRef ctx, gp_session_t *s) {
  if (gp__session_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "NativeSession";
    def.finalize = gp__session_finalize;
    gp__session_class = JSClassCreate(&def);
  }
  return JSObjectMake(ctx, gp__session_class, s);
}

/* sessionNew({engine, middlewares?, toolLoop?, tools?, toolHooks?, store?, id?}) */
static JSValueRef gp__session_new(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  JSValueRef cfgv = GP__ARG(0);
  if (!JSValueIsObject(ctx, cfgv))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "createSession needs {engine}");
  JSObjectRef cfg = (JSObjectRef)cfgv;
  gp_engine_t *engine = gp__js_engine_of(ctx, gp__js_get(ctx, cfg, "engine"));
  if (engine == NULL)
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                        "createSession: `engine` must be an engine from gp.engines");
  gp_tool_settings_t settings;
  gp_tool_settings_init(&settings);
  JSValueRef tl = gp__js_get(ctx, cfg, "toolLoop");
  if (JSValueIsObject(ctx, tl)) {
    json_t *j = gp__js_to_json(ctx, tl, exc);
    if (j == NULL) return JSValueMakeUndefined(ctx);
    gp_error_t *err = NULL;
    int rc = gp_tool_settings_from_json(&settings, j, &err);
    json_decref(j);
    if (rc != 0) {
      gp__js_throw(ctx, exc, rc, 1, "toolLoop: %s", err ? err->message : "invalid settings");
      gp_error_free(err);
      gp_tool_settings_clear(&settings);
      return JSValueMakeUndefined(ctx);
    }
  }
  gp_registry_t *tools;
  gp_tool_hooks_t *hooks;
  if (gp__session_tools(ctx, cfg, &tools, &hooks, exc)) {
    gp_tool_settings_clear(&settings);
    return JSValueMakeUndefined(ctx);
  }
  gp_middleware_t **mws;
  size_t nmws;
  if (gp__session_middlewares(ctx, cfg, &mws, &nmws, exc)) {
    gp_tool_settings_clear(&settings);
    gp_tool_hooks_unref(hooks);
    return JSValueMakeUndefined(ctx);
  }
  gp_session_config_t sc = {.engine = engine, .settings = &settings};
  JSValueRef storev = gp__js_get(ctx, cfg, "store");
  if (!JSValueIsUndefined(ctx, storev) && !JSValueIsNull(ctx, storev)) {
    sc.store = gp__js_store_of(ctx, storev);
    if (sc.store == NULL) {
      gp_tool_settings_clear(&settings);
      gp_tool_hooks_unref(hooks);
      gp__session_mws_free(mws, nmws);
      return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                          "createSession: `store` must be a store from gp.stores");
    }
    sc.load_async = 1; /* the history loads off the owner; `session.ready` says when */
  }
  JSValueRef idv = gp__js_get(ctx, cfg, "id");
  char *id = JSValueIsString(ctx, idv) ? gp__js_to_cstr(ctx, idv) : NULL;
  sc.id = id;
  sc.tools = tools;
  sc.hooks = hooks;
  sc.middlewares = mws;
  sc.nmiddlewares = nmws;
  gp_error_t *err = NULL;
  gp_session_t *s = gp_session_new(&sc, &err);
  free(id);
  gp__session_mws_free(mws, nmws); /* the session holds its own references */
  gp_tool_settings_clear(&settings);
  gp_tool_hooks_unref(hooks); /* the session holds its own reference */
  if (s == NULL) {
    JSValueRef r = gp__js_throw(ctx, exc, err ? err->code : GP_ERR_INVALID_ARGUMENT, 0, "%s",
                                err ? err->message : "cannot create the session");
    gp_error_free(err);
    return r;
  }
  return gp__session_wrap(ctx, s);
}

#define GP__SESSION_OR_THROW(s)                                 \
  gp_session_t *s = gp__session_of(ctx, GP__ARG(0), exc);       \
  if (s == NULL) return JSValueMakeUndefined(ctx)

static JSValueRef gp__session_id(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__SESSION_OR_THROW(s);
  return gp__js_str(ctx, gp_session_id(s));
}

static JSValueRef gp__session_append(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__SESSION_OR_THROW(s);
  gp_turn_t *t = gp__js_to_turn(ctx, GP__ARG(1), exc);
  if (t == NULL) return JSValueMakeUndefined(ctx);
  gp_session_append(s, t);
  return JSValueMakeUndefined(ctx);
}

static JSValueRef gp__session_count(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__SESSION_OR_THROW(s);
  return JSValueMakeNumber(ctx, (double)gp_session_turn_count(s));
}

/* sessionGetTurn(s, i): i < 0 is the latest; null out of range. */
static JSValueRef gp__session_get(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__SESSION_OR_THROW(s);
  double i = JSValueToNumber(ctx, GP__ARG(1), NULL);
  gp_turn_t *t = NULL;
  if (i < 0) t = gp_session_latest(s);
  else if (i == (double)(size_t)i) t = gp_session_get_turn(s, (size_t)i);
  if (t == NULL) return JSValueMakeNull(ctx);
  return gp__js_take_turn(ctx, t);
}

/* sessionReady(s, cb): cb(err) / cb(null) once the history is loaded (stores). */
static JSValueRef gp__session_ready(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__SESSION_OR_THROW(s);
  JSObjectRef cb = gp__js_function_arg(ctx, GP__ARG(1), "sessionReady needs a callback", exc);
  if (cb == NULL) return JSValueMakeUndefined(ctx);
  gp__js_session_when_ready(ctx, s, (JSObjectRef)GP__ARG(0), cb);
  return JSValueMakeUndefined(ctx);
}

/* sessionIsReady(s) -> boolean: the history is loaded (or failed to). */
static JSValueRef gp__session_is_ready(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__SESSION_OR_THROW(s);
  return JSValueMakeBoolean(ctx, gp_session_is_ready(s));
}

/* sessionFork(s, newId?) -> a native session holding a copy of the history. */
static JSValueRef gp__session_fork(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__SESSION_OR_THROW(s);
  char *id = JSValueIsString(ctx, GP__ARG(1)) ? gp__js_to_cstr(ctx, GP__ARG(1)) : NULL;
  gp_error_t *err = NULL;
  gp_session_t *n = gp_session_fork(s, id, &err);
  free(id);
  if (n == NULL) {
    *exc = gp__js_error_from(ctx, err);
    gp_error_free(err);
    return JSValueMakeUndefined(ctx);
  }
  return gp__session_wrap(ctx, n);
}

static JSValueRef gp__session_cancel(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP__SESSION_OR_THROW(s);
  int c = gp_session_cancel_active(s);
  gp__js_sig_flush(gp__js_rt()); /* ctx.signal of its handlers aborts now, as an AbortController's */
  return JSValueMakeBoolean(ctx, c);
}

/* ---- Starting runs ------------------------------------------------------------------ */

static void *gp__host_ref(void *host) { return gp_dispatcher_ref(host); }
static void gp__host_unref(void *host) { gp_dispatcher_unref(host); }

/* The launch of an async run, posted to the owner: its thread begins in the owner's
 * next turn, so a cancel() right after start() (or in the same synchronous code) always
 * finds it not yet begun, whatever the thread timing (SPEC §4.7). The free launches:
 * it runs once whether the post ran or was refused (the owner closing). */

/* Reads seed and {timeoutMs, tags, output}; starts. Returns the run or NULL with *exc. */
static gp_run_t *gp__start(JSContextRef ctx, gp_session_t *s, JSValueRef seedv, JSValueRef optv,
                           gp__jsrun_t *r, JSValueRef *exc) {
  gp_turn_t *seed = NULL;
  gp_run_opts_t opts = {0};
  if (JSValueIsArray(ctx, seedv)) { /* blocks: they continue the conversation */
    JSObjectRef holder = JSObjectMake(ctx, NULL, NULL);
    gp__js_set(ctx, holder, "blocks", seedv);
    seed = gp__js_to_turn(ctx, holder, exc);
    if (seed == NULL) return NULL;
    opts.seed_mode = GP_SEED_CONTINUE;
  } else if (!JSValueIsUndefined(ctx, seedv) && !JSValueIsNull(ctx, seedv)) {
    seed = gp__js_to_turn(ctx, seedv, exc);
    if (seed == NULL) return NULL;
  }
  json_t *tags = NULL, *output = NULL;
  if (JSValueIsObject(ctx, optv)) {
    JSValueRef t = gp__js_get(ctx, (JSObjectRef)optv, "timeoutMs");
    if (JSValueIsNumber(ctx, t)) opts.timeout_ms = (int64_t)JSValueToNumber(ctx, t, NULL);
    JSValueRef tg = gp__js_get(ctx, (JSObjectRef)optv, "tags");
    if (JSValueIsObject(ctx, tg)) tags = gp__js_to_json(ctx, tg, NULL);
    JSValueRef ov = gp__js_get(ctx, (JSObjectRef)optv, "output");
    if (!JSValueIsUndefined(ctx, ov) && !JSValueIsNull(ctx, ov)) {
      output = gp__js_to_json(ctx, ov, exc);
      if (output == NULL) {
        json_decref(tags);
        gp_turn_free(seed);
        return NULL;
      }
    }
  }
  opts.tags = tags;
  opts.output = output;
  /* the run and its tool batches keep the dispatcher's memory alive: an abandoned tool
   * call may hop through it after a synchronous run() has closed it (a closed private
   * dispatcher forwards to the owner's queue) */
  opts.host = (gp_host_ref_t){r->d, gp__host_ref, gp__host_unref};
  opts.on_done = gp__jsrun_on_done;
  opts.on_done_ud = r;
  /* no listener, no sink: events of an unobserved run never cross to the owner */
  if (r->on_event) opts.sink = gp__jsrun_sink(r);
  gp_run_t *run = NULL;
  gp_error_t *err = NULL;
  int rc = gp__session_start_held(s, seed, &opts, &run, &err);
  /* listeners see every event before the run decides its outcome: a cancel() from one
   * (a partial listener of an engine that is already done) still ends it CANCELED */
  if (rc == 0 && opts.sink) gp__run_set_before_end(run, gp__jsrun_before_end, r);
  if (rc == 0 && r->sync) gp__run_launch(run);
  else if (rc == 0) gp__jsrun_launch_later(r, run);
  gp_sink_unref(opts.sink);
  json_decref(tags);
  json_decref(output);
  if (rc != 0) {
    if (err == NULL) err = gp_error_new(rc, NULL);
    *exc = gp__js_error_from(ctx, err);
    gp_error_free(err);
    return NULL;
  }
  r->run = run;
  r->id = gp__xstrdup(gp_run_id(run));
  gp__js_runs_add(r->rt, run); /* a SIGINT cancels it */
  gp__jsrun_stream_set(r, run);
  return run;
}

/* sessionRun(s, seed?, opts?, onEvent?) -> Turn; blocks this (owner) thread while the
 * run's own callbacks execute inline through a private dispatcher. */
static JSValueRef gp__session_run(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  GP__SESSION_OR_THROW(s);
  gp__jsrun_t *r = gp__jsrun_new(rt, ctx, GP__ARG(3));
  r->sync = 1;
  gp_dispatcher_t *d = gp_dispatcher_private_new(rt->owner);
  r->d = d;
  JSValueRef out = JSValueMakeUndefined(ctx);
  gp_run_t *run = gp__start(ctx, s, GP__ARG(1), GP__ARG(2), r, exc);
  if (run != NULL) {
    gp_dispatcher_wait_service(d, gp__jsrun_sync_done, r, NULL, -1);
    pthread_mutex_lock(&r->mu); /* the waker has left its critical section */
    pthread_mutex_unlock(&r->mu);
  }
  gp_dispatcher_private_close(d); /* delivers events still queued */
  gp_dispatcher_unref(d);
  r->d = NULL;
  if (run != NULL) {
    gp_turn_t *turn = NULL;
    gp_error_t *err = NULL;
    int rc = gp_run_wait(run, -1, &turn, &err);
    gp__js_runs_remove(rt, run);
    if (rc == GP_OK) {
      out = gp__js_from_turn(ctx, turn);
    } else {
      if (err == NULL) err = gp_error_new(rc, NULL);
      *exc = gp__js_error_from(ctx, err);
    }
    gp_turn_free(turn);
    gp_error_free(err);
    gp__jsrun_stream_set(r, NULL);
    gp_run_unref(r->run);
    r->run = NULL;
  }
  if (r->on_event) JSValueUnprotect(ctx, r->on_event);
  r->on_event = NULL;
  gp__jsrun_unref(r);
  return out;
}

static void gp__run_finalize(JSObjectRef obj) { gp__jsrun_unref(JSObjectGetPrivate(obj)); }

/* sessionStart(s, seed?, opts?, onEvent, onSettle) -> run object */
static JSValueRef gp__session_start(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  GP__SESSION_OR_THROW(s);
  JSObjectRef settle = gp__js_function_arg(ctx, GP__ARG(4), "sessionStart needs onSettle", exc);
  if (settle == NULL) return JSValueMakeUndefined(ctx);
  gp__jsrun_t *r = gp__jsrun_new(rt, ctx, GP__ARG(3));
  r->d = gp_owner_dispatcher(rt->owner);
  r->pump = gp__jsrun_pump(rt);
  if (gp__start(ctx, s, GP__ARG(1), GP__ARG(2), r, exc) == NULL) {
    if (r->on_event) JSValueUnprotect(ctx, r->on_event);
    gp__jsrun_unref(r);
    return JSValueMakeUndefined(ctx);
  }
  r->on_settle = (JSObjectRef)settle;
  JSValueProtect(ctx, settle);
  r->session_obj = (JSObjectRef)argv[0];
  JSValueProtect(ctx, argv[0]);
  gp__js_run_begin(rt);
  /* the settlement holds its own reference, taken now, dropped once settled (or when
     the owner closes first) */
  gp__jsrun_ref(r);
  if (gp__run_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "NativeRun";
    def.finalize = gp__run_finalize;
    gp__run_class = JSClassCreate(&def);
  }
  return JSObjectMake(ctx, gp__run_class, r);
}

static gp__jsrun_t *gp__run_of(JSContextRef ctx, JSValueRef v) {
  return gp__js_private_of(ctx, v, gp__run_class);
}

static JSValueRef gp__run_id(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                             size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__jsrun_t *r = gp__run_of(ctx, GP__ARG(0));
  return r && r->id ? gp__js_str(ctx, r->id) : JSValueMakeNull(ctx);
}

static JSValueRef gp__run_cancel(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp__jsrun_t *r = gp__run_of(ctx, GP__ARG(0));
  int c = r && r->run ? gp_run_cancel(r->run) : 0;
  gp__js_sig_flush(gp__js_rt()); /* ctx.signal of its handlers aborts now, as an AbortController's */
  return JSValueMakeBoolean(ctx, c);
}

/* outputCheck(output): throws the INVALID_ARGUMENT a run would fail with for this
 * structured-output option, so a session default is refused where it is given. */
static JSValueRef gp__output_check(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  json_t *output = gp__js_to_json(ctx, GP__ARG(0), exc);
  if (!output) return JSValueMakeUndefined(ctx);
  gp_error_t *err = NULL;
  int rc = gp__output_option_check(output, &err);
  json_decref(output);
  return rc ? gp__js_throw_c(ctx, exc, err) : JSValueMakeUndefined(ctx);
}

static const gp__js_fn_t gp__session_fns[] = {
    {"sessionNew", gp__session_new},       {"sessionId", gp__session_id},
    {"sessionAppend", gp__session_append}, {"sessionTurnCount", gp__session_count},
    {"sessionGetTurn", gp__session_get},   {"sessionCancelActive", gp__session_cancel},
    {"sessionRun", gp__session_run},       {"sessionStart", gp__session_start},
    {"runId", gp__run_id},                 {"runCancel", gp__run_cancel},
    {"sessionReady", gp__session_ready},   {"sessionIsReady", gp__session_is_ready},
    {"sessionFork", gp__session_fork},     {"outputCheck", gp__output_check},
};

void gp__mod_session_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fns(ctx, native, gp__session_fns, sizeof gp__session_fns / sizeof gp__session_fns[0]);
  gp__mod_store_init(ctx, native); /* stores belong to sessions (SPEC §4.12) */
}
