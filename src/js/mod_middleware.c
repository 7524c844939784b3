/* Natives behind `gp.middlewares` (SPEC §4.3): middleware objects (a JS class whose
 * private data is a gp_middleware_t reference) for built-ins and for JS functions (the
 * adapter of a JS function, its mailbox protocol and switching, is switch.c). */
#include <stdlib.h>

#include "core/core.h"
#include "geppetto/middleware.h"
#include "js/js_private.h"


static JSClassRef gp__mw_class;

/* ---- Middleware objects -------------------------------------------------------------- */

static void gp__mw_finalize(JSObjectRef obj) { gp_middleware_unref(JSObjectGetPrivate(obj)); }

/* A middleware object (takes the reference `m`), with a read-only `name`. */
static JSObjectRef gp__mw_wrap(JSContextRef ctx, gp_middleware_t *m) {
  if (gp__mw_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "Middleware";
    def.finalize = gp__mw_finalize;
    gp__mw_class = JSClassCreate(&def);
  }
  JSObjectRef o = JSObjectMake(ctx, gp__mw_class, m);
  JSStringRef n = gp__js_string("name");
  JSObjectSetProperty(ctx, o, n, gp__js_str(ctx, gp_middleware_name(m)),
                      kJSPropertyAttributeReadOnly | kJSPropertyAttributeDontDelete, NULL);
  JSStringRelease(n);
  return o;
}

gp_middleware_t *gp__js_middleware_of(JSContextRef ctx, JSValueRef v) {
  return gp__js_private_of(ctx, v, gp__mw_class);
}


gp_middleware_t *gp__js_middleware_from(JSContextRef ctx, JSValueRef v) {
  gp_middleware_t *m = gp__js_middleware_of(ctx, v);
  if (m) return gp_middleware_ref(m);
  if (gp__js_is_function(ctx, v))
    return gp__js_mw_new(ctx, gp__js_rt(), (JSObjectRef)v, NULL);
  return NULL;
}

/* middlewareFromJS(fn, name?) */
static JSValueRef gp__mw_from_js(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  JSObjectRef f = gp__js_function_arg(ctx, GP__ARG(0),
                                      "middlewares.fromJS needs a function (turn, next, ctx) => Turn", exc);
  if (f == NULL) return JSValueMakeUndefined(ctx);
  char *name = NULL;
  if (JSValueIsString(ctx, GP__ARG(1))) name = gp__js_to_cstr(ctx, argv[1]);
  else if (!JSValueIsUndefined(ctx, GP__ARG(1)) && !JSValueIsNull(ctx, argv[1]))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "middlewares.fromJS: name must be a string");
  gp_middleware_t *m = gp__js_mw_new(ctx, gp__js_rt(), f, name);
  free(name);
  return gp__mw_wrap(ctx, m);
}

/* middlewareNative(name, options?) */
static JSValueRef gp__mw_native(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  if (!JSValueIsString(ctx, GP__ARG(0)))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                        "middlewares.native needs the name of a built-in middleware");
  json_t *opts = NULL;
  JSValueRef ov = GP__ARG(1);
  if (!JSValueIsUndefined(ctx, ov) && !JSValueIsNull(ctx, ov)) {
    if (!JSValueIsObject(ctx, ov))
      return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                          "middlewares.native: options must be an object");
    opts = gp__js_to_json(ctx, ov, exc);
    if (opts == NULL) return JSValueMakeUndefined(ctx);
  }
  char *name = gp__js_to_cstr(ctx, argv[0]);
  gp_error_t *err = NULL;
  gp_middleware_t *m = gp_middleware_builtin(name, opts, &err);
  free(name);
  json_decref(opts);
  if (m == NULL) {
    JSValueRef r = gp__js_throw(ctx, exc, err ? err->code : GP_ERR_INVALID_ARGUMENT, 1, "%s",
                                err ? err->message : "invalid middleware");
    gp_error_free(err);
    return r;
  }
  return gp__mw_wrap(ctx, m);
}

static JSValueRef gp__mw_is(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc) {
  return JSValueMakeBoolean(ctx, gp__js_middleware_of(ctx, GP__ARG(0)) != NULL);
}

/* middlewareNames() -> the names of the built-in middlewares, from the C library. */
static JSValueRef gp__mw_names(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  size_t n = 0;
  while (gp_middleware_builtin_name(n)) n++;
  JSValueRef *names = gp__xcalloc(n ? n : 1, sizeof *names);
  for (size_t i = 0; i < n; i++) names[i] = gp__js_str(ctx, gp_middleware_builtin_name(i));
  JSObjectRef a = JSObjectMakeArray(ctx, n, names, exc);
  free(names);
  return a;
}

static const gp__js_fn_t gp__mw_fns[] = {
    {"middlewareNames", gp__mw_names},
    {"middlewareFromJS", gp__mw_from_js},
    {"middlewareNative", gp__mw_native},
    {"isMiddleware", gp__mw_is},
};

void gp__mod_middleware_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fns(ctx, native, gp__mw_fns, sizeof gp__mw_fns / sizeof gp__mw_fns[0]);
}
