/* The one JS adapter primitive: the owner side of every call a run makes into a JS
 * function (engine function, middleware, tool handler, hook). It checks the runtime and
 * the call's token, calls the function guarded (watchdog.c), and answers: a return or a
 * throw at once; a Promise inside a synchronous run with ASYNC_CALLBACK_IN_SYNC_RUN;
 * otherwise it notes the call pending (a middleware's synchronous next() switches) and
 * awaits the promise with the call's cancel token (await.c), so a cancel finishes the
 * call at once. Also the answer type of the functions that return a Turn. */
#include <stdlib.h>

#include "core/core.h"
#include "js/js_private.h"

/* The call is over without the function's answer: free ud, return rc. */
static int gp__adapter_skip(const gp__js_adapter_t *a, int rc) {
  if (a->ud_free) a->ud_free(a->ud);
  return rc;
}

/* The function returned a Promise while the owner waits for it synchronously. */
static int gp__adapter_in_sync(JSContextRef ctx, const gp__js_adapter_t *a, JSValueRef promise,
                               void **result) {
  gp__js_await(ctx, promise, NULL, NULL, NULL, NULL); /* its outcome no longer matters */
  gp_error_t *err = gp_error_new(GP_ERR_ASYNC_CALLBACK_IN_SYNC_RUN,
      "%s%s%s returned a Promise while the owner thread waits for it synchronously (inside "
      "run(), or inside a middleware's synchronous next()); use runAsync() or start(), with "
      "async middlewares", a->what, a->name ? " " : "", a->name ? a->name : "");
  int rc = a->fail(a->ud, err, result);
  return gp__adapter_skip(a, rc);
}

int gp__js_adapter_call(gp_js_runtime_t *rt, const gp__js_adapter_t *a, gp_owner_completion_t *c,
                        void **result) {
  GP_JS_ASSERT(rt);
  if (rt->ctx == NULL || rt->ended) return gp__adapter_skip(a, GP_ERR_OWNER_CLOSED);
  int reason = gp_cancel_reason(a->cancel);
  if (reason) return gp__adapter_skip(a, reason); /* canceled or timed out while queued */
  JSContextRef ctx = rt->ctx;
  JSValueRef argv[GP__JS_ADAPTER_MAX_ARGS];
  size_t argc = a->args(ctx, a->ud, argv);
  JSValueRef exc = NULL;
  JSValueRef v = gp__js_call_guarded_limit(ctx, a->fn, NULL, argc, argv, a->deadline_ms,
                                           a->limit ? a->limit : "the run's timeoutMs",
                                           a->cancel, &exc);
  if (exc == NULL && gp__js_is_thenable(ctx, v)) {
    if (gp__js_is_sync(rt, a->host)) return gp__adapter_in_sync(ctx, a, v, result);
    gp__js_note_pending(rt, a->host);
    gp__js_await_token(ctx, v, c, a->cancel, a->settle, a->ud, a->ud_free);
    return GP_OWNER_PENDING;
  }
  int rc = a->settle(ctx, a->ud, exc != NULL, exc ? exc : v, result);
  return gp__adapter_skip(a, rc);
}

int gp__js_turn_answer(gp_turn_t *turn, gp_error_t *err, void **result) {
  gp__js_turn_answer_t *a = gp__xcalloc(1, sizeof *a);
  a->turn = turn;
  a->err = err;
  *result = a;
  return err ? err->code : GP_OK;
}

int gp__js_turn_answer_from(JSContextRef ctx, JSValueRef v, JSValueRef fallback,
                            const gp_turn_t *partial, void **result) {
  if (JSValueIsUndefined(ctx, v)) v = fallback;
  JSValueRef exc = NULL;
  gp_turn_t *t = gp__js_to_turn(ctx, v, &exc);
  if (t) return gp__js_turn_answer(t, NULL, result);
  return gp__js_turn_answer(partial ? gp_turn_copy(partial) : NULL,
                            gp__js_error_to_c(ctx, exc, GP_ERR_INVALID_ARGUMENT), result);
}

void gp__js_turn_answer_free(void *p) {
  gp__js_turn_answer_t *a = p;
  if (a == NULL) return;
  gp_turn_free(a->turn);
  gp_error_free(a->err);
  free(a);
}
