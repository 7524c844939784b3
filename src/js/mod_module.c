/* The module loader's natives (SPEC §3.3): `esmToCjs(source, filename, mode)` rewrites
 * an ES module as CommonJS (esm.c), `compile(source, filename, kind)` makes the module
 * wrapper function and `isDir(path)` helps resolution. The wrapper's header sits on
 * line 1 before the source, so that every line number holds (JavaScriptCore clamps a
 * starting line below 1 and takes no starting column); every kind of header has the
 * same width, `wrapperColumns`, which the prelude takes off columns reported on line 1.
 * Owner thread only. */
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

/* esmToCjs(source, filename, mode): {code, esm, tla}; mode 0 CommonJS, 1 ES module,
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

static JSValueRef gp__mod_is_dir(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                 size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  return gp__js_path_is(ctx, GP__ARG(0), S_IFDIR);
}

static const gp__js_fn_t gp__module_fns[] = {
    {"isDir", gp__mod_is_dir},
    {"esmToCjs", gp__mod_esm_to_cjs},
    {"compile", gp__mod_compile},
};

void gp__mod_module_init(JSContextRef ctx, JSObjectRef host) {
  gp__js_set_fns(ctx, host, gp__module_fns, sizeof gp__module_fns / sizeof gp__module_fns[0]);
  gp__js_set(ctx, host, "wrapperColumns", JSValueMakeNumber(ctx, (double)strlen(gp__headers[0])));
}
