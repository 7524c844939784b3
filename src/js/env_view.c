/* The script's process.env as the environment of engine construction (SPEC §6): while
 * gp.engines.fromConfig / fromProfile and gp.embeddings.fromConfig / fromProfile make
 * their engine, API keys ($apiKeyEnv, a profile's api_key_env, the protocol's default
 * variable), $GEPPETTO_PROFILES, $GEPPETTO_PROFILE, $XDG_CONFIG_HOME and $HOME are read
 * from process.env rather than the C environment, so `process.env.X = ...` (dotenv) is
 * honoured without setenv (other threads read the C environment). The C code names the
 * variable in its errors as before. Under --permission without --allow-env, or when
 * process.env cannot be read, getenv answers as before. Owner thread only. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "engines/provider_internal.h"
#include "js/js_private.h"
#include "js/permission.h"

struct gp__js_env {
  gp__env_hook_t hook;
  const gp__env_hook_t *prev;
  JSContextRef ctx;
  char **vals;                  /* the values handed out (keys among them): wiped at the end */
  size_t n;
};

/* obj[name], or NULL when reading it throws. */
static JSValueRef gp__env_prop(JSContextRef ctx, JSObjectRef obj, const char *name) {
  JSStringRef s = JSStringCreateWithUTF8CString(name);
  JSValueRef exc = NULL;
  JSValueRef v = JSObjectGetProperty(ctx, obj, s, &exc);
  JSStringRelease(s);
  return exc ? NULL : v;
}

/* The hook: process.env[name] as a string, NULL when absent; 0 (getenv) when
 * process.env is not an object or reading it throws. */
static int gp__env_get(void *data, const char *name, const char **value) {
  struct gp__js_env *s = data;
  JSContextRef ctx = s->ctx;
  JSValueRef proc = gp__env_prop(ctx, JSContextGetGlobalObject(ctx), "process");
  if (!proc || !JSValueIsObject(ctx, proc)) return 0;
  JSValueRef env = gp__env_prop(ctx, (JSObjectRef)proc, "env");
  if (!env || !JSValueIsObject(ctx, env)) return 0;
  JSValueRef v = gp__env_prop(ctx, (JSObjectRef)env, name);
  if (!v) return 0;
  *value = NULL;
  if (JSValueIsUndefined(ctx, v) || JSValueIsNull(ctx, v)) return 1;
  char *str = gp__js_to_cstr(ctx, v);
  if (!str) return 0;
  s->vals = gp__xrealloc(s->vals, (s->n + 1) * sizeof *s->vals);
  s->vals[s->n++] = str;
  *value = str;
  return 1;
}

gp__js_env_t *gp__js_env_begin(JSContextRef ctx) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  if (!gp__perm_env(rt->perm)) return NULL;
  struct gp__js_env *s = gp__xcalloc(1, sizeof *s);
  s->hook.get = gp__env_get;
  s->hook.data = s;
  s->ctx = ctx;
  s->prev = gp__env_hook_set(&s->hook);
  return s;
}

void gp__js_env_end(gp__js_env_t *s) {
  if (!s) return;
  gp__env_hook_set(s->prev);
  for (size_t i = 0; i < s->n; i++) {
    explicit_bzero(s->vals[i], strlen(s->vals[i]));
    free(s->vals[i]);
  }
  free(s->vals);
  free(s);
}
