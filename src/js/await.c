/* Deferred completion for JS callbacks that return a Promise: the owner call's fn
 * answers GP_OWNER_PENDING and these reactions finish the call when the promise settles
 * (SPEC §4.7: promise-returning engines, handlers and hooks are awaited). Also the small
 * glue every adapter shares: picking the run's dispatcher, the inference ctx object,
 * and releasing protected values from threads that are not the owner. */
#include <stdlib.h>

#include "core/core.h"
#include "geppetto/engine.h"
#include "js/js_private.h"

typedef struct {
  int refs;                       /* the two reaction objects; owner thread only */
  int done;                       /* one reaction ran */
  gp_owner_completion_t *c;       /* NULL: ignore the outcome */
  gp__js_settle_fn settle;
  void *ud;
  void (*ud_free)(void *ud);
} gp__pending_t;

typedef struct {
  gp__pending_t *p;
  int rejected;
} gp__reaction_t;

static JSClassRef gp__reaction_class;

static void gp__pending_unref(gp__pending_t *p) {
  if (--p->refs > 0) return;
  if (p->ud_free) p->ud_free(p->ud);
  free(p);
}

static void gp__reaction_finalize(JSObjectRef obj) {
  gp__reaction_t *r = JSObjectGetPrivate(obj);
  if (r == NULL) return;
  gp__pending_unref(r->p);
  free(r);
}

static JSValueRef gp__reaction_call(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                    size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__reaction_t *r = JSObjectGetPrivate(fn);
  gp__pending_t *p = r ? r->p : NULL;
  if (p == NULL || p->done) return JSValueMakeUndefined(ctx);
  p->done = 1;
  if (p->c) {
    void *result = NULL;
    int status = p->settle(ctx, p->ud, r->rejected, argc > 0 ? argv[0] : JSValueMakeUndefined(ctx),
                           &result);
    gp_owner_complete(p->c, status, result);
    p->c = NULL;
  }
  return JSValueMakeUndefined(ctx);
}

static JSObjectRef gp__reaction_new(JSContextRef ctx, gp__pending_t *p, int rejected) {
  if (gp__reaction_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "Reaction";
    def.finalize = gp__reaction_finalize;
    def.callAsFunction = gp__reaction_call;
    gp__reaction_class = JSClassCreate(&def);
  }
  gp__reaction_t *r = gp_xcalloc(1, sizeof *r);
  r->p = p;
  r->rejected = rejected;
  p->refs++;
  return JSObjectMake(ctx, gp__reaction_class, r);
}

void gp__js_await(JSContextRef ctx, JSValueRef promise, gp_owner_completion_t *c,
                  gp__js_settle_fn settle, void *ud, void (*ud_free)(void *ud)) {
  GP_JS_ASSERT(gp__js_rt());
  gp__pending_t *p = gp_xcalloc(1, sizeof *p);
  p->c = c;
  p->settle = settle;
  p->ud = ud;
  p->ud_free = ud_free;
  p->refs = 1; /* ours until the reactions exist */
  JSValueRef args[2] = {gp__reaction_new(ctx, p, 0), gp__reaction_new(ctx, p, 1)};
  JSValueRef then = gp__js_get(ctx, (JSObjectRef)promise, "then");
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, (JSObjectRef)then, (JSObjectRef)promise, 2, args, &exc);
  if (exc && !p->done) { /* a hostile thenable: answer with its throw */
    JSObjectCallAsFunction(ctx, (JSObjectRef)args[1], NULL, 1, &exc, NULL);
  }
  gp__pending_unref(p);
}

gp_dispatcher_t *gp__js_dispatcher(gp_js_runtime_t *rt, void *host) {
  return host ? (gp_dispatcher_t *)host : gp_owner_dispatcher(rt->owner);
}

int gp__js_is_sync(gp_js_runtime_t *rt, void *host) {
  return host != NULL && host != (void *)gp_owner_dispatcher(rt->owner) &&
         !gp__js_switchable(rt, host);
}

JSObjectRef gp__js_infer_ctx(JSContextRef ctx, const gp_infer_ctx_t *ictx) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set(ctx, o, "sessionId", gp__js_str(ctx, ictx->session_id));
  gp__js_set(ctx, o, "inferenceId", gp__js_str(ctx, ictx->inference_id));
  gp__js_set(ctx, o, "tags", ictx->tags ? gp__js_from_json(ctx, ictx->tags) : JSObjectMake(ctx, NULL, NULL));
  gp__js_set(ctx, o, "deadlineMs", JSValueMakeNumber(ctx, (double)ictx->deadline_ms));
  gp__js_set(ctx, o, "iteration", JSValueMakeNumber(ctx, ictx->iteration));
  return o;
}

typedef struct {
  gp_js_runtime_t *rt;
  JSValueRef v;
} gp__unprotect_t;

static void gp__unprotect_run(void *arg) {
  gp__unprotect_t *u = arg;
  GP_JS_ASSERT(u->rt);
  if (u->rt->ctx) JSValueUnprotect(u->rt->ctx, u->v);
}

void gp__js_unprotect_later(gp_js_runtime_t *rt, JSValueRef v) {
  gp__unprotect_t *u = gp_xcalloc(1, sizeof *u);
  u->rt = rt;
  u->v = v;
  gp_owner_post(rt->owner, "js.unprotect", gp__unprotect_run, u, free);
}
