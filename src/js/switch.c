/* The JS middleware adapter: the run-thread/owner mailbox protocol and the switching of
 * a synchronous next() (mod_middleware.c is the `gp.middlewares` binding over it).
 *
 * A JS middleware is an adapter whose callback runs on the run thread. The difficulty
 * is `next`: JS calls it on the owner (inside fn), but the rest of the chain must run
 * on the run thread (HTTP, its own owner hops), and neither thread may wait for the
 * other in a cycle. So the run thread does not wait for its owner call; it starts the
 * call asynchronously and holds a small mailbox (mutex + condition, one per invocation)
 * that the call's answer and every next() request arrive in, and loops on it:
 *
 *   run thread                              owner
 *   start the call through the run's host -> fn(turn, next, ctx) by the adapter primitive
 *   wait on the mailbox                     (adapter.c): guarded, awaited with the token
 *                                           JS calls next(t): put NEXT(t, host H) there
 *   take NEXT, run gp_next(rest) with       ...waits (sync next) or returns a Promise
 *   ctx.run.host = H, give the result   ->  next() returns / its Promise settles
 *   back; wait again                        fn returns (or its Promise settles): the
 *   take DONE, return                       call's answer is put there as DONE
 *
 * Calling fn is the primitive every JS adapter shares (hop, runtime check, guarded call,
 * thenable check, ASYNC_CALLBACK_IN_SYNC_RUN in a synchronous run, else pending and
 * awaited with the run's token); what is the middleware's own is next() and the
 * mailbox, and the check that an async function is not called under a synchronous wait.
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
 *   interrupts it at the run's deadline or cancel; while its Promise pends, the token
 *   finishes the call (await.c).
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

static JSClassRef gp__next_class;

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
  int unanswered;                 /* DONE without fn's answer: the token or shutdown ended it */
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

/* The adapter's fail (owner): `err` (taken), with the inner chain's last turn as the
 * partial one. */
static int gp__mw_fail(void *ud, gp_error_t *err, void **result) {
  gp__mwcall_t *c = ud;
  return gp__js_turn_answer(c->last_c ? gp_turn_copy(c->last_c) : NULL, err, result);
}

/* The adapter's settle (owner): fn's value (returned, or its Promise's) or its throw
 * (rejection) -> the answer; the invocation's JS values are released. */
static int gp__mw_settle(JSContextRef ctx, void *ud, int rejected, JSValueRef v, void **result) {
  gp__mwcall_t *c = ud;
  int rc;
  if (rejected)
    rc = gp__mw_fail(c, gp__js_error_to_c(ctx, v, GP_ERR_JS_EXCEPTION), result);
  else /* undefined: the turn the last next() returned, else the input turn object */
    rc = gp__js_turn_answer_from(ctx, v, c->last_obj ? c->last_obj : c->in_obj, c->last_c, result);
  gp__call_release(ctx, c);
  return rc;
}

/* The start call's answer (owner, or the thread shutting the owner down): into the
 * mailbox, waking the run thread; dropped when it has left. Takes `result`. */
static void gp__mw_done(void *ud, int status, void *result) {
  gp__mwcall_t *c = ud;
  gp__js_turn_answer_t *a = result;
  int unanswered = a == NULL;
  if (a == NULL) { /* fn did not answer: shut down, or abandoned on the token */
    gp_error_t *err = NULL;
    if (status != GP_OK)
      err = gp_error_new(status, status == GP_ERR_OWNER_CLOSED
                                     ? "the JavaScript runtime is shutting down" : NULL);
    void *made = NULL;
    gp__js_turn_answer(NULL, err, &made);
    a = made;
    gp_owner_post(c->rt->owner, "middleware.release", gp__release_post, gp__call_ref(c),
                  gp__call_unref);
  }
  pthread_mutex_lock(&c->mu);
  int dropped = c->abandoned || c->phase == GP__MW_DONE;
  if (!dropped) {
    c->phase = GP__MW_DONE;
    c->unanswered = unanswered;
    c->rc = status;
    c->out = a->turn;
    c->err = a->err;
    a->turn = NULL;
    a->err = NULL;
    gp_turn_free(c->next_turn); /* a next() the run thread never took is moot now */
    c->next_turn = NULL;
    pthread_cond_broadcast(&c->cv);
  }
  pthread_mutex_unlock(&c->mu);
  /* A next() Promise still outstanding is left pending, not rejected: the middleware
   * has finished without awaiting it, so nobody would handle the rejection. */
  gp__js_turn_answer_free(a);
  gp__call_unref(c); /* the start call's reference */
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
  int phase = c->phase, abandoned = c->abandoned || (phase == GP__MW_DONE && c->unanswered);
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

/* ---- The start call ---------------------------------------------------------------- */

static int gp__is_async_fn(JSContextRef ctx, JSObjectRef fn) {
  JSValueRef ctor = gp__js_get(ctx, fn, "constructor");
  if (!JSValueIsObject(ctx, ctor)) return 0;
  char *name = gp__js_to_cstr(ctx, gp__js_get(ctx, (JSObjectRef)ctor, "name"));
  int is = name && strcmp(name, "AsyncFunction") == 0;
  free(name);
  return is;
}

/* The function's arguments: (turn, next, ctx). */
static size_t gp__mw_args(JSContextRef ctx, void *ud, JSValueRef argv[]) {
  gp__mwcall_t *c = ud;
  gp_js_runtime_t *rt = c->rt;
  JSObjectRef turn = (JSObjectRef)gp__js_from_turn(ctx, c->in);
  gp__protect_set(ctx, &c->in_obj, turn);
  JSValueRef signal =
      gp__js_sig_new(rt, ctx, c->ictx->run.cancel, c->ictx->run.host.ptr, 0, &c->sig);
  argv[0] = turn;
  argv[1] = gp__next_new(ctx, c);
  argv[2] = gp__js_infer_ctx(ctx, c->ictx, signal);
  return 3;
}

/* The start call (owner): fn through the adapter primitive, after what only a
 * middleware checks (an async function cannot run under a synchronous wait). */
static int gp__mw_owner(void *arg, gp_owner_completion_t *comp, void **result) {
  gp__mwcall_t *c = arg;
  gp_js_runtime_t *rt = c->rt;
  GP_JS_ASSERT(rt);
  pthread_mutex_lock(&c->mu);
  int go = !c->abandoned;
  if (go) c->phase = GP__MW_RUNNING;
  pthread_mutex_unlock(&c->mu);
  if (!go) return GP_ERR_CANCELED; /* the run thread has left: ctx and ictx are gone */
  c->sync_host = gp__js_is_sync(rt, c->ictx->run.host.ptr); /* owner state: decided here */
  if (rt->ctx && c->sync_host && c->mw->is_async)
    return gp__mw_fail(c, gp_error_new(GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN,
                             "an async middleware cannot run while the owner thread waits "
                             "synchronously (inside run(), or inside another middleware's "
                             "synchronous next()); use runAsync() or start(), with async "
                             "middlewares outside it"), result);
  gp__js_adapter_t a = {
      .fn = c->mw->fn, .deadline_ms = c->ictx->run.deadline_ms, .cancel = c->ictx->run.cancel,
      .host = c->ictx->run.host.ptr, .args = gp__mw_args, .settle = gp__mw_settle,
      .fail = gp__mw_fail, .what = "the middleware", .name = NULL, .ud = gp__call_ref(c),
      .ud_free = gp__call_unref};
  int rc = gp__js_adapter_call(rt, &a, comp, result);
  if (rc == GP_OWNER_PENDING) { /* now the run thread may leave on cancel */
    pthread_mutex_lock(&c->mu);
    if (c->phase == GP__MW_RUNNING) c->phase = GP__MW_PENDING;
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
  } else if (rt->ctx) {
    gp__call_release(rt->ctx, c); /* answered without settling (a Promise in a sync run) */
  }
  return rc;
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
   * go to h while this runs. The owner read ctx before fn ran (see gp__mw_owner). */
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
  atomic_init(&c->refs, 2); /* the run thread's, the start call's */
  c->rt = mw->rt;
  c->mw = mw;
  c->ictx = ictx;
  c->host = gp__js_dispatcher(mw->rt, ictx->run.host.ptr);
  c->in = gp_turn_copy(turn);
  pthread_mutex_init(&c->mu, NULL);
  pthread_cond_init(&c->cv, NULL);
  int prc = gp_dispatcher_call_async(c->host, "middleware.fromJS", gp__mw_owner, c, gp__mw_done, c,
                                     gp__js_turn_answer_free);
  if (prc != GP_OK) gp__mw_done(c, prc, NULL); /* done never runs: answer it here */

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
    /* Its JS values are released on the owner when the start call ends without an
     * answer (gp__mw_done): a queued one sees `abandoned`, a pending one is finished by
     * the same token. That comes after ctx.signal's abort, posted when the token fired.
     * The run's cancel path names the reason. */
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
