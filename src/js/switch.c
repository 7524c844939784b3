/* The JS middleware adapter: the run-thread/owner mailbox protocol and the switching of
 * a synchronous next() (mod_middleware.c is the `gp.middlewares` binding over it).
 *
 * A JS middleware is an adapter whose callback runs on the run thread. The difficulty
 * is `next`: JS calls it on the owner (inside fn), but the rest of the chain must run
 * on the run thread (HTTP, its own owner hops), and neither thread may wait for the
 * other in a cycle. So the run thread does not make one owner call; it holds a small
 * mailbox (mutex + condition, one per invocation) and loops on it:
 *
 *   run thread                              owner
 *   post "start" through the run's host ->  fn(turn, next, ctx), guarded by the deadline
 *   wait on the mailbox                     JS calls next(t): put NEXT(t, host H) there
 *   take NEXT, run gp_next(rest) with       ...waits (sync next) or returns a Promise
 *   ctx.host = H, give the result back  ->  next() returns / its Promise settles
 *   wait again                              fn returns (or its Promise settles): DONE
 *   take DONE, return
 *
 * - Synchronous next() (a plain function calling it): the owner must not block on the
 *   run thread while the run thread needs the owner (the inner chain may hold a JS
 *   engine or another JS middleware). So the owner waits by SERVICING a private
 *   dispatcher H with gp_dispatcher_wait_service until the result is in: the run's own
 *   private dispatcher inside run() (nested service: the inner chain's callbacks and
 *   events run inline, in order), or a fresh one under runAsync()/start(). No cycle:
 *   every request the run thread makes while the owner waits goes to H, which the owner
 *   drains. Inside run() a JS callback in that inner chain that returns a Promise fails
 *   with ASYNC_CALLBACK_IN_SYNC_RUN (nothing can wait for it). Under runAsync()/start()
 *   it pends instead and next() switches: H is closed (later requests go to the owner's
 *   queue), and next() returns a Promise of the Turn ("Switching" below).
 * - Async middleware (an async function, or one whose returned Promise later calls
 *   next) under runAsync()/start(): next() returns a Promise; H is the run's host (the
 *   owner's queue), the owner goes on with its loop, and the run thread posts the
 *   result back through H to settle that Promise. Inside run() an async function
 *   fails with ASYNC_CALLBACK_IN_SYNC_RUN before it is called.
 * - The run thread leaves early (cancel or timeout) only while the owner is not running
 *   fn (queued, or waiting for fn's Promise); then the owner side sees `abandoned`,
 *   rejects later next() calls and drops its result. While fn runs, the guarded call
 *   interrupts it at the run's deadline or cancel.
 * - fn's result: a Turn, or undefined for the turn the last next() returned (possibly
 *   changed in place), else the input turn object. A throw or rejection fails the run
 *   (code from the Error's `code` when it names one); the run's partial turn is what
 *   the inner chain produced, when next() ran. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/middleware.h"
#include "js/js_private.h"


static JSClassRef gp__next_class, gp__settle_class;

typedef struct {
  gp_js_runtime_t *rt;
  JSObjectRef fn;                 /* protected; unprotected on the owner at destroy */
  int is_async;                   /* fn is an AsyncFunction: its next() is a Promise */
} gp__jsmw_t;

enum { GP__MW_QUEUED, GP__MW_RUNNING, GP__MW_PENDING, GP__MW_DONE };

/* One invocation of a JS middleware: shared by the run thread and the owner. */
typedef struct gp__mwcall_s {
  atomic_int refs;
  gp_js_runtime_t *rt;
  gp__jsmw_t *mw;                 /* valid until abandoned (the run thread holds it) */
  gp_infer_ctx_t *ictx;           /* borrowed from the run thread; read at start only */
  gp_dispatcher_t *host;          /* the run's dispatcher (as ictx) */
  int sync_host;                  /* the owner waits for this run synchronously (run(), not
                                     a switchable next()); set on the owner at start */
  gp_turn_t *in;                  /* copy of the input turn, read by the owner at start */
  pthread_mutex_t mu;
  pthread_cond_t cv;
  /* under mu */
  int phase;                      /* GP__MW_* */
  int abandoned;                  /* the run thread left (canceled); owner drops results */
  int started;                    /* the start request ran (else its free answers CLOSED) */
  gp_turn_t *next_turn;           /* a next() request the run thread has not taken yet */
  gp_dispatcher_t *next_host;     /* its dispatcher (a reference) */
  int next_async;                 /* its outcome settles a Promise (else: a sync waiter) */
  int next_busy;                  /* the run thread is running one */
  int next_done;                  /* sync next: the outcome below is in */
  int next_rc;
  gp_turn_t *next_out;            /* the inner chain's turn (also on failure: partial) */
  gp_error_t *next_err;
  int rc;                         /* DONE: the answer */
  gp_turn_t *out;                 /* DONE: the new turn, or the partial one on failure */
  gp_error_t *err;
  /* owner thread only */
  int released;                   /* the JS values below were unprotected */
  JSObjectRef in_obj;             /* protected: the turn object given to fn */
  JSObjectRef last_obj;           /* protected or NULL: what the last next() returned */
  gp_turn_t *last_c;              /* C copy of the last inner chain's turn, or NULL */
  JSObjectRef resolve, reject;    /* protected while an async next() is outstanding */
  gp_dispatcher_t *sw_p;          /* a reference: the switchable dispatcher of this
                                     call's synchronous next() (see "Switching"), or NULL */
  int sw_pending;                 /* a callback inside it went asynchronous */
  struct gp__mwcall_s *sw_next;   /* the list of calls with sw_p */
  gp__js_sig_t *sig;              /* ctx.signal's C side, released with the JS values;
                                     owner (or the last unref when never released) */
} gp__mwcall_t;

static gp__mwcall_t *gp__call_ref(gp__mwcall_t *c) {
  atomic_fetch_add(&c->refs, 1);
  return c;
}

/* Any thread; the last reference frees (never touches the VM). */
static void gp__call_unref(void *p) {
  gp__mwcall_t *c = p;
  if (c == NULL || atomic_fetch_sub(&c->refs, 1) != 1) return;
  gp_turn_free(c->in);
  gp_turn_free(c->next_turn);
  gp_dispatcher_unref(c->next_host);
  gp_turn_free(c->next_out);
  gp_error_free(c->next_err);
  gp_turn_free(c->out);
  gp_error_free(c->err);
  gp_turn_free(c->last_c);
  gp__js_sig_release(c->sig); /* the owner never released the call (it closed first) */
  pthread_cond_destroy(&c->cv);
  pthread_mutex_destroy(&c->mu);
  free(c);
}

/* ---- Switching: a synchronous next() whose inner chain goes asynchronous --------------
 *
 * Under runAsync()/start() a plain function's next() first waits synchronously,
 * servicing a private dispatcher P. If a JS callback inside (an async engine, an async
 * middleware) returns a Promise there, the owner cannot wait for it in place; instead
 * that callback pends as under runAsync() (gp__js_is_sync is 0 for P), the waiting
 * next() sees it (gp__js_note_pending), closes P (later requests go to the owner's
 * queue), and returns a Promise of the Turn: `return next(turn)` then just works. Such
 * a P stays registered, and referenced, until its next() has delivered its outcome. */

static _Thread_local gp__mwcall_t *gp__switchables; /* owner thread: calls with sw_p */

int gp__js_switchable(gp_js_runtime_t *rt, void *host) {
  for (gp__mwcall_t *c = gp__switchables; c && host; c = c->sw_next)
    if (c->sw_p == host) return 1;
  return 0;
}

void gp__js_note_pending(gp_js_runtime_t *rt, void *host) {
  for (gp__mwcall_t *c = gp__switchables; c && host; c = c->sw_next)
    if (c->sw_p == host) c->sw_pending = 1;
}

static void gp__switch_add(gp__mwcall_t *c, gp_dispatcher_t *p) {
  c->sw_p = p;
  c->sw_pending = 0;
  c->sw_next = gp__switchables;
  gp__switchables = c;
}

/* Owner: unregisters and drops the call's P (idempotent). */
static void gp__switch_drop(gp__mwcall_t *c) {
  if (c->sw_p == NULL) return;
  for (gp__mwcall_t **pp = &gp__switchables; *pp; pp = &(*pp)->sw_next) {
    if (*pp == c) {
      *pp = c->sw_next;
      break;
    }
  }
  gp_dispatcher_unref(c->sw_p);
  c->sw_p = NULL;
  c->sw_next = NULL;
}

/* ---- Owner side -------------------------------------------------------------------- */

static void gp__protect_set(JSContextRef ctx, JSObjectRef *slot, JSObjectRef v) {
  if (v) JSValueProtect(ctx, v);
  if (*slot) JSValueUnprotect(ctx, *slot);
  *slot = v;
}

/* Owner: drops the JS values of an invocation that is over (idempotent). */
static void gp__call_release(JSContextRef ctx, gp__mwcall_t *c) {
  if (c->released) return;
  c->released = 1;
  gp__switch_drop(c);
  gp__protect_set(ctx, &c->in_obj, NULL);
  gp__protect_set(ctx, &c->last_obj, NULL);
  gp__protect_set(ctx, &c->resolve, NULL);
  gp__protect_set(ctx, &c->reject, NULL);
  gp__js_sig_release(c->sig);
  c->sig = NULL;
}

static void gp__release_post(void *p) {
  gp__mwcall_t *c = p;
  if (c->rt->ctx) gp__call_release(c->rt->ctx, c);
}

/* Owner: the invocation's answer; wakes the run thread. Takes `out` and `err`. */
static void gp__call_finish(JSContextRef ctx, gp__mwcall_t *c, int rc, gp_turn_t *out,
                            gp_error_t *err) {
  if (rc != GP_OK && out == NULL && c->last_c) out = gp_turn_copy(c->last_c);
  pthread_mutex_lock(&c->mu);
  int dropped = c->abandoned || c->phase == GP__MW_DONE;
  if (!dropped) {
    c->phase = GP__MW_DONE;
    c->rc = rc;
    c->out = out;
    c->err = err;
    gp_turn_free(c->next_turn); /* a next() the run thread never took is moot now */
    c->next_turn = NULL;
    pthread_cond_broadcast(&c->cv);
  }
  pthread_mutex_unlock(&c->mu);
  if (dropped) {
    gp_turn_free(out);
    gp_error_free(err);
  }
  /* A next() Promise still outstanding is left pending, not rejected: the middleware
   * has finished without awaiting it, so nobody would handle the rejection. */
  gp__call_release(ctx, c);
}

/* Owner: fn's value (returned, or its Promise's) -> the answer. */
static void gp__call_answer(JSContextRef ctx, gp__mwcall_t *c, JSValueRef v) {
  if (JSValueIsUndefined(ctx, v)) v = c->last_obj ? c->last_obj : c->in_obj;
  JSValueRef exc = NULL;
  gp_turn_t *t = gp__js_to_turn(ctx, v, &exc);
  if (t == NULL) {
    gp__call_finish(ctx, c, GP_ERR_INVALID_ARGUMENT, NULL,
                    gp__js_error_to_c(ctx, exc, GP_ERR_INVALID_ARGUMENT));
    return;
  }
  gp__call_finish(ctx, c, GP_OK, t, NULL);
}

static void gp__call_fail(JSContextRef ctx, gp__mwcall_t *c, JSValueRef exc) {
  gp_error_t *err = gp__js_error_to_c(ctx, exc, GP_ERR_JS_EXCEPTION);
  gp__call_finish(ctx, c, err->code, NULL, err);
}

/* Reactions to fn's Promise (a class: their private data is the invocation). */
typedef struct {
  gp__mwcall_t *c;                /* a reference */
  int rejected;
} gp__settle_t;

static void gp__settle_finalize(JSObjectRef obj) {
  gp__settle_t *s = JSObjectGetPrivate(obj);
  if (s == NULL) return;
  gp__call_unref(s->c);
  free(s);
}

static JSValueRef gp__settle_call(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                  size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__settle_t *s = JSObjectGetPrivate(fn);
  if (s == NULL) return JSValueMakeUndefined(ctx);
  if (s->rejected) gp__call_fail(ctx, s->c, GP__ARG(0));
  else gp__call_answer(ctx, s->c, GP__ARG(0));
  return JSValueMakeUndefined(ctx);
}

static JSObjectRef gp__settle_new(JSContextRef ctx, gp__mwcall_t *c, int rejected) {
  if (gp__settle_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "MiddlewareSettle";
    def.finalize = gp__settle_finalize;
    def.callAsFunction = gp__settle_call;
    gp__settle_class = JSClassCreate(&def);
  }
  gp__settle_t *s = gp__xcalloc(1, sizeof *s);
  s->c = gp__call_ref(c);
  s->rejected = rejected;
  return JSObjectMake(ctx, gp__settle_class, s);
}

/* Owner: fn returned a thenable; its settlement answers (the run thread waits, or
 * leaves on cancel: then the answer is dropped). */
static void gp__call_await(JSContextRef ctx, gp__mwcall_t *c, JSObjectRef promise) {
  gp__js_note_pending(c->rt, c->host); /* a synchronous next() around us switches */
  pthread_mutex_lock(&c->mu);
  if (c->phase == GP__MW_RUNNING) c->phase = GP__MW_PENDING;
  pthread_cond_broadcast(&c->cv); /* now the run thread may leave on cancel */
  pthread_mutex_unlock(&c->mu);
  JSValueRef args[2] = {gp__settle_new(ctx, c, 0), gp__settle_new(ctx, c, 1)};
  JSValueRef then = gp__js_get(ctx, promise, "then");
  JSValueRef exc = NULL;
  JSObjectCallAsFunction(ctx, (JSObjectRef)then, promise, 2, args, &exc);
  if (exc) gp__call_fail(ctx, c, exc); /* a hostile thenable */
}

/* ---- next() ----------------------------------------------------------------------- */

static void gp__next_finalize(JSObjectRef obj) { gp__call_unref(JSObjectGetPrivate(obj)); }

static int gp__next_done(void *ud) {
  gp__mwcall_t *c = ud;
  pthread_mutex_lock(&c->mu);
  int done = c->next_done;
  pthread_mutex_unlock(&c->mu);
  return done || c->sw_pending;
}

/* Owner: a finished inner chain -> the JS value next() gives (or throws). */
static JSValueRef gp__next_result(JSContextRef ctx, gp__mwcall_t *c, int rc, gp_turn_t *t,
                                  gp_error_t *err, JSValueRef *exc) {
  if (t) {
    gp_turn_free(c->last_c);
    c->last_c = gp_turn_copy(t);
  }
  JSValueRef v = NULL;
  if (rc == GP_OK && t) {
    v = gp__js_from_turn(ctx, t);
    gp__protect_set(ctx, &c->last_obj, (JSObjectRef)v);
  } else {
    if (err == NULL) err = gp_error_new(rc, NULL);
    if (err->partial == NULL && t) gp_error_set_partial(err, gp_turn_copy(t));
    *exc = gp__js_error_from(ctx, err);
  }
  gp_turn_free(t);
  gp_error_free(err);
  return v;
}

/* Owner: hands the run thread a next() request. */
static void gp__next_request(gp__mwcall_t *c, gp_turn_t *t, gp_dispatcher_t *h, int async) {
  pthread_mutex_lock(&c->mu);
  c->next_turn = t;
  c->next_host = gp_dispatcher_ref(h);
  c->next_async = async;
  c->next_done = 0;
  pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
}

/* Owner: the Promise a switched next() returns: reading its Turn fields synchronously
 * throws an Error that says what to do (instead of "undefined is not an object"). */
static JSObjectRef gp__pending_turn(JSContextRef ctx, JSObjectRef promise) {
  gp_js_runtime_t *rt = gp__js_rt();
  JSValueRef f = gp__js_get(ctx, rt->host, "pendingTurn");
  if (!JSValueIsObject(ctx, f)) {
    JSStringRef src = gp__js_string(
        "(function pendingTurn(p) {\n"
        "  const fail = () => { const e = new Error('next() did not finish synchronously: a "
        "callback inside it (an async engine or middleware) is still running, so next() returned "
        "a Promise of the Turn. Return it, or use an async middleware and `await next(turn)`.');"
        " e.code = 'ASYNC_CALLBACK_IN_SYNC_RUN'; throw e; };\n"
        "  for (const k of ['blocks', 'id', 'metadata', 'data'])\n"
        "    Object.defineProperty(p, k, { get: fail, configurable: true });\n"
        "  return p;\n"
        "})");
    f = JSEvaluateScript(ctx, src, NULL, NULL, 1, NULL);
    JSStringRelease(src);
    gp__js_set(ctx, rt->host, "pendingTurn", f);
  }
  JSValueRef arg = promise;
  JSObjectCallAsFunction(ctx, (JSObjectRef)f, NULL, 1, &arg, NULL);
  return promise;
}

/* Owner: synchronous next(): serve the inner chain's requests until it is done; under
 * runAsync()/start() switch to a Promise if a callback inside goes asynchronous. */
static JSValueRef gp__next_sync(JSContextRef ctx, gp__mwcall_t *c, gp_turn_t *t, JSValueRef *exc) {
  gp_dispatcher_t *h = c->host;
  if (!c->sync_host) { /* a run the owner does not wait for: a switchable P */
    h = gp_dispatcher_private_new(c->rt->owner);
    gp__switch_add(c, h);
  }
  gp__next_request(c, t, h, 0);
  int rc = gp_dispatcher_wait_service(h, gp__next_done, c, NULL, -1);
  if (rc != GP_OK) { /* the owner is shutting down; the run thread answers nobody */
    gp__switch_drop(c);
    *exc = gp__js_error(ctx, rc, 0, "next(): the runtime is shutting down");
    return NULL;
  }
  pthread_mutex_lock(&c->mu);
  if (!c->next_done) { /* switched: the outcome will be posted (gp__nextpost_run) */
    c->next_async = 1;
    pthread_mutex_unlock(&c->mu);
    gp_dispatcher_private_close(h);
    JSObjectRef resolve = NULL, reject = NULL;
    JSObjectRef p = JSObjectMakeDeferredPromise(ctx, &resolve, &reject, exc);
    if (p == NULL) return NULL;
    gp__protect_set(ctx, &c->resolve, resolve);
    gp__protect_set(ctx, &c->reject, reject);
    return gp__pending_turn(ctx, p);
  }
  int nrc = c->next_rc;
  gp_turn_t *out = c->next_out;
  gp_error_t *err = c->next_err;
  c->next_out = NULL;
  c->next_err = NULL;
  c->next_done = 0;
  pthread_mutex_unlock(&c->mu);
  gp__switch_drop(c);
  return gp__next_result(ctx, c, nrc, out, err, exc);
}

/* Owner: asynchronous next(): a Promise settled when the run thread posts the result. */
static JSValueRef gp__next_async(JSContextRef ctx, gp__mwcall_t *c, gp_turn_t *t, JSValueRef *exc) {
  JSObjectRef resolve = NULL, reject = NULL;
  JSObjectRef p = JSObjectMakeDeferredPromise(ctx, &resolve, &reject, exc);
  if (p == NULL) {
    gp_turn_free(t);
    return NULL;
  }
  gp__protect_set(ctx, &c->resolve, resolve);
  gp__protect_set(ctx, &c->reject, reject);
  gp__next_request(c, t, c->host, 1);
  return p;
}

static JSValueRef gp__next_call(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__mwcall_t *c = JSObjectGetPrivate(fn);
  if (c == NULL) return JSValueMakeUndefined(ctx);
  pthread_mutex_lock(&c->mu);
  int phase = c->phase, abandoned = c->abandoned;
  int busy = c->next_turn != NULL || c->next_busy || c->resolve != NULL;
  pthread_mutex_unlock(&c->mu);
  int async = !c->sync_host && (phase == GP__MW_PENDING || (c->mw && c->mw->is_async));
  JSValueRef e = NULL;
  if (abandoned)
    e = gp__js_error(ctx, GP_ERR_CANCELED, 0, "next(): the run has ended (canceled or timed out)");
  else if (phase == GP__MW_DONE)
    e = gp__js_error(ctx, GP_ERR_INVALID_ARGUMENT, 0,
                     "next() called after the middleware returned; call it before returning "
                     "(or await it in an async middleware)");
  else if (busy)
    e = gp__js_error(ctx, GP_ERR_INVALID_ARGUMENT, 0,
                     "next() is already running; wait for it before calling it again");
  gp_turn_t *t = NULL;
  if (e == NULL) {
    JSValueRef tv = JSValueIsUndefined(ctx, GP__ARG(0)) ? c->in_obj : argv[0];
    t = gp__js_to_turn(ctx, tv, &e);
  }
  if (e != NULL) {
    if (!async) {
      *exc = e;
      return JSValueMakeUndefined(ctx);
    }
    JSObjectRef res, rej;
    JSObjectRef p = JSObjectMakeDeferredPromise(ctx, &res, &rej, exc);
    if (p) JSObjectCallAsFunction(ctx, rej, NULL, 1, &e, NULL);
    return p ? p : JSValueMakeUndefined(ctx);
  }
  JSValueRef v = async ? gp__next_async(ctx, c, t, exc) : gp__next_sync(ctx, c, t, exc);
  return v ? v : JSValueMakeUndefined(ctx);
}

static JSObjectRef gp__next_new(JSContextRef ctx, gp__mwcall_t *c) {
  if (gp__next_class == NULL) {
    JSClassDefinition def = kJSClassDefinitionEmpty;
    def.className = "next";
    def.finalize = gp__next_finalize;
    def.callAsFunction = gp__next_call;
    gp__next_class = JSClassCreate(&def);
  }
  return JSObjectMake(ctx, gp__next_class, gp__call_ref(c));
}

/* Owner: an async next()'s outcome, posted by the run thread. */
typedef struct {
  gp__mwcall_t *c;                /* a reference */
  int rc;
  gp_turn_t *out;
  gp_error_t *err;
} gp__nextpost_t;

static void gp__nextpost_free(void *p) {
  gp__nextpost_t *n = p;
  gp_turn_free(n->out);
  gp_error_free(n->err);
  gp__call_unref(n->c);
  free(n);
}

static void gp__nextpost_run(void *p) {
  gp__nextpost_t *n = p;
  gp__mwcall_t *c = n->c;
  GP_JS_ASSERT(c->rt);
  JSContextRef ctx = c->rt->ctx;
  if (ctx == NULL || c->resolve == NULL) { /* finished or abandoned meanwhile */
    if (ctx) gp__switch_drop(c);
    return;
  }
  JSObjectRef resolve = c->resolve, reject = c->reject;
  c->resolve = c->reject = NULL; /* still protected by us until called */
  JSValueRef exc = NULL;
  JSValueRef v = gp__next_result(ctx, c, n->rc, n->out, n->err, &exc);
  n->out = NULL;
  n->err = NULL;
  gp__switch_drop(c); /* the run thread is done with its P */
  if (v) JSObjectCallAsFunction(ctx, resolve, NULL, 1, &v, NULL);
  else JSObjectCallAsFunction(ctx, reject, NULL, 1, &exc, NULL);
  JSValueUnprotect(ctx, resolve);
  JSValueUnprotect(ctx, reject);
}

/* ---- The start request ------------------------------------------------------------- */

static int gp__is_async_fn(JSContextRef ctx, JSObjectRef fn) {
  JSValueRef ctor = gp__js_get(ctx, fn, "constructor");
  if (!JSValueIsObject(ctx, ctor)) return 0;
  char *name = gp__js_to_cstr(ctx, gp__js_get(ctx, (JSObjectRef)ctor, "name"));
  int is = name && strcmp(name, "AsyncFunction") == 0;
  free(name);
  return is;
}

static void gp__start_run(void *p) {
  gp__mwcall_t *c = p;
  gp_js_runtime_t *rt = c->rt;
  GP_JS_ASSERT(rt);
  pthread_mutex_lock(&c->mu);
  c->started = 1;
  int go = !c->abandoned;
  if (go) c->phase = GP__MW_RUNNING;
  pthread_mutex_unlock(&c->mu);
  if (!go) return; /* the run thread has left: ctx and ictx are gone */
  c->sync_host = gp__js_is_sync(rt, c->ictx->run.host.ptr); /* owner state: decided here */
  JSContextRef ctx = rt->ctx;
  if (ctx == NULL) {
    gp__call_finish(NULL, c, GP_ERR_OWNER_CLOSED, NULL, gp_error_new(GP_ERR_OWNER_CLOSED, NULL));
    return;
  }
  if (c->sync_host && c->mw->is_async) {
    gp__call_finish(ctx, c, GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN, NULL,
                    gp_error_new(GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN,
                                 "an async middleware cannot run while the owner thread waits "
                                 "synchronously (inside run(), or inside another middleware's "
                                 "synchronous next()); use runAsync() or start(), with async "
                                 "middlewares outside it"));
    return;
  }
  JSObjectRef turn = (JSObjectRef)gp__js_from_turn(ctx, c->in);
  gp__protect_set(ctx, &c->in_obj, turn);
  JSValueRef signal = gp__js_sig_new(rt, ctx, c->ictx->run.cancel, c->ictx->run.host.ptr, 0, &c->sig);
  JSValueRef args[3] = {turn, gp__next_new(ctx, c), gp__js_infer_ctx(ctx, c->ictx, signal)};
  JSValueRef exc = NULL;
  JSValueRef v = gp__js_call_guarded(ctx, c->mw->fn, NULL, 3, args, c->ictx->run.deadline_ms,
                                     c->ictx->run.cancel, &exc);
  if (exc) {
    gp__call_fail(ctx, c, exc);
  } else if (gp__js_is_thenable(ctx, v)) {
    if (c->sync_host) {
      gp__call_finish(ctx, c, GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN, NULL,
                      gp_error_new(GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN,
                                   "the middleware returned a Promise while the owner thread "
                                   "waits synchronously (inside run(), or inside another "
                                   "middleware's synchronous next()); use runAsync() or start(), "
                                   "with async middlewares outside it"));
      JSObjectRef ignore = gp__settle_new(ctx, c, 1); /* its outcome no longer matters */
      JSValueRef a[2] = {ignore, ignore};
      JSObjectCallAsFunction(ctx, (JSObjectRef)gp__js_get(ctx, (JSObjectRef)v, "then"),
                             (JSObjectRef)v, 2, a, NULL);
    } else {
      gp__call_await(ctx, c, (JSObjectRef)v);
    }
  } else {
    gp__call_answer(ctx, c, v);
  }
}

/* Any thread: the start request is gone; if it never ran, nobody will answer. */
static void gp__start_free(void *p) {
  gp__mwcall_t *c = p;
  pthread_mutex_lock(&c->mu);
  if (!c->started && c->phase != GP__MW_DONE) {
    c->phase = GP__MW_DONE;
    c->rc = GP_ERR_OWNER_CLOSED;
    c->err = gp_error_new(GP_ERR_OWNER_CLOSED, "the JavaScript runtime is shutting down");
    pthread_cond_broadcast(&c->cv);
  }
  pthread_mutex_unlock(&c->mu);
  gp__call_unref(c);
}

/* ---- Run thread ---------------------------------------------------------------------- */

static void gp__on_cancel(void *ud, int reason) {
  gp__mwcall_t *c = ud;
  pthread_mutex_lock(&c->mu);
  pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
}

/* Runs one next() request (mu held on entry and exit, released meanwhile). */
static void gp__run_next(gp__mwcall_t *c, gp_next_t *next) {
  gp_turn_t *t = c->next_turn;
  gp_dispatcher_t *h = c->next_host;
  c->next_turn = NULL;
  c->next_host = NULL;
  c->next_busy = 1;
  pthread_mutex_unlock(&c->mu);

  /* The rest of the chain reads the run's ctx (the cursor points at it): its requests
   * go to h while this runs. The owner read ctx before fn ran (see gp__start_run). */
  void *saved = c->ictx->run.host.ptr;
  c->ictx->run.host.ptr = h;
  gp_error_t *err = NULL;
  int rc = gp_next(next, t, &err);
  c->ictx->run.host.ptr = saved;
  pthread_mutex_lock(&c->mu);
  c->next_busy = 0; /* with the outcome, so a next() right after it is not "busy" */
  int async = c->next_async; /* read now: a synchronous next() may have switched */
  if (!async) {
    c->next_rc = rc;
    c->next_out = t;
    c->next_err = err;
    c->next_done = 1;
  }
  pthread_mutex_unlock(&c->mu);
  if (async) {
    gp__nextpost_t *n = gp__xcalloc(1, sizeof *n);
    n->c = gp__call_ref(c);
    n->rc = rc;
    n->out = t;
    n->err = err;
    gp_dispatcher_post(c->host, "middleware.next", gp__nextpost_run, n, gp__nextpost_free);
  } else {
    gp_dispatcher_wake(h); /* the owner re-evaluates its until() */
  }
  gp_dispatcher_unref(h);
  pthread_mutex_lock(&c->mu);
}

/* The middleware callback: run thread. */
static int gp__jsmw_cb(void *ud, gp_infer_ctx_t *ictx, gp_turn_t *turn, gp_next_t *next,
                       gp_error_t **err) {
  gp__jsmw_t *mw = ud;
  gp__mwcall_t *c = gp__xcalloc(1, sizeof *c);
  atomic_init(&c->refs, 2); /* the run thread's, the start request's */
  c->rt = mw->rt;
  c->mw = mw;
  c->ictx = ictx;
  c->host = gp__js_dispatcher(mw->rt, ictx->run.host.ptr);
  c->in = gp_turn_copy(turn);
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->cv, NULL);
  gp_dispatcher_post(c->host, "middleware.fromJS", gp__start_run, c, gp__start_free);

  uint64_t cb = gp_cancel_on(ictx->run.cancel, gp__on_cancel, c);
  pthread_mutex_lock(&c->mu);
  int rc;
  for (;;) {
    if (c->phase == GP__MW_DONE) {
      rc = c->rc;
      break;
    }
    if (c->next_turn) {
      gp__run_next(c, next);
      continue;
    }
    int reason = gp_cancel_reason(ictx->run.cancel);
    if (reason && !c->next_busy && (c->phase == GP__MW_QUEUED || c->phase == GP__MW_PENDING)) {
      c->abandoned = 1;
      rc = reason;
      break;
    }
    pthread_cond_wait(&c->cv, &c->mu);
  }
  int abandoned = c->abandoned;
  gp_turn_t *out = c->out;
  gp_error_t *e = c->err;
  c->out = NULL;
  c->err = NULL;
  pthread_mutex_unlock(&c->mu);
  if (cb) gp_cancel_off(ictx->run.cancel, cb);

  if (abandoned) {
    /* its JS values are released on the owner; the run's cancel path names the reason */
    gp_owner_post(c->rt->owner, "middleware.release", gp__release_post, gp__call_ref(c),
                  gp__call_unref);
    gp_error_set(err, rc, "middleware: %s", gp_strerror(rc));
  } else {
    if (out) gp_turn_replace(turn, out);
    else gp_turn_free(out);
    if (rc != GP_OK) {
      if (err && !*err) *err = e;
      else gp_error_free(e);
      e = NULL;
    }
    gp_error_free(e);
  }
  gp__call_unref(c);
  return rc;
}

static void gp__jsmw_free(void *ud) {
  gp__jsmw_t *mw = ud;
  gp__js_unprotect_later(mw->rt, mw->fn);
  free(mw);
}

/* ---- The middleware ------------------------------------------------------------------ */

/* A new middleware over JS function f (name: borrowed or NULL: the function's name). */
gp_middleware_t *gp__js_mw_new(JSContextRef ctx, gp_js_runtime_t *rt, JSObjectRef f, const char *name) {
  char *fname = name ? NULL : gp__js_to_cstr(ctx, gp__js_get(ctx, f, "name"));
  gp__jsmw_t *mw = gp__xcalloc(1, sizeof *mw);
  mw->rt = rt;
  mw->fn = f;
  mw->is_async = gp__is_async_fn(ctx, f);
  JSValueProtect(ctx, f);
  gp_middleware_t *m = gp_middleware_new(name ? name : (fname && *fname ? fname : "js"),
                                         gp__jsmw_cb, mw, gp__jsmw_free);
  free(fname);
  return m;
}
