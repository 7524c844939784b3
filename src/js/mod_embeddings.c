/* Natives behind `gp.embeddings` (SPEC §4.13): embedder objects wrapping the C client
 * of include/geppetto/embeddings.h, and embedBatch as libuv work on the owner's loop.
 * The HTTP requests run on a libuv pool thread (the client sends its batches in
 * parallel from there); only the completion, on the owner, touches JS: it builds one
 * Float32Array per text and calls the script's callback. A pending request keeps the
 * process alive and its callback protected until it completes. */
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "geppetto/embeddings.h"
#include "geppetto/owner.h"
#include "geppetto/providers.h"
#include "js/js_private.h"


static JSClassRef gp__embedder_class;

static void gp__embedder_finalize(JSObjectRef obj) { gp_embedder_unref(JSObjectGetPrivate(obj)); }

static JSObjectRef gp__embedder_wrap(JSContextRef ctx, gp_embedder_t *e) {
  if (gp__embedder_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "Embedder";
    def.finalize = gp__embedder_finalize;
    gp__embedder_class = JSClassCreate(&def);
  }
  return JSObjectMake(ctx, gp__embedder_class, e);
}

static gp_embedder_t *gp__embedder_of(JSContextRef ctx, JSValueRef v) {
  return gp__js_private_of(ctx, v, gp__embedder_class);
}

/* embedderFromConfig(cfg) */
static JSValueRef gp__from_config(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  if (!JSValueIsObject(ctx, GP__ARG(0)))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                        "embeddings.fromConfig needs {apiType, model, ...}");
  json_t *cfg = gp__js_to_json(ctx, GP__ARG(0), exc);
  if (cfg == NULL) return JSValueMakeUndefined(ctx);
  gp_error_t *err = NULL;
  gp__js_env_t *env = gp__js_env_begin(ctx);
  gp_embedder_t *e = gp_embedder_from_config_json(cfg, &err);
  gp__js_env_end(env);
  json_decref(cfg);
  return e ? gp__embedder_wrap(ctx, e) : gp__js_throw_c(ctx, exc, err);
}

/* embedderFromProfile(name?): the profile's apiType, model, baseURL and key. */
static JSValueRef gp__from_profile(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                   size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  char *name = NULL;
  if (JSValueIsString(ctx, GP__ARG(0))) name = gp__js_to_cstr(ctx, GP__ARG(0));
  else if (!JSValueIsUndefined(ctx, GP__ARG(0)) && !JSValueIsNull(ctx, GP__ARG(0)))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                        "embeddings.fromProfile(name?): name must be a string");
  gp_error_t *err = NULL;
  gp__js_env_t *penv = gp__js_env_begin(ctx);
  json_t *prof = gp_profile_resolve(rt->profiles, name ? name : rt->profile, NULL, &err);
  gp__js_env_end(penv);
  free(name);
  if (prof == NULL) return gp__js_throw_c(ctx, exc, err);
  static const char *const keep[] = {"apiType", "model", "baseURL", "apiKey", "apiKeyEnv",
                                     "timeoutMs", "maxRetries"};
  json_t *cfg = json_object();
  for (size_t i = 0; i < sizeof keep / sizeof *keep; i++) {
    json_t *v = json_object_get(prof, keep[i]);
    if (v) json_object_set(cfg, keep[i], v);
  }
  json_decref(prof);
  gp__js_env_t *env = gp__js_env_begin(ctx);
  gp_embedder_t *e = gp_embedder_from_config_json(cfg, &err);
  gp__js_env_end(env);
  json_decref(cfg);
  return e ? gp__embedder_wrap(ctx, e) : gp__js_throw_c(ctx, exc, err);
}

/* embedderModel(e) */
static JSValueRef gp__model(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc) {
  gp_embedder_t *e = gp__embedder_of(ctx, GP__ARG(0));
  if (!e) return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "not an embedder");
  return gp__js_str(ctx, gp_embedder_model(e));
}

/* ---- embedding off the owner -------------------------------------------------------- */

typedef struct {
  uv_work_t work;
  gp_js_runtime_t *rt;
  gp_embedder_t *e;             /* a reference */
  char **texts;                 /* heap copies */
  size_t n;
  float **vecs;                 /* n heap vectors of dim floats, filled by the work */
  size_t dim;
  int rc;
  gp_error_t *err;
  JSObjectRef cb;               /* protected until the completion */
} gp__embjob_t;

static void gp__embjob_work(uv_work_t *w) { /* a libuv pool thread */
  gp__embjob_t *j = w->data;
  j->rc = gp_embedder_embed(j->e, (const char *const *)j->texts, j->n, j->vecs, &j->dim, NULL, &j->err);
}

/* [Float32Array, ...] of the job's vectors. */
static JSValueRef gp__embjob_arrays(JSContextRef ctx, gp__embjob_t *j, JSValueRef *exc) {
  JSValueRef *items = calloc(j->n ? j->n : 1, sizeof *items);
  for (size_t i = 0; i < j->n && !*exc; i++) {
    JSObjectRef a = JSObjectMakeTypedArray(ctx, kJSTypedArrayTypeFloat32Array, j->dim, exc);
    if (!a) break;
    void *bytes = JSObjectGetTypedArrayBytesPtr(ctx, a, exc);
    if (bytes) memcpy(bytes, j->vecs[i], j->dim * sizeof(float));
    items[i] = a;
  }
  JSValueRef out = *exc ? NULL : JSObjectMakeArray(ctx, j->n, items, exc);
  free(items);
  return out;
}

static void gp__embjob_free(gp__embjob_t *j) {
  for (size_t i = 0; i < j->n; i++) {
    free(j->texts[i]);
    free(j->vecs[i]);
  }
  free(j->texts);
  free(j->vecs);
  gp_error_free(j->err);
  gp_embedder_unref(j->e);
  free(j);
}

static void gp__embjob_done(uv_work_t *w, int status) { /* the owner */
  gp__embjob_t *j = w->data;
  gp_js_runtime_t *rt = j->rt;
  JSContextRef ctx = rt->ctx;
  if (ctx) {
    JSValueRef exc = NULL, args[2] = {JSValueMakeNull(ctx), NULL};
    if (status != 0 && j->rc == 0) j->rc = gp_error_set(&j->err, GP_ERR_CANCELED, "embeddings: canceled");
    if (j->rc) args[0] = gp__js_error_from(ctx, j->err);
    else args[1] = gp__embjob_arrays(ctx, j, &exc);
    if (exc) args[0] = exc, args[1] = NULL;
    JSObjectCallAsFunction(ctx, j->cb, NULL, args[1] ? 2 : 1, args, &exc);
    JSValueUnprotect(ctx, j->cb);
    if (exc) gp__js_report(ctx, exc, "embeddings callback");
  }
  gp__js_unkeep(rt);
  gp__embjob_free(j);
}

/* embedderEmbed(e, texts, cb(err, vectors)): texts is an array of strings. */
static JSValueRef gp__embed(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                            const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  gp_embedder_t *e = gp__embedder_of(ctx, GP__ARG(0));
  JSValueRef cb = GP__ARG(2);
  if (!e || !gp__js_is_function(ctx, cb))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "embedderEmbed(e, texts, cb)");
  json_t *texts = gp__js_to_json(ctx, GP__ARG(1), exc);
  if (!texts) return JSValueMakeUndefined(ctx);
  size_t i, n = json_array_size(texts);
  json_t *t;
  int ok = json_is_array(texts);
  json_array_foreach(texts, i, t) ok = ok && json_is_string(t);
  if (!ok) {
    json_decref(texts);
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1,
                        "embedBatch needs an array of strings");
  }
  gp__embjob_t *j = calloc(1, sizeof *j);
  j->rt = rt;
  j->e = gp_embedder_ref(e);
  j->n = n;
  j->texts = calloc(n ? n : 1, sizeof *j->texts);
  j->vecs = calloc(n ? n : 1, sizeof *j->vecs);
  json_array_foreach(texts, i, t) j->texts[i] = strdup(json_string_value(t));
  json_decref(texts);
  j->cb = (JSObjectRef)cb;
  JSValueProtect(ctx, cb);
  j->work.data = j;
  gp__js_keep(rt);
  if (uv_queue_work(gp_owner_loop(rt->owner), &j->work, gp__embjob_work, gp__embjob_done) != 0) {
    gp__js_unkeep(rt);
    JSValueUnprotect(ctx, cb);
    gp__embjob_free(j);
    return gp__js_throw(ctx, exc, GP_ERR_INTERNAL, 0, "embeddings: cannot queue the request");
  }
  return JSValueMakeUndefined(ctx);
}

void gp__mod_embeddings_init(JSContextRef ctx, JSObjectRef native) {
  static const gp__js_fn_t fns[] = {
      {"embedderFromConfig", gp__from_config}, {"embedderFromProfile", gp__from_profile},
      {"embedderModel", gp__model},            {"embedderEmbed", gp__embed},
  };
  gp__js_set_fns(ctx, native, fns, sizeof fns / sizeof *fns);
}
