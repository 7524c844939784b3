/* `host.permission`: the permission model of SPEC §3.4 as the script environment sees
 * it. `has(scope, ref?)` answers as Node's process.permission.has does; the require*
 * functions are the checks that modules (fetch, fs, child_process, process.env) make
 * before they act: each returns nothing when the operation is granted and throws an
 * Error with code "ERR_ACCESS_DENIED" naming the resource and the flag that would grant
 * it otherwise. The object always exists; with the model off everything is granted.
 * Owner thread only. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"


static const gp__perm_t *gp__perm_of_rt(void) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  return rt->perm;
}

/* A TypeError with Node's `code` (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE). */
static JSValueRef gp__perm_type_error(JSContextRef ctx, JSValueRef *exc, const char *code,
                                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static JSValueRef gp__perm_type_error(JSContextRef ctx, JSValueRef *exc, const char *code,
                                      const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = gp__xvasprintf(fmt, ap);
  va_end(ap);
  JSObjectRef e = gp__js_error(ctx, GP_ERR_INVALID_ARGUMENT, 1, msg);
  gp__js_set(ctx, e, "code", gp__js_str(ctx, code));
  free(msg);
  *exc = e;
  return JSValueMakeUndefined(ctx);
}

/* Throws the denial: "Access to WHAT denied: DESC needs FLAG" (DESC "it" when NULL),
 * with Node's `code`, `permission` and `resource`. */
static JSValueRef gp__perm_deny(JSContextRef ctx, JSValueRef *exc, const char *permission,
                                const char *resource, const char *what, const char *desc,
                                const char *flag) {
  char *msg = gp__xasprintf("Access to %s denied: %s needs %s", what, desc && *desc ? desc : "it",
                           flag);
  JSValueRef arg = gp__js_str(ctx, msg);
  free(msg);
  JSObjectRef e = JSObjectMakeError(ctx, 1, &arg, NULL);
  gp__js_set(ctx, e, "code", gp__js_str(ctx, "ERR_ACCESS_DENIED"));
  gp__js_set(ctx, e, "permission", gp__js_str(ctx, permission));
  gp__js_set(ctx, e, "resource", gp__js_str(ctx, resource));
  *exc = e;
  return JSValueMakeUndefined(ctx);
}

/* An optional string argument: NULL for undefined/null, else String(v) (heap). */
static char *gp__perm_opt_str(JSContextRef ctx, JSValueRef v) {
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) return NULL;
  return gp__js_to_cstr(ctx, v);
}

/* has()'s reference: *ref NULL for undefined/null, a string, or a Uint8Array's bytes
 * as UTF-8 (Node accepts a Buffer). Returns 0, or -1 having thrown a TypeError. */
static int gp__perm_has_ref(JSContextRef ctx, JSValueRef v, char **ref, JSValueRef *exc) {
  *ref = NULL;
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) return 0;
  if (JSValueIsString(ctx, v)) return (*ref = gp__js_to_cstr(ctx, v)) ? 0 : -1;
  if (JSValueGetTypedArrayType(ctx, v, NULL) == kJSTypedArrayTypeUint8Array) {
    JSObjectRef o = (JSObjectRef)v;
    const char *bytes = JSObjectGetTypedArrayBytesPtr(ctx, o, NULL);
    size_t n = bytes ? JSObjectGetTypedArrayByteLength(ctx, o, NULL) : 0;
    /* the pointer is the start of the view's buffer: skip to the view's own bytes */
    *ref = gp__xstrndup(bytes ? bytes + JSObjectGetTypedArrayByteOffset(ctx, o, NULL) : "", n);
    return 0;
  }
  gp__perm_type_error(ctx, exc, "ERR_INVALID_ARG_TYPE",
                      "The \"reference\" argument must be of type string or an instance of "
                      "Buffer or Uint8Array");
  return -1;
}

/* The answer of has(scope, ref) for a set (NULL: model off). */
static int gp__perm_answer(const gp__perm_t *p, const char *scope, const char *ref) {
  if (strcmp(scope, "fs") == 0) return gp__perm_fs_read(p, NULL) && gp__perm_fs_write(p, NULL);
  if (strcmp(scope, "fs.read") == 0) return gp__perm_fs_read(p, ref);
  if (strcmp(scope, "fs.write") == 0) return gp__perm_fs_write(p, ref);
  if (strcmp(scope, "child") == 0) return gp__perm_child(p);
  if (strcmp(scope, "env") == 0) return gp__perm_env(p);
  if (strcmp(scope, "net") == 0) {
    if (ref == NULL) return gp__perm_net(p, NULL, -1);
    char *host = NULL;
    int port = -1;
    int ok = gp__perm_split_net(ref, &host, &port, NULL) == 0 && gp__perm_net(p, host, port);
    free(host);
    return ok;
  }
  /* Node's scopes for what geppetto does not offer: never granted under the model */
  if (strcmp(scope, "worker") == 0 || strcmp(scope, "wasi") == 0 ||
      strcmp(scope, "inspector") == 0 || strcmp(scope, "addon") == 0)
    return !gp__perm_enabled(p);
  return 0;
}

/* has(scope, reference?) -> boolean. An unknown scope is false (as in Node). */
static JSValueRef gp__perm_has(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                               const JSValueRef argv[], JSValueRef *exc) {
  if (!JSValueIsString(ctx, GP__ARG(0)))
    return gp__perm_type_error(ctx, exc, "ERR_INVALID_ARG_TYPE",
                               "The \"scope\" argument must be of type string");
  char *ref = NULL;
  if (gp__perm_has_ref(ctx, GP__ARG(1), &ref, exc) != 0) return JSValueMakeUndefined(ctx);
  char *scope = gp__js_to_cstr(ctx, GP__ARG(0));
  int ok = scope && gp__perm_answer(gp__perm_of_rt(), scope, ref);
  free(scope);
  free(ref);
  return JSValueMakeBoolean(ctx, ok);
}

/* "HOST:PORT" for messages, IPv6 bracketed; just HOST when port is -1. Heap. */
static char *gp__perm_host_label(const char *host, int port) {
  int v6 = strchr(host, ':') != NULL;
  if (port < 0) return gp__xasprintf(v6 ? "[%s]" : "%s", host);
  return gp__xasprintf(v6 ? "[%s]:%d" : "%s:%d", host, port);
}

/* requireNet(urlOrHost, port?, description?): a URL (its port, else the scheme's:
 * http 80, https 443) or "HOST[:PORT]"; `port` (a number) overrides. The flag named is
 * --allow-net=HOST when the port is the scheme's default, else HOST:PORT. */
static JSValueRef gp__perm_require_net(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  char *ref = gp__perm_opt_str(ctx, GP__ARG(0)), *host = NULL;
  int port = -1, is_default = 0;
  if (ref == NULL || gp__perm_split_net(ref, &host, &port, &is_default) != 0) {
    gp__perm_type_error(ctx, exc, "ERR_INVALID_ARG_VALUE", "requireNet: no host in '%s'",
                        ref ? ref : "?");
    free(ref);
    return JSValueMakeUndefined(ctx);
  }
  free(ref);
  if (JSValueIsNumber(ctx, GP__ARG(1))) {
    double d = JSValueToNumber(ctx, GP__ARG(1), NULL);
    if (!(d >= 1 && d <= 65535) || d != (int)d) {
      free(host);
      return gp__perm_type_error(ctx, exc, "ERR_INVALID_ARG_VALUE",
                                 "requireNet: port %g is not 1..65535", d);
    }
    if ((int)d != port) is_default = 0;
    port = (int)d;
  }
  if (!gp__perm_net(gp__perm_of_rt(), host, port)) {
    char *res = gp__perm_host_label(host, port);
    char *flag_target = gp__perm_host_label(host, is_default ? -1 : port);
    char *flag = gp__xasprintf("--allow-net=%s", flag_target);
    char *desc = gp__perm_opt_str(ctx, GP__ARG(2));
    gp__perm_deny(ctx, exc, "Net", res, res, desc, flag);
    free(res), free(flag_target), free(flag), free(desc);
  }
  free(host);
  return JSValueMakeUndefined(ctx);
}

/* requireFs(kind, path, description?): kind "read" or "write"; the path is resolved
 * against the working directory of the start, and named resolved. */
static JSValueRef gp__perm_require_fs(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  char *kind = gp__js_to_cstr(ctx, GP__ARG(0));
  int write = kind && strcmp(kind, "write") == 0, read = kind && strcmp(kind, "read") == 0;
  free(kind);
  if (!write && !read)
    return gp__perm_type_error(ctx, exc, "ERR_INVALID_ARG_VALUE",
                               "requireFs: kind must be \"read\" or \"write\"");
  char *path = gp__js_to_cstr(ctx, GP__ARG(1));
  if (path == NULL) return JSValueMakeUndefined(ctx);
  const gp__perm_t *p = gp__perm_of_rt();
  if (!(write ? gp__perm_fs_write(p, path) : gp__perm_fs_read(p, path))) {
    char *abs = gp__perm_resolve(p, path);
    char *flag = gp__xasprintf("--allow-fs-%s=%s", write ? "write" : "read", abs);
    char *desc = gp__perm_opt_str(ctx, GP__ARG(2));
    gp__perm_deny(ctx, exc, write ? "FileSystemWrite" : "FileSystemRead", abs, abs, desc, flag);
    free(abs), free(flag), free(desc);
  }
  free(path);
  return JSValueMakeUndefined(ctx);
}

/* requireChild(description?), e.g. requireChild("spawn ls"). */
static JSValueRef gp__perm_require_child(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  if (gp__perm_child(gp__perm_of_rt())) return JSValueMakeUndefined(ctx);
  char *desc = gp__perm_opt_str(ctx, GP__ARG(0));
  gp__perm_deny(ctx, exc, "ChildProcess", desc ? desc : "child_process", "child processes", desc,
                "--allow-child-process");
  free(desc);
  return JSValueMakeUndefined(ctx);
}

/* requireEnv(name?): reading (or listing, without a name) the environment. */
static JSValueRef gp__perm_require_env(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                       size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  if (gp__perm_env(gp__perm_of_rt())) return JSValueMakeUndefined(ctx);
  char *name = gp__perm_opt_str(ctx, GP__ARG(0));
  char *what = name ? gp__xasprintf("environment variable %s", name) : gp__xstrdup("the environment");
  gp__perm_deny(ctx, exc, "EnvVar", name ? name : "process.env", what, NULL, "--allow-env");
  free(what);
  free(name);
  return JSValueMakeUndefined(ctx);
}

static const gp__js_fn_t gp__perm_fns[] = {
    {"has", gp__perm_has},
    {"requireNet", gp__perm_require_net},
    {"requireFs", gp__perm_require_fs},
    {"requireChild", gp__perm_require_child},
    {"requireEnv", gp__perm_require_env},
};

void gp__mod_permission_init(JSContextRef ctx, JSObjectRef host) {
  JSObjectRef perm = JSObjectMake(ctx, NULL, NULL);
  gp__js_set_fns(ctx, perm, gp__perm_fns, sizeof gp__perm_fns / sizeof gp__perm_fns[0]);
  gp__js_set(ctx, perm, "enabled", JSValueMakeBoolean(ctx, gp__perm_enabled(gp__perm_of_rt())));
  gp__js_set(ctx, host, "permission", perm);
}
