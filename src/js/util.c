/* Helpers every JavaScript binding uses: string conversion, property access, Error
 * objects carrying a geppetto error code, and reporting of uncaught exceptions.
 * Owner thread only, like everything that touches the VM. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "geppetto/log.h"
#include "js/js_private.h"

char *gp__js_strdup(JSContextRef ctx, JSStringRef s) {
  (void)ctx;
  return gp__js_strdup_n(s, NULL);
}

char *gp__js_to_cstr(JSContextRef ctx, JSValueRef v) {
  JSValueRef exc = NULL;
  JSStringRef s = JSValueToStringCopy(ctx, v, &exc);
  if (s == NULL || exc) {
    if (s) JSStringRelease(s);
    return NULL;
  }
  char *out = gp__js_strdup(ctx, s);
  JSStringRelease(s);
  return out;
}

JSValueRef gp__js_str(JSContextRef ctx, const char *s) {
  JSStringRef js = gp__js_string(s);
  JSValueRef v = JSValueMakeString(ctx, js);
  JSStringRelease(js);
  return v;
}

void gp__js_set(JSContextRef ctx, JSObjectRef obj, const char *name, JSValueRef value) {
  JSStringRef n = gp__js_string(name);
  JSObjectSetProperty(ctx, obj, n, value, kJSPropertyAttributeNone, NULL);
  JSStringRelease(n);
}

JSValueRef gp__js_get(JSContextRef ctx, JSObjectRef obj, const char *name) {
  JSStringRef n = gp__js_string(name);
  JSValueRef v = JSObjectGetProperty(ctx, obj, n, NULL);
  JSStringRelease(n);
  return v;
}

void gp__js_set_fn(JSContextRef ctx, JSObjectRef obj, const char *name,
                   JSObjectCallAsFunctionCallback fn) {
  JSStringRef n = gp__js_string(name);
  JSObjectRef f = JSObjectMakeFunctionWithCallback(ctx, n, fn);
  JSObjectSetProperty(ctx, obj, n, f, kJSPropertyAttributeDontEnum, NULL);
  JSStringRelease(n);
}

void gp__js_set_fns(JSContextRef ctx, JSObjectRef obj, const gp__js_fn_t *fns, size_t n) {
  for (size_t i = 0; i < n; i++) gp__js_set_fn(ctx, obj, fns[i].name, fns[i].fn);
}

/* host.cleanError(e): the stack of an error made here shows the script's frames. */
static void gp__js_clean_error(JSContextRef ctx, JSObjectRef e) {
  gp_js_runtime_t *rt = gp__js_rt();
  if (e == NULL || rt == NULL || rt->host == NULL) return;
  JSValueRef clean = gp__js_get(ctx, rt->host, "cleanError");
  JSValueRef arg = e;
  if (gp__js_is_function(ctx, clean)) JSObjectCallAsFunction(ctx, (JSObjectRef)clean, NULL, 1, &arg, NULL);
}

JSObjectRef gp__js_error(JSContextRef ctx, int code, int type_error, const char *msg) {
  JSValueRef arg = gp__js_str(ctx, msg ? msg : gp_strerror(code));
  JSObjectRef e;
  if (type_error) {
    JSObjectRef global = JSContextGetGlobalObject(ctx);
    JSValueRef ctor = gp__js_get(ctx, global, "TypeError");
    e = JSObjectCallAsConstructor(ctx, (JSObjectRef)ctor, 1, &arg, NULL);
  } else {
    e = JSObjectMakeError(ctx, 1, &arg, NULL);
  }
  gp__js_set(ctx, e, "code", gp__js_str(ctx, gp_err_name(code)));
  gp__js_clean_error(ctx, e);
  return e;
}

JSObjectRef gp__js_error_from(JSContextRef ctx, const gp_error_t *err) {
  JSObjectRef e = gp__js_error(ctx, err->code, 0, err->message);
  if (err->partial) gp__js_set(ctx, e, "partialTurn", gp__js_from_turn(ctx, err->partial));
  return e;
}

gp_error_t *gp__js_error_to_c(JSContextRef ctx, JSValueRef exc, int fallback) {
  int code = fallback;
  char *msg = NULL;
  if (JSValueIsObject(ctx, exc)) {
    JSObjectRef o = (JSObjectRef)exc;
    JSValueRef c = gp__js_get(ctx, o, "code");
    if (JSValueIsString(ctx, c)) {
      char *name = gp__js_to_cstr(ctx, c);
      int known = name ? gp_err_from_name(name) : 0;
      if (known < 0) code = known;
      free(name);
    }
    JSValueRef m = gp__js_get(ctx, o, "message");
    if (JSValueIsString(ctx, m)) msg = gp__js_to_cstr(ctx, m);
  }
  if (msg == NULL) msg = gp__js_to_cstr(ctx, exc);
  gp_error_t *e = gp_error_new(code, "%s", msg ? msg : "exception");
  free(msg);
  return e;
}

JSValueRef gp__js_throw(JSContextRef ctx, JSValueRef *exc, int code, int type_error,
                        const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = gp__xvasprintf(fmt, ap);
  va_end(ap);
  if (exc) *exc = gp__js_error(ctx, code, type_error, msg);
  free(msg);
  return JSValueMakeUndefined(ctx);
}

JSValueRef gp__js_throw_c(JSContextRef ctx, JSValueRef *exc, gp_error_t *err) {
  int code = err ? err->code : GP_ERR_INVALID_ARGUMENT;
  JSValueRef r = gp__js_throw(ctx, exc, code, code == GP_ERR_INVALID_ARGUMENT, "%s",
                              err && err->message ? err->message : gp_strerror(code));
  gp_error_free(err);
  return r;
}

int gp__js_is_function(JSContextRef ctx, JSValueRef v) {
  return JSValueIsObject(ctx, v) && JSObjectIsFunction(ctx, (JSObjectRef)v);
}

JSObjectRef gp__js_function_arg(JSContextRef ctx, JSValueRef v, const char *need, JSValueRef *exc) {
  if (gp__js_is_function(ctx, v)) return (JSObjectRef)v;
  gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "%s", need);
  return NULL;
}

void *gp__js_private_of(JSContextRef ctx, JSValueRef v, JSClassRef cls) {
  if (cls == NULL || !JSValueIsObjectOfClass(ctx, v, cls)) return NULL;
  return JSObjectGetPrivate((JSObjectRef)v);
}

int gp__js_is_thenable(JSContextRef ctx, JSValueRef v) {
  if (!JSValueIsObject(ctx, v)) return 0;
  JSValueRef then = gp__js_get(ctx, (JSObjectRef)v, "then");
  return gp__js_is_function(ctx, then);
}

/* The prelude's text for an uncaught error (host.formatUncaught: the runtime's frames
 * left out, positions of the source), or NULL when it is not there or fails. */
static char *gp__js_format_uncaught(JSContextRef ctx, JSValueRef exc, const char *what) {
  gp_js_runtime_t *rt = gp__js_rt();
  if (rt == NULL || rt->host == NULL) return NULL;
  JSValueRef fmt = gp__js_get(ctx, rt->host, "formatUncaught");
  if (!gp__js_is_function(ctx, fmt)) return NULL;
  JSValueRef args[] = {exc, gp__js_str(ctx, what)};
  JSValueRef err = NULL;
  JSValueRef r = JSObjectCallAsFunction(ctx, (JSObjectRef)fmt, NULL, 2, args, &err);
  if (err || r == NULL || !JSValueIsString(ctx, r)) return NULL;
  return gp__js_to_cstr(ctx, r);
}

void gp__js_report(JSContextRef ctx, JSValueRef exc, const char *what) {
  what = what ? what : "Uncaught";
  char *text = gp__js_format_uncaught(ctx, exc, what);
  if (text) {
    fflush(stdout);
    fprintf(stderr, "%s\n", text);
    fflush(stderr);
    free(text);
    return;
  }
  char *msg = gp__js_to_cstr(ctx, exc);
  char *stack = NULL;
  if (JSValueIsObject(ctx, exc)) {
    JSValueRef s = gp__js_get(ctx, (JSObjectRef)exc, "stack");
    if (JSValueIsString(ctx, s)) stack = gp__js_to_cstr(ctx, s);
  }
  fflush(stdout);
  fprintf(stderr, "%s: %s\n", what, msg ? msg : "(exception)");
  if (stack && *stack) fprintf(stderr, "%s\n", stack);
  fflush(stderr);
  free(msg);
  free(stack);
}

void gp__js_exit_now(int code) {
  gp__js_exit_hooks_run();
  uv_tty_reset_mode(); /* a terminal left in raw mode by process.stdin.setRawMode */
  fflush(stdout);
  fflush(stderr);
  _exit(code);
}

/* exit_process 0: the script ends instead of the process ("exit" listeners first; one
 * of them may end it with process.exit(n) meanwhile, which then sets the status). */
static void gp__js_fatal_script(gp_js_runtime_t *rt, JSContextRef ctx, JSValueRef exc,
                                const char *what) {
  if (rt->ended) return; /* process.exit's unwinding, or thrown by what ran after the end */
  gp__js_report(ctx, exc, what);
  if (rt->ending) return; /* thrown from an "exit" listener of this very failure */
  rt->ending = 1;
  if (rt->ctx != NULL) gp__js_emit_exit(rt, 1);
  gp__js_script_end(rt, 1);
}

void gp__js_fatal(JSContextRef ctx, JSValueRef exc, const char *what) {
  static int fatal; /* owner thread: an "exit" listener that throws must not loop */
  gp_js_runtime_t *rt = gp__js_rt();
  if (rt != NULL && !rt->exit_process) {
    gp__js_fatal_script(rt, ctx, exc, what);
    return;
  }
  gp__js_report(ctx, exc, what);
  if (!fatal++ && rt != NULL && rt->ctx != NULL) gp__js_emit_exit(rt, 1);
  gp__js_exit_now(1);
}

JSValueRef gp__js_eval(JSContextRef ctx, const char *src, size_t n, const char *url, JSValueRef *exc) {
  JSStringRef s = gp__js_string_n(src, n);
  JSStringRef u = gp__js_string(url);
  JSValueRef v = JSEvaluateScript(ctx, s, NULL, u, 1, exc);
  JSStringRelease(s);
  JSStringRelease(u);
  return v;
}

JSValueRef gp__js_eval_lib(JSContextRef ctx, const char *src, const char *url, JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  JSValueRef scope = rt && rt->host ? gp__js_get(ctx, rt->host, "errorScope") : NULL;
  if (scope == NULL || !JSValueIsArray(ctx, scope)) return gp__js_eval(ctx, src, strlen(src), url, exc);
  /* the names lib/errors.js returns constructors for, in its order */
  static const char head[] = "(function (Error, TypeError, RangeError, SyntaxError, ReferenceError, "
                             "URIError, EvalError, AggregateError) { return (\n";
  enum { GP__ERROR_CTORS = 8 };
  gp_buf_t b = {0};
  gp__buf_puts(&b, head);
  gp__buf_puts(&b, src);
  gp__buf_puts(&b, "\n); })");
  JSValueRef outer = gp__js_eval(ctx, b.data, b.len, url, exc);
  gp__buf_free(&b);
  if (outer == NULL || !gp__js_is_function(ctx, outer)) return outer;
  JSValueRef argv[GP__ERROR_CTORS];
  for (unsigned i = 0; i < GP__ERROR_CTORS; i++)
    argv[i] = JSObjectGetPropertyAtIndex(ctx, (JSObjectRef)scope, i, NULL);
  return JSObjectCallAsFunction(ctx, (JSObjectRef)outer, NULL, GP__ERROR_CTORS, argv, exc);
}

JSValueRef gp__js_path_is(JSContextRef ctx, JSValueRef path, unsigned kind) {
  char *p = gp__js_to_cstr(ctx, path);
  struct stat st;
  int ok = p && stat(p, &st) == 0 && (st.st_mode & S_IFMT) == kind;
  free(p);
  return JSValueMakeBoolean(ctx, ok);
}
