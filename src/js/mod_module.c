/* The module loader's natives (SPEC §3.3): `esmToCjs(source, filename, mode)` rewrites
 * an ES module as CommonJS (esm.c), `compile(source, filename, kind)` makes the module
 * wrapper function, `makeRequire()` a native `require` that calls the module's code
 * itself (so no frame of the runtime lies between the requiring code's and the
 * module's) and `isDir(path)` helps resolution.
 *
 * The wrapper's header sits on line 1 before the source, so that every line number
 * holds. No API of JavaScriptCore compiles a function whose body starts at line 1,
 * column 1: JSEvaluateScript, JSScriptCreateFromString and JSObjectMakeFunction clamp
 * a starting line below 1 to 1, none takes a starting column, and JSObjectMakeFunction
 * puts the body two lines below its starting line (columns right, lines off by 2);
 * direct eval keeps positions but loses the file name. So the engine counts line-1
 * columns from the header's start: every kind of header has the same width,
 * `wrapperColumns`, which the prelude takes off them where it cleans an error (its
 * `cleanError`). Owner thread only. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/core.h"
#include "js/js_private.h"


/* The wrapper headers, all of one width: CommonJS, ES module, ES module with top-level
 * await. "use sloppy" is a directive without effect that pads to "use strict". An ES
 * module's body is a block of its own, so that its declarations may take the names of
 * CommonJS's parameters, which an ES module does not have (`const require =
 * createRequire(import.meta.url)`, `const __dirname = ...`). */
#define GP__PARAMS "function (exports, require, module, __filename, __dirname, __esm, _dyimp, _importMeta) {"
static const char *const gp__headers[] = {
    "(      " GP__PARAMS "\"use sloppy\";              ",
    "(      " GP__PARAMS "\"use strict\";{__gp_hoist();",
    "(async " GP__PARAMS "\"use strict\";{__gp_hoist();",
};

/* esmToCjs(source, filename, mode): {code, esm, tla, shifts}; mode 0 CommonJS, 1 ES module,
 * 2 decided by its statements. */
static JSValueRef gp__mod_esm_to_cjs(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  JSStringRef js = JSValueToStringCopy(ctx, GP__ARG(0), exc);
  if (js == NULL) return JSValueMakeUndefined(ctx);
  size_t len = 0;
  char *src = gp__js_strdup_n(js, &len);
  JSStringRelease(js);
  int mode = (int)JSValueToNumber(ctx, GP__ARG(2), NULL);
  gp_esm_result_t r;
  gp__esm_to_cjs(src, len, mode, &r);
  free(src);
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  JSStringRef code = gp__js_string_n(r.code, r.len);
  gp__js_set(ctx, o, "code", JSValueMakeString(ctx, code));
  JSStringRelease(code);
  gp__js_set(ctx, o, "esm", JSValueMakeBoolean(ctx, r.esm));
  gp__js_set(ctx, o, "tla", JSValueMakeBoolean(ctx, r.tla));
  JSStringRef shifts = gp__js_string_n(r.shifts, strlen(r.shifts));
  gp__js_set(ctx, o, "shifts", JSValueMakeString(ctx, shifts));
  JSStringRelease(shifts);
  free(r.shifts);
  free(r.code);
  return o;
}

/* compile(source, filename, kind): the module wrapper function, with `filename` in
 * stacks; kind 0 CommonJS, 1 ES module, 2 ES module with top-level await. */
static JSValueRef gp__mod_compile(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  size_t len = 0;
  JSStringRef js = JSValueToStringCopy(ctx, GP__ARG(0), exc);
  if (js == NULL) return JSValueMakeUndefined(ctx);
  char *src = gp__js_strdup_n(js, &len);
  JSStringRelease(js);
  char *name = gp__js_to_cstr(ctx, GP__ARG(1));
  int kind = (int)JSValueToNumber(ctx, GP__ARG(2), NULL);
  if (kind < 0 || kind > 2) kind = 0;
  if (len >= 2 && strncmp(src, "#!", 2) == 0) memcpy(src, "//", 2);
  gp_buf_t b = {0};
  gp__buf_puts(&b, gp__headers[kind]);
  gp__buf_append(&b, src, len);
  gp__buf_puts(&b, kind == 0 ? "\n})" : "\n}})");
  free(src);
  JSValueRef v = gp__js_eval(ctx, b.data, b.len, name ? name : "<anonymous>", exc);
  gp__buf_free(&b);
  free(name);
  return v ? v : JSValueMakeUndefined(ctx);
}

/* Evaluates entry.script as a program named entry.url. */
static JSValueRef gp__mod_eval_script(JSContextRef ctx, JSObjectRef entry, JSValueRef *thrown) {
  JSStringRef src = JSValueToStringCopy(ctx, gp__js_get(ctx, entry, "script"), thrown);
  if (src == NULL) return JSValueMakeUndefined(ctx);
  JSStringRef url = JSValueToStringCopy(ctx, gp__js_get(ctx, entry, "url"), NULL);
  JSValueRef r = JSEvaluateScript(ctx, src, NULL, url, 1, thrown);
  JSStringRelease(src);
  if (url) JSStringRelease(url);
  return r ? r : JSValueMakeUndefined(ctx);
}

/* Runs the code an entry describes ({fn, done}: host.runMain's, a
 * require's, `fn` bound to its `this` and arguments; {script, url, done}:
 * host.runEval's) from its caller, C or the native require, below any frame of the
 * runtime, then returns what `done` makes of what it threw or returned. */
JSValueRef gp__js_run_entry(JSContextRef ctx, JSValueRef entry, JSValueRef *exc) {
  if (!JSValueIsObject(ctx, entry)) return JSValueMakeUndefined(ctx);
  JSObjectRef e = (JSObjectRef)entry;
  JSValueRef done = gp__js_get(ctx, e, "done");
  if (!gp__js_is_function(ctx, done)) return JSValueMakeUndefined(ctx);
  JSValueRef thrown = NULL;
  JSValueRef fn = gp__js_get(ctx, e, "fn");
  JSValueRef r = gp__js_is_function(ctx, fn)
                     ? JSObjectCallAsFunction(ctx, (JSObjectRef)fn, NULL, 0, NULL, &thrown)
                     : gp__mod_eval_script(ctx, e, &thrown);
  JSValueRef out[] = {JSValueMakeBoolean(ctx, thrown != NULL), thrown ? thrown : r};
  JSValueRef v = JSObjectCallAsFunction(ctx, (JSObjectRef)done, NULL, 2, out, exc);
  return v ? v : JSValueMakeUndefined(ctx);
}

/* The `require` of a module (and its ES imports' loader): a native function, so that
 * no frame of the runtime lies between the requiring code and the required module's.
 * Its property host.requireKey (a symbol) holds start(id), which resolves and compiles
 * (or finds the exports: {value}) and returns the entry to run. */
static JSValueRef gp__mod_require(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  JSValueRef key = gp__js_get(ctx, gp__js_rt()->host, "requireKey");
  JSValueRef start = JSObjectGetPropertyForKey(ctx, fn, key, exc);
  if (*exc || !gp__js_is_function(ctx, start)) return JSValueMakeUndefined(ctx);
  JSValueRef id = GP__ARG(0);
  JSValueRef entry = JSObjectCallAsFunction(ctx, (JSObjectRef)start, NULL, 1, &id, exc);
  if (*exc || !JSValueIsObject(ctx, entry)) return JSValueMakeUndefined(ctx);
  if (!gp__js_is_function(ctx, gp__js_get(ctx, (JSObjectRef)entry, "done")))
    return gp__js_get(ctx, (JSObjectRef)entry, "value");
  return gp__js_run_entry(ctx, entry, exc);
}

/* makeRequire(): a fresh native `require` (its start function set by the prelude). */
static JSValueRef gp__mod_make_require(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSStringRef name = gp__js_string("require");
  JSObjectRef f = JSObjectMakeFunctionWithCallback(ctx, name, gp__mod_require);
  JSStringRelease(name);
  return f;
}

static JSValueRef gp__mod_is_dir(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return gp__js_path_is(ctx, GP__ARG(0), S_IFDIR);
}

static const gp__js_fn_t gp__module_fns[] = {
    {"isDir", gp__mod_is_dir},
    {"esmToCjs", gp__mod_esm_to_cjs},
    {"compile", gp__mod_compile},
    {"makeRequire", gp__mod_make_require},
};

void gp__mod_module_init(JSContextRef ctx, JSObjectRef host) {
  gp__js_set_fns(ctx, host, gp__module_fns, sizeof gp__module_fns / sizeof gp__module_fns[0]);
  gp__js_set(ctx, host, "wrapperColumns", JSValueMakeNumber(ctx, (double)strlen(gp__headers[0])));
}
