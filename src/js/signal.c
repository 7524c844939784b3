/* ctx.signal of the callbacks a run calls into JS (tool handlers, engine functions,
 * middlewares; SPEC §3.5): a real AbortSignal (lib/web/abort.js, made through the
 * geppetto module's native.newRunSignal) tied to a C cancel token. When the token
 * fires (run canceled, the tool call's executionTimeoutMs) the abort is posted to the
 * owner, where the signal aborts with an Error whose code is CANCELED or TIMEOUT, unless
 * the call has ended meanwhile. The runtime lists its live signals so that a run's
 * cancel (and its settlement) can deliver fired aborts at once (gp__js_sig_flush): a
 * handler's signal is aborted by the time cancel() returns, never after the run's
 * promise has rejected. */
#include <stdatomic.h>
#include <stdlib.h>

#include "core/core.h"
#include "js/js_private.h"

/* The C side of one call's signal: the cancel registration and the JS abort function.
 * Refcounted: one reference for the call, one per abort post in flight. */
struct gp__js_sig_s {
  atomic_int refs;
  gp_js_runtime_t *rt;
  JSObjectRef abort;              /* protected; unprotected (later) at the last unref */
  gp_cancel_t *token;             /* reference to the call's token, or NULL */
  gp_dispatcher_t *d;             /* reference: where the abort is posted */
  uint64_t cb_id;                 /* gp_cancel_on id, 0 when none; owner thread */
  int done;                       /* the call has ended: no abort any more; owner */
  int aborted;                    /* the JS abort was called; owner */
  atomic_int fired;               /* the token fired (set before the abort is posted) */
  gp__js_sig_t *prev, *next;      /* in rt->sigs while listed (until finished); owner */
  int listed;                     /* owner */
};

/* Any thread (the last reference may go in a finalizer or at owner shutdown). */
static void gp__sig_unref(void *p) {
  gp__js_sig_t *s = p;
  if (s == NULL || atomic_fetch_sub(&s->refs, 1) != 1) return;
  gp__js_unprotect_later(s->rt, s->abort);
  gp_cancel_unref(s->token);
  gp_dispatcher_unref(s->d);
  free(s);
}

/* Owner: the token fired; abort the JS signal unless the call has ended meanwhile. */
static void gp__sig_abort(void *p) {
  gp__js_sig_t *s = p;
  gp_js_runtime_t *rt = s->rt;
  GP_JS_ASSERT(rt);
  if (rt->ctx == NULL || s->done || s->aborted) return;
  s->aborted = 1;
  JSValueRef arg = gp__js_str(rt->ctx, gp_err_name(gp_cancel_reason(s->token)));
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(rt->ctx, s->abort, NULL, 1, &arg, &exc);
  if (exc) gp__js_report(rt->ctx, exc, "ctx.signal");
}

/* Whichever thread fires the token: queue the abort (never inline: posts are queued). */
static void gp__sig_fired(void *ud, int reason) {
  gp__js_sig_t *s = ud;
  (void)reason;
  atomic_store(&s->fired, 1);
  atomic_fetch_add(&s->refs, 1);
  gp_dispatcher_post(s->d, "signal.abort", gp__sig_abort, s, gp__sig_unref);
}

/* Owner: takes `s` off its runtime's list of live signals (if on it). */
static void gp__sig_unlist(gp__js_sig_t *s) {
  if (!s->listed) return;
  if (s->prev) s->prev->next = s->next;
  else s->rt->sigs = s->next;
  if (s->next) s->next->prev = s->prev;
  s->prev = s->next = NULL;
  s->listed = 0;
}

void gp__js_sig_finish(gp__js_sig_t *s) {
  if (s == NULL || s->done) return;
  gp__sig_unlist(s);
  s->done = 1;
  if (s->cb_id) gp_cancel_off(s->token, s->cb_id);
  s->cb_id = 0;
}

void gp__js_sig_release(void *p) {
  gp__js_sig_t *s = p;
  if (s == NULL) return;
  gp__js_sig_finish(s);
  gp__sig_unref(s);
}

JSValueRef gp__js_sig_new(gp_js_runtime_t *rt, JSContextRef ctx, gp_cancel_t *cancel, void *host,
                          int tool, gp__js_sig_t **out) {
  *out = NULL;
  JSValueRef nat = gp__js_get(ctx, rt->host, "native");
  JSValueRef f = JSValueIsObject(ctx, nat) ? gp__js_get(ctx, (JSObjectRef)nat, "newRunSignal")
                                           : JSValueMakeUndefined(ctx);
  if (!gp__js_is_function(ctx, f)) return JSValueMakeUndefined(ctx);
  JSValueRef kind = gp__js_str(ctx, tool ? "tool" : "run");
  JSValueRef pair = JSObjectCallAsFunction(ctx, (JSObjectRef)f, NULL, 1, &kind, NULL);
  if (pair == NULL || !JSValueIsObject(ctx, pair)) return JSValueMakeUndefined(ctx);
  JSValueRef abort = gp__js_get(ctx, (JSObjectRef)pair, "abort");
  JSValueRef signal = gp__js_get(ctx, (JSObjectRef)pair, "signal");
  if (!JSValueIsObject(ctx, abort)) return JSValueMakeUndefined(ctx);
  gp__js_sig_t *s = gp__xcalloc(1, sizeof *s);
  atomic_init(&s->refs, 1);
  s->rt = rt;
  s->abort = (JSObjectRef)abort;
  JSValueProtect(ctx, abort);
  s->d = gp_dispatcher_ref(gp__js_dispatcher(rt, host));
  if (cancel) {
    s->token = gp_cancel_ref(cancel);
    s->next = rt->sigs;
    if (s->next) s->next->prev = s;
    rt->sigs = s;
    s->listed = 1;
    s->cb_id = gp_cancel_on(s->token, gp__sig_fired, s); /* fired already: posts now */
  }
  *out = s;
  return signal;
}

/* The first listed signal whose token fired and whose abort has not run, or NULL. */
static gp__js_sig_t *gp__sig_first_fired(gp_js_runtime_t *rt) {
  for (gp__js_sig_t *s = rt->sigs; s; s = s->next) {
    if (!s->aborted && atomic_load(&s->fired)) return s;
  }
  return NULL;
}

void gp__js_sig_flush(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  gp__js_sig_t *s;
  /* from the head each time: an abort listener may finish or make signals */
  while (rt->ctx != NULL && (s = gp__sig_first_fired(rt)) != NULL) {
    atomic_fetch_add(&s->refs, 1);
    gp__sig_abort(s);
    gp__sig_unref(s);
  }
}

void gp__js_sig_unlist_all(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  while (rt->sigs) gp__sig_unlist(rt->sigs);
}
