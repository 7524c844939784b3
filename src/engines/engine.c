/* The engine interface: a refcounted wrapper around a provider implementation (a vtable
 * and its impl pointer). gp_engine_infer is the one entry point runs use: it honours a
 * token that fired before the call, feeds the answer's text deltas to the incremental
 * JSON parser when the run asks for structured output (partial-object events, whatever
 * the engine), and stamps the provider/model metadata afterwards.
 * Engines are immutable after creation, so several runs may use one concurrently. */
#include <geppetto/engine.h>

#include <stdatomic.h>
#include <stdlib.h>

#include "core/core.h"
#include "engines/partial_json.h"
#include "events/events_internal.h"

struct gp_engine_s {
  atomic_int refcount;       /* references; the last unref destroys */
  gp_engine_vtable_t vt;     /* copy of the creator's vtable */
  char *provider;            /* heap copy of vt.provider, never NULL */
  void *impl;                /* owned: vt.destroy(impl) at the end */
  char *model;               /* heap string or NULL */
};

/* Any thread. Takes ownership of `impl`; `vt` is copied. Never NULL. */
gp_engine_t *gp_engine_new(const gp_engine_vtable_t *vt, void *impl, const char *model) {
  GP_ASSERT(vt != NULL && vt->infer != NULL);
  gp_engine_t *e = gp__xcalloc(1, sizeof *e);
  atomic_init(&e->refcount, 1);
  e->vt = *vt;
  e->provider = gp__xstrdup(vt->provider ? vt->provider : "");
  e->impl = impl;
  e->model = gp__xstrdup(model);
  return e;
}

/* Any thread. Returns `e`. */
gp_engine_t *gp_engine_ref(gp_engine_t *e) {
  if (e) atomic_fetch_add_explicit(&e->refcount, 1, memory_order_relaxed);
  return e;
}

/* Any thread; accepts NULL. The last reference runs vt.destroy(impl). */
void gp_engine_unref(gp_engine_t *e) {
  if (!e) return;
  if (atomic_fetch_sub_explicit(&e->refcount, 1, memory_order_acq_rel) != 1) return;
  if (e->vt.destroy) e->vt.destroy(e->impl);
  free(e->provider);
  free(e->model);
  free(e);
}

const char *gp_engine_provider(const gp_engine_t *e) { return e ? e->provider : NULL; }

const char *gp_engine_model(const gp_engine_t *e) { return e ? e->model : NULL; }

/* metadata[key] = value unless the key is present or value is NULL (or not UTF-8). */
static void gp__set_meta_if_absent(gp_turn_t *turn, const char *key, const char *value) {
  if (!value || gp_turn_get_meta(turn, key)) return;
  json_t *j = json_string(value);
  if (j) gp_turn_set_meta(turn, key, j);
}

/* The tap of a run with structured output: the answer's text deltas, whichever engine
 * streams them, go through the incremental parser; a snapshot is a partial-object event
 * when it is due (partial_json.c keeps the copying linear). */
static json_t *gp__output_tap(void *ud, const char *delta, size_t n) {
  gp_pjson_t *pj = ud;
  if (gp__pjson_feed(pj, delta, n) < 0 || !gp__pjson_due(pj)) return NULL;
  json_t *v = gp__pjson_snapshot(pj);
  return v ? json_pack("{s:o}", "object", v) : NULL;
}

/* Run thread. Returns the engine's result; a token that already fired returns its
 * reason with *err set and the engine is not called. Provider and model metadata are
 * set on `turn` afterwards (success or failure) unless the engine set them. */
int gp_engine_infer(gp_engine_t *e, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  if (!e || !turn) return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "engine: no engine or turn");
  int reason = gp_cancel_reason(ctx ? ctx->run.cancel : NULL);
  if (reason != 0) {
    return gp_error_set(err, reason, "%s: inference not started: %s", e->provider,
                        gp_strerror(reason));
  }
  gp_pjson_t *pj = ctx && ctx->output && gp_emitter_observed(ctx->emitter) ? gp__pjson_new() : NULL;
  if (pj && gp__emitter_set_tap(ctx->emitter, gp__output_tap, pj) != 0) { /* an outer call taps */
    gp__pjson_free(pj);
    pj = NULL;
  }
  int rc = e->vt.infer(e->impl, ctx, turn, err);
  if (pj) {
    gp__emitter_set_tap(ctx->emitter, NULL, NULL);
    gp__pjson_free(pj);
  }
  if (rc != 0 && err && !*err) {
    *err = gp_error_new(rc, "%s: %s", e->provider, gp_strerror(rc));
  }
  gp__set_meta_if_absent(turn, GP_META_PROVIDER, e->provider);
  gp__set_meta_if_absent(turn, GP_META_MODEL, e->model);
  return rc;
}
