/* Interrupting runaway JavaScript: guarded calls and JavaScriptCore's watchdog. A JS
 * callback that overruns its run's deadline (or whose run is canceled) is terminated
 * and becomes an Error with code TIMEOUT / CANCELED; the VM stays usable.
 *
 * The watchdog (JSContextGroupSetExecutionTimeLimit, exported but not declared by the
 * public headers) counts the owner thread's CPU time from the outermost VM entry and
 * then asks gp__wd_should_terminate. That entry may be far older than the callback (a
 * callback inside a synchronous run() is nested in the main script's call), so the
 * limit is only a polling period: the callback consults the guards in progress (a
 * stack on the C stack, innermost first) and terminates when one of them is past its
 * deadline or its token fired; otherwise it re-arms (JavaScriptCore does not re-arm by
 * itself once its callback has run) and the script goes on. Verified by experiment on
 * JavaScriptCore 2.50: the termination is uncatchable by the script, unwinds to the
 * innermost native caller only (JSObjectCallAsFunction returns it as *exception, a
 * string), and the enclosing JavaScript continues; the watchdog must then be re-armed. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"

/* Private JavaScriptCore API exported by the library (JSContextRefPrivate.h). */
typedef bool (*gp__js_should_terminate_cb)(JSContextRef ctx, void *context);
JS_EXPORT void JSContextGroupSetExecutionTimeLimit(JSContextGroupRef group, double limit,
                                                   gp__js_should_terminate_cb callback,
                                                   void *context);
JS_EXPORT void JSContextGroupClearExecutionTimeLimit(JSContextGroupRef group);

#define GP__WD_POLL_MS 50  /* the longest a runaway loop runs past its deadline (CPU ms) */

typedef struct gp__js_guard_s {
  struct gp__js_guard_s *outer;   /* the enclosing guarded call, or NULL */
  int64_t deadline_ms;            /* Unix epoch ms; 0: none */
  gp_cancel_t *cancel;            /* borrowed, or NULL */
} gp__js_guard_t;

static bool gp__wd_should_terminate(JSContextRef ctx, void *ud);

/* Why the innermost-to-outermost guards say stop now (0: none); *next_ms gets the time
 * to the nearest deadline. */
static int gp__wd_reason(gp_js_runtime_t *rt, int64_t *next_ms) {
  int64_t now = gp_now_ms(), next = GP__WD_POLL_MS;
  for (gp__js_guard_t *g = rt->guards; g; g = g->outer) {
    int reason = gp_cancel_reason(g->cancel);
    if (reason) return reason;
    if (g->deadline_ms > 0) {
      if (now >= g->deadline_ms) return GP_ERR_TIMEOUT;
      if (g->deadline_ms - now < next) next = g->deadline_ms - now;
    }
  }
  *next_ms = next;
  return 0;
}

/* (Re)arms the watchdog for the guards in progress, or disarms it when there are none.
 * Inside the VM this restarts its timer at once; outside, at the next entry. */
static void gp__wd_arm(gp_js_runtime_t *rt) {
  JSContextGroupRef group = JSContextGetGroup(rt->ctx);
  if (rt->guards == NULL) {
    JSContextGroupClearExecutionTimeLimit(group);
    return;
  }
  int64_t next = GP__WD_POLL_MS;
  if (gp__wd_reason(rt, &next) != 0) next = 1;
  if (next < 1) next = 1;
  JSContextGroupSetExecutionTimeLimit(group, (double)next / 1000.0, gp__wd_should_terminate, rt);
}

/* The JS thread (owner), at a VM trap check, after the limit's CPU time. */
static bool gp__wd_should_terminate(JSContextRef ctx, void *ud) {
  gp_js_runtime_t *rt = ud;
  GP_JS_ASSERT(rt);
  if (rt->guards == NULL) return false; /* a stale timer: nothing is guarded now */
  int64_t next;
  int reason = gp__wd_reason(rt, &next);
  if (reason != 0) {
    rt->wd_fires++;
    rt->wd_reason = reason;
    return true;
  }
  gp__wd_arm(rt);
  return false;
}

void gp__js_watchdog_init(gp_js_runtime_t *rt) {
  GP_JS_ASSERT(rt);
  /* Creating the watchdog discards compiled code; do it before there is any. */
  JSContextGroupRef group = JSContextGetGroup(rt->ctx);
  JSContextGroupSetExecutionTimeLimit(group, 1.0, gp__wd_should_terminate, rt);
  JSContextGroupClearExecutionTimeLimit(group);
}

static JSObjectRef gp__wd_error(JSContextRef ctx, int reason) {
  if (reason == GP_ERR_TIMEOUT)
    return gp__js_error(ctx, reason, 0,
                        "the JavaScript callback was interrupted: it was still running at its "
                        "deadline (the run's timeoutMs or the tool's executionTimeoutMs); "
                        "make it finish sooner or raise the limit");
  char msg[160];
  snprintf(msg, sizeof msg, "the JavaScript callback was interrupted: its run ended (%s)",
           gp_err_name(reason));
  return gp__js_error(ctx, reason, 0, msg);
}

/* The termination reaches the native caller as this string (a script cannot catch
 * or throw it in between: it is uncatchable, and only a firing makes it). */
static int gp__wd_is_termination(JSContextRef ctx, JSValueRef e) {
  if (!JSValueIsString(ctx, e)) return 0;
  char *s = gp__js_to_cstr(ctx, e);
  int is = s && strstr(s, "execution terminated") != NULL;
  free(s);
  return is;
}

/* Right after a termination a VM trap may still be pending, which makes the next API
 * call fail once with the termination again: spend it on a throwaway object, so the
 * Error built next is real. */
static void gp__wd_absorb(JSContextRef ctx) {
  for (int i = 0; i < 4; i++) {
    JSValueRef x = NULL;
    if (JSObjectMakeError(ctx, 0, NULL, &x) != NULL && x == NULL) return;
  }
}

JSValueRef gp__js_call_guarded(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                               const JSValueRef argv[], int64_t deadline_ms, gp_cancel_t *cancel,
                               JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  if (deadline_ms <= 0 && cancel == NULL)
    return JSObjectCallAsFunction(ctx, fn, self, argc, argv, exc);
  gp__js_guard_t g = {rt->guards, deadline_ms > 0 ? deadline_ms : 0, cancel};
  int64_t next;
  rt->guards = &g;
  int reason = gp__wd_reason(rt, &next);
  rt->guards = g.outer;
  if (reason != 0) {
    if (exc) *exc = gp__wd_error(ctx, reason);
    return NULL;
  }
  rt->guards = &g;
  gp__wd_arm(rt);
  uint64_t fires = rt->wd_fires;
  JSValueRef e = NULL;
  JSValueRef v = JSObjectCallAsFunction(ctx, fn, self, argc, argv, &e);
  rt->guards = g.outer;
  gp__wd_arm(rt); /* the enclosing guards' period, or off; also re-arms after a firing */
  if (e == NULL) return v;
  if (rt->wd_fires != fires && gp__wd_is_termination(ctx, e)) {
    gp__wd_absorb(ctx);
    e = gp__wd_error(ctx, rt->wd_reason);
  }
  if (exc) *exc = e;
  return NULL;
}

JSValueRef gp__js_watchdog_explain(JSContextRef ctx, JSValueRef exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  if (rt == NULL || rt->wd_fires == 0 || exc == NULL || !gp__wd_is_termination(ctx, exc)) return exc;
  gp__wd_absorb(ctx);
  return gp__wd_error(ctx, rt->wd_reason);
}
