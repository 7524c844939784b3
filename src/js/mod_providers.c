/* Natives behind `gp.engines.fromConfig` and `gp.engines.fromProfile` (SPEC §4.2, §6):
 * the provider engines of include/geppetto/providers.h, wrapped as engine objects.
 *
 * The configuration is converted to JSON here, on the owner; the engine itself is C and
 * runs on run threads like any other. A profile name comes from the argument, else the
 * command's --profile, else $GEPPETTO_PROFILE, else the file's `default` (or a profile
 * named default); the file from --profiles, else the lookup order of gp_profiles_path. */
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
  gp_engine_t *e = gp_engine_from_config_json(cfg, &err);
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
  gp_engine_t *e = gp_engine_from_profile(rt->profiles, name ? name : rt->profile, over, &err);
  free(name);
  json_decref(over);
  if (e == NULL) return gp__js_throw_c(ctx, exc, err);
  return gp__js_engine_wrap(ctx, e);
}

/* The chat settings (chat 1, gp_profile_chat_settings) or the engine configuration
 * (gp_profile_resolve) of the profile named by `namev` (a string, else the default). */
static json_t *gp__profile_json(JSContextRef ctx, JSValueRef namev, int chat, gp_error_t **err) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  char *name = JSValueIsString(ctx, namev) ? gp__js_to_cstr(ctx, namev) : NULL;
  const char *n = name ? name : rt->profile;
  json_t *j = chat ? gp_profile_chat_settings(rt->profiles, n, err)
                   : gp_profile_resolve(rt->profiles, n, NULL, err);
  free(name);
  return j;
}

/* profileChat(name?): the chat settings of the profile (gp_profile_chat_settings). */
static JSValueRef gp__profile_chat(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_error_t *err = NULL;
  json_t *s = gp__profile_json(ctx, GP__ARG(0), 1, &err);
  if (s == NULL) return gp__js_throw_c(ctx, exc, err);
  return gp__js_take_json(ctx, s);
}

/* profileKeySource(name?) -> {apiType, apiKeyEnv} of the profile when it has no
 * api_key (where its key is to come from), else null; null too when the profile cannot
 * be resolved (engineFromProfile then says why). The key itself never crosses. */
static JSValueRef gp__profile_key_source(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                         size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_error_t *err = NULL;
  json_t *cfg = gp__profile_json(ctx, GP__ARG(0), 0, &err);
  gp_error_free(err);
  if (cfg == NULL) return JSValueMakeNull(ctx);
  const char *key = json_string_value(json_object_get(cfg, "apiKey"));
  json_t *out = NULL;
  if (key == NULL || *key == '\0')
    out = json_pack("{s:O, s:O}", "apiType", json_object_get(cfg, "apiType"), "apiKeyEnv",
                    json_is_string(json_object_get(cfg, "apiKeyEnv")) ? json_object_get(cfg, "apiKeyEnv")
                                                                      : json_null());
  json_decref(cfg);
  return out ? gp__js_take_json(ctx, out) : JSValueMakeNull(ctx);
}

void gp__mod_providers_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fn(ctx, native, "profileKeySource", gp__profile_key_source);
  gp__js_set_fn(ctx, native, "profileChat", gp__profile_chat);
  gp__js_set_fn(ctx, native, "engineFromConfig", gp__from_config);
  gp__js_set_fn(ctx, native, "engineFromProfile", gp__from_profile);
  gp__mod_embeddings_init(ctx, native);
}
