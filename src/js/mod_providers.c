/* Natives behind `gp.engines.fromConfig` and `gp.engines.fromProfile` (SPEC §4.2, §6):
 * the provider engines of include/geppetto/providers.h, wrapped as engine objects.
 *
 * The configuration is converted to JSON here, on the owner; the engine itself is C and
 * runs on run threads like any other. A profile name comes from the argument, else the
 * command's --profile, else $GEPPETTO_PROFILE, else the file's `default` (or a profile
 * named default); the file from --profiles, else the lookup order of gp_profiles_path.
 * Variables are read from the script's process.env (env_view.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engines/provider_internal.h"
#include "geppetto/providers.h"
#include "js/js_private.h"

/* INVALID_ARGUMENT naming the first own property of `obj` that holds NaN or an infinity
 * (JSON would turn it into null, which counts as absent), as for a wrong type; 0 when
 * there is none. Owner thread. */
static int gp__nonfinite_check(JSContextRef ctx, JSObjectRef obj, const char *what, gp_error_t **err) {
  JSPropertyNameArrayRef names = JSObjectCopyPropertyNames(ctx, obj);
  size_t n = JSPropertyNameArrayGetCount(names);
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    JSStringRef name = JSPropertyNameArrayGetNameAtIndex(names, i);
    JSValueRef v = JSObjectGetProperty(ctx, obj, name, NULL);
    double d = v && JSValueIsNumber(ctx, v) ? JSValueToNumber(ctx, v, NULL) : 0;
    if (isfinite(d)) continue;
    char *key = gp__js_strdup(ctx, name);
    char want[64];
    snprintf(want, sizeof want, "a finite number (got %s)", isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
    rc = gp__engine_value_error(what, key, want, err);
    free(key);
  }
  JSPropertyNameArrayRelease(names);
  return rc;
}

/* engineFromConfig(cfg) */
static JSValueRef gp__from_config(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  JSValueRef v = GP__ARG(0);
  if (!JSValueIsObject(ctx, v))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                        "engines.fromConfig needs {apiType, model, ...}");
  gp_error_t *err = NULL;
  if (gp__nonfinite_check(ctx, (JSObjectRef)v, "engine config", &err)) return gp__js_throw_c(ctx, exc, err);
  json_t *cfg = gp__js_to_json(ctx, v, exc);
  if (cfg == NULL) return JSValueMakeUndefined(ctx);
  gp__js_env_t *env = gp__js_env_begin(ctx);
  gp_engine_t *e = gp_engine_from_config_json(cfg, &err);
  gp__js_env_end(env);
  json_decref(cfg);
  if (e == NULL) return gp__js_throw_c(ctx, exc, err);
  return gp__js_engine_wrap(ctx, e);
}

/* engineFromProfile(name?, overrides?) */
static JSValueRef gp__from_profile(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  char *name = NULL;
  JSValueRef nv = GP__ARG(0), ov = GP__ARG(1);
  if (JSValueIsString(ctx, nv)) name = gp__js_to_cstr(ctx, nv);
  else if (!JSValueIsUndefined(ctx, nv) && !JSValueIsNull(ctx, nv))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                        "engines.fromProfile(name?, overrides?): name must be a string");
  json_t *over = NULL;
  gp_error_t *err = NULL;
  if (JSValueIsObject(ctx, ov) && gp__nonfinite_check(ctx, (JSObjectRef)ov, "fromProfile overrides", &err)) {
    free(name);
    return gp__js_throw_c(ctx, exc, err);
  }
  if (JSValueIsObject(ctx, ov)) {
    over = gp__js_to_json(ctx, ov, exc);
    if (over == NULL) {
      free(name);
      return JSValueMakeUndefined(ctx);
    }
  } else if (!JSValueIsUndefined(ctx, ov) && !JSValueIsNull(ctx, ov)) {
    free(name);
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                        "engines.fromProfile(name?, overrides?): overrides must be an object");
  }
  gp__js_env_t *env = gp__js_env_begin(ctx);
  gp_engine_t *e = gp_engine_from_profile(rt->profiles, name ? name : rt->profile, over, &err);
  gp__js_env_end(env);
  free(name);
  json_decref(over);
  if (e == NULL) return gp__js_throw_c(ctx, exc, err);
  return gp__js_engine_wrap(ctx, e);
}

/* profileChat(name?): the chat settings of the profile (gp_profile_chat_settings). */
static JSValueRef gp__profile_chat(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  char *name = JSValueIsString(ctx, GP__ARG(0)) ? gp__js_to_cstr(ctx, GP__ARG(0)) : NULL;
  gp_error_t *err = NULL;
  gp__js_env_t *env = gp__js_env_begin(ctx);
  json_t *s = gp_profile_chat_settings(rt->profiles, name ? name : rt->profile, &err);
  gp__js_env_end(env);
  free(name);
  if (s == NULL) return gp__js_throw_c(ctx, exc, err);
  return gp__js_take_json(ctx, s);
}

void gp__mod_providers_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fn(ctx, native, "profileChat", gp__profile_chat);
  gp__js_set_fn(ctx, native, "engineFromConfig", gp__from_config);
  gp__js_set_fn(ctx, native, "engineFromProfile", gp__from_profile);
  gp__mod_embeddings_init(ctx, native);
}
