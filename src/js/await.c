/* Deferred completion for JS callbacks that return a Promise: the owner call's fn
 * answers GP_OWNER_PENDING and these reactions finish the call when the promise settles
 * (SPEC §4.7: promise-returning engines, handlers and hooks are awaited). Also the small
 * glue every adapter shares: picking the run's dispatcher, the inference ctx object,
 * and releasing protected values from threads that are not the owner. */
#include <stdatomic.h>
#include <stdlib.h>

#include "core/core.h"
#include "geppetto/engine.h"
#include "js/js_private.h"

typedef struct {
  atomic_int refs;                /* the two reaction objects, the token registration,
                                     our own during setup (the last may drop off-owner) */
  int done;                       /* settled or abandoned; owner thread */
  int in_then;                    /* inside the `then` call: the caller's fn has not
                                     returned GP_OWNER_PENDING yet; owner thread */
  gp_owner_completion_t *c;       /* NULL: ignore the outcome */
  gp__js_settle_fn settle;
  void *ud;
  void (*ud_free)(void *ud);
  gp_js_runtime_t *rt;
  gp_cancel_t *token;             /* reference, or NULL: abandons the call when it fires */
  uint64_t cb_id;                 /* its registration (0: none); owner thread */
  atomic_int reg_done;            /* the registration's reference was handed on */
} gp__pending_t;

typedef struct {
  gp__pending_t *p;
  int rejected;
} gp__reaction_t;

static JSClassRef gp__reaction_class;

/* Any thread. ud_free must not touch the VM (documented in js_private.h). */
static void gp__pending_unref(void *arg) {
  gp__pending_t *p = arg;
  if (atomic_fetch_sub(&p->refs, 1) != 1) return;
  if (p->ud_free) p->ud_free(p->ud);
  gp_cancel_unref(p->token);
  free(p);
}

/* A completion that must wait until the call's fn has returned GP_OWNER_PENDING. */
typedef struct {
  gp_owner_completion_t *c;
  int status;
  void *result;
} gp__late_t;

static void gp__late_run(void *arg) {
  gp__late_t *l = arg;
  gp_owner_complete(l->c, l->status, l->result);
}

/* Finishes the owner call with (status, result), now or, inside `then`, once fn has
 * returned: JavaScriptCore drains microtasks when the `then` call leaves the VM, so an
 * already-settled promise reacts before fn has answered GP_OWNER_PENDING, and a
 * completion is only valid after that. The post runs after fn (one request at a time). */
static void gp__pending_finish(gp__pending_t *p, int status, void *result) {
  if (p->in_then) {
    gp__late_t *l = gp__xcalloc(1, sizeof *l);
    l->c = p->c;
    l->status = status;
    l->result = result;
    gp_owner_post(p->rt->owner, "js.settle", gp__late_run, l, free);
  } else {
    gp_owner_complete(p->c, status, result);
  }
  p->c = NULL;
}

/* Owner: no abandon any more. Drops the registration's reference unless the token's
 * callback took it (it then travels with the abandon post). */
static void gp__pending_unregister(gp__pending_t *p) {
  if (p->cb_id == 0) return;
  gp_cancel_off(p->token, p->cb_id);
  p->cb_id = 0;
  if (!atomic_exchange(&p->reg_done, 1)) gp__pending_unref(p);
}

/* Owner: the token fired while the promise was pending: the caller has gone (canceled,
 * timed out), so the call is finished now and the promise's outcome ignored. A promise
 * that never settles then holds nothing of the owner (wait_idle is not kept busy). */
static void gp__pending_abandon(void *arg) {
  gp__pending_t *p = arg;
  GP_JS_ASSERT(p->rt);
  p->cb_id = 0;
  if (p->done) return;
  p->done = 1;
  if (p->c) gp__pending_finish(p, gp_cancel_reason(p->token), NULL);
}

/* Whichever thread fires the token: hand the registration's reference to a post. */
static void gp__pending_fired(void *ud, int reason) {
  (void)reason;
  gp__pending_t *p = ud;
  if (atomic_exchange(&p->reg_done, 1)) return;
  gp_owner_post(p->rt->owner, "js.abandon", gp__pending_abandon, p, gp__pending_unref);
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
  gp__pending_unregister(p);
  if (p->c) {
    void *result = NULL;
    int status = p->settle(ctx, p->ud, r->rejected, argc > 0 ? argv[0] : JSValueMakeUndefined(ctx),
                           &result);
    gp__pending_finish(p, status, result);
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
  gp__reaction_t *r = gp__xcalloc(1, sizeof *r);
  r->p = p;
  r->rejected = rejected;
  atomic_fetch_add(&p->refs, 1);
  return JSObjectMake(ctx, gp__reaction_class, r);
}

void gp__js_await_token(JSContextRef ctx, JSValueRef promise, gp_owner_completion_t *c,
                        gp_cancel_t *cancel, gp__js_settle_fn settle, void *ud,
                        void (*ud_free)(void *ud)) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  gp__pending_t *p = gp__xcalloc(1, sizeof *p);
  p->c = c;
  p->settle = settle;
  p->ud = ud;
  p->ud_free = ud_free;
  p->rt = rt;
  atomic_init(&p->refs, 1); /* ours until the reactions exist */
  atomic_init(&p->reg_done, 0);
  if (c && cancel) {
    p->token = gp_cancel_ref(cancel);
    atomic_fetch_add(&p->refs, 1); /* the registration's */
    p->cb_id = gp_cancel_on(p->token, gp__pending_fired, p); /* fired: posts now */
  }
  JSValueRef args[2] = {gp__reaction_new(ctx, p, 0), gp__reaction_new(ctx, p, 1)};
  JSValueRef then = gp__js_get(ctx, (JSObjectRef)promise, "then");
  JSValueRef exc = NULL;
  p->in_then = 1;
  JSObjectCallAsFunction(ctx, (JSObjectRef)then, (JSObjectRef)promise, 2, args, &exc);
  if (exc && !p->done) { /* a hostile thenable: answer with its throw */
    JSObjectCallAsFunction(ctx, (JSObjectRef)args[1], NULL, 1, &exc, NULL);
  }
  p->in_then = 0;
  gp__pending_unref(p);
}

void gp__js_await(JSContextRef ctx, JSValueRef promise, gp_owner_completion_t *c,
                  gp__js_settle_fn settle, void *ud, void (*ud_free)(void *ud)) {
  gp__js_await_token(ctx, promise, c, NULL, settle, ud, ud_free);
}

gp_dispatcher_t *gp__js_dispatcher(gp_js_runtime_t *rt, void *host) {
  return host ? (gp_dispatcher_t *)host : gp_owner_dispatcher(rt->owner);
}

int gp__js_is_sync(gp_js_runtime_t *rt, void *host) {
  return host != NULL && host != (void *)gp_owner_dispatcher(rt->owner) &&
         !gp__js_switchable(rt, host);
}

void gp__js_set_run(JSContextRef ctx, JSObjectRef o, const gp_run_info_t *run) {
  gp__js_set(ctx, o, "sessionId", gp__js_str(ctx, run->session_id));
  gp__js_set(ctx, o, "inferenceId", gp__js_str(ctx, run->run_id));
  gp__js_set(ctx, o, "tags", run->tags ? gp__js_from_json(ctx, run->tags) : JSObjectMake(ctx, NULL, NULL));
}

JSObjectRef gp__js_infer_ctx(JSContextRef ctx, const gp_infer_ctx_t *ictx, JSValueRef signal) {
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  gp__js_set_run(ctx, o, &ictx->run);
  gp__js_set(ctx, o, "deadlineMs", JSValueMakeNumber(ctx, (double)ictx->run.deadline_ms));
  gp__js_set(ctx, o, "iteration", JSValueMakeNumber(ctx, ictx->iteration));
  gp__js_set(ctx, o, "signal", signal);
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
  gp__unprotect_t *u = gp__xcalloc(1, sizeof *u);
  u->rt = rt;
  u->v = v;
  gp_owner_post(rt->owner, "js.unprotect", gp__unprotect_run, u, free);
}
