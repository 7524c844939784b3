/* Natives behind `gp.engines`: engine objects (a JS class whose private data is a
 * gp_engine_t reference) for the echo engine and for JS functions.
 *
 * The JS-function engine is an adapter: its infer callback runs on the run thread and
 * hops to the owner through the run's dispatcher; the turn is converted to JS and back
 * inside that owner request, which is the adapter primitive (adapter.c): a returned
 * Promise is awaited with the run's cancel token (runAsync/start), or fails the run with
 * ASYNC_CALLBACK_IN_SYNC_RUN inside run(); a function still running at the run's deadline
 * (or when the run is canceled) is interrupted and the run fails with TIMEOUT (CANCELED). */
#include <stdlib.h>

#include "core/core.h"
#include "geppetto/engine.h"
#include "js/js_private.h"


static JSClassRef gp__engine_class;

typedef struct {
  gp_js_runtime_t *rt;
  JSObjectRef fn;                 /* protected; unprotected on the owner at destroy */
} gp__fn_engine_t;

typedef struct {
  gp__fn_engine_t *e;
  gp_infer_ctx_t *ictx;           /* borrowed from the waiting run thread */
  gp_turn_t *turn;                /* borrowed, read on the owner while the caller waits */
} gp__infer_req_t;

/* One engine call on the owner: the request, then the protected input turn object
 * (NULL once released) and the call's ctx.signal. */
typedef struct {
  gp__infer_req_t *q;             /* borrowed: gone once the call is abandoned */
  gp_js_runtime_t *rt;
  JSValueRef input;
  gp__js_sig_t *sig;
} gp__engine_call_t;

/* Any thread: the call's last holder lets go. */
static void gp__engine_call_free(void *p) {
  gp__engine_call_t *w = p;
  gp__js_sig_release(w->sig);
  if (w->input) gp__js_unprotect_later(w->rt, w->input);
  free(w);
}

/* The function's arguments: (turn, ctx). */
static size_t gp__engine_args(JSContextRef ctx, void *ud, JSValueRef argv[]) {
  gp__engine_call_t *w = ud;
  const gp_run_info_t *run = &w->q->ictx->run;
  JSValueRef signal = gp__js_sig_new(w->rt, ctx, run->cancel, run->host.ptr, 0, &w->sig);
  w->input = argv[0] = gp__js_from_turn(ctx, w->q->turn);
  JSValueProtect(ctx, w->input);
  argv[1] = gp__js_infer_ctx(ctx, w->q->ictx, signal);
  return 2;
}

/* The engine's answer from what the function returned / threw, or its promise gave. */
static int gp__engine_settle(JSContextRef ctx, void *ud, int rejected, JSValueRef v, void **result) {
  gp__engine_call_t *w = ud;
  JSValueRef input = w->input;
  gp__js_sig_finish(w->sig); /* no abort once the function has answered */
  int rc;
  if (rejected) { /* the input turn object as it stands is the partial output */
    gp_error_t *err = gp__js_error_to_c(ctx, v, GP_ERR_JS_EXCEPTION);
    JSValueRef ignored = NULL;
    rc = gp__js_turn_answer(gp__js_to_turn(ctx, input, &ignored), err, result);
  } else {
    rc = gp__js_turn_answer_from(ctx, v, input, NULL, result);
  }
  JSValueUnprotect(ctx, input);
  w->input = NULL;
  return rc;
}

static int gp__engine_fail(void *ud, gp_error_t *err, void **result) {
  (void)ud;
  return gp__js_turn_answer(NULL, err, result);
}

/* Owner side of an engine call. */
static int gp__fn_infer_owner(void *arg, gp_owner_completion_t *c, void **result) {
  gp__infer_req_t *q = arg;
  gp__engine_call_t *w = gp__xcalloc(1, sizeof *w);
  w->q = q;
  w->rt = q->e->rt;
  gp__js_adapter_t a = {
      .fn = q->e->fn, .deadline_ms = q->ictx->run.deadline_ms, .cancel = q->ictx->run.cancel,
      .host = q->ictx->run.host.ptr, .args = gp__engine_args, .settle = gp__engine_settle,
      .fail = gp__engine_fail,
      .what = "the engine function", .name = NULL, .ud = w, .ud_free = gp__engine_call_free};
  return gp__js_adapter_call(q->e->rt, &a, c, result);
}

/* Run thread: hop to the owner, then take the new turn. */
static int gp__fn_infer(void *impl, gp_infer_ctx_t *ictx, gp_turn_t *turn, gp_error_t **err) {
  gp__fn_engine_t *e = impl;
  gp__infer_req_t q = {e, ictx, turn};
  void *res = NULL;
  int rc = gp_dispatcher_call(gp__js_dispatcher(e->rt, ictx->run.host.ptr), "engine.fromFunction",
                              gp__fn_infer_owner, &q, ictx->run.cancel, &res, gp__js_turn_answer_free);
  gp__js_turn_answer_t *a = res;
  if (a && a->turn) { /* the new turn, or on failure the partial one */
    gp_turn_replace(turn, a->turn);
    a->turn = NULL;
  }
  if (rc != GP_OK) {
    if (a && a->err) {
      if (err) *err = a->err;
      else gp_error_free(a->err);
      a->err = NULL;
    } else {
      gp_error_set(err, rc, NULL);
    }
  }
  gp__js_turn_answer_free(a);
  return rc;
}

static void gp__fn_destroy(void *impl) {
  gp__fn_engine_t *e = impl;
  gp__js_unprotect_later(e->rt, e->fn);
  free(e);
}

static const gp_engine_vtable_t gp__fn_vtable = {"js", gp__fn_infer, gp__fn_destroy};

/* ---- Engine objects ----------------------------------------------------------------- */

static void gp__engine_finalize(JSObjectRef obj) { gp_engine_unref(JSObjectGetPrivate(obj)); }

JSObjectRef gp__js_engine_wrap(JSContextRef ctx, gp_engine_t *e) {
  if (gp__engine_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "Engine";
    def.finalize = gp__engine_finalize;
    gp__engine_class = JSClassCreate(&def);
  }
  return JSObjectMake(ctx, gp__engine_class, e);
}

gp_engine_t *gp__js_engine_of(JSContextRef ctx, JSValueRef v) {
  return gp__js_private_of(ctx, v, gp__engine_class);
}

/* engineEcho(reply?, wordDelayMs?) */
static JSValueRef gp__engine_echo(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  char *reply = NULL;
  if (JSValueIsString(ctx, GP__ARG(0))) reply = gp__js_to_cstr(ctx, argv[0]);
  int delay = JSValueIsNumber(ctx, GP__ARG(1)) ? (int)JSValueToNumber(ctx, argv[1], NULL) : 0;
  gp_engine_t *e = gp_engine_echo(reply, delay);
  free(reply);
  return gp__js_engine_wrap(ctx, e);
}

/* engineFromFunction(fn) */
static JSValueRef gp__engine_from_function(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                           size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  JSObjectRef f = gp__js_function_arg(ctx, GP__ARG(0),
                                      "engines.fromFunction needs a function (turn, ctx) => Turn", exc);
  if (f == NULL) return JSValueMakeUndefined(ctx);
  gp__fn_engine_t *impl = gp__xcalloc(1, sizeof *impl);
  impl->rt = gp__js_rt();
  impl->fn = f;
  JSValueProtect(ctx, f);
  return gp__js_engine_wrap(ctx, gp_engine_new(&gp__fn_vtable, impl, NULL));
}

/* engineInfo(engine) -> {provider, model} */
static JSValueRef gp__engine_info(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_engine_t *e = gp__js_engine_of(ctx, GP__ARG(0));
  if (e == NULL) return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "not an engine");
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "provider", gp__js_str(ctx, gp_engine_provider(e)));
  const char *model = gp_engine_model(e);
  gp__js_set(ctx, o, "model", model ? gp__js_str(ctx, model) : JSValueMakeNull(ctx));
  return o;
}

static const gp__js_fn_t gp__engine_fns[] = {
    {"engineEcho", gp__engine_echo},
    {"engineFromFunction", gp__engine_from_function},
    {"engineInfo", gp__engine_info},
};

void gp__mod_engines_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fns(ctx, native, gp__engine_fns, sizeof gp__engine_fns / sizeof gp__engine_fns[0]);
}
