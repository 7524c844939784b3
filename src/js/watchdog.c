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
#include <pthread.h>
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
JS_EXPORT JSStringRef JSContextCreateBacktrace(JSContextRef ctx, unsigned max_stack_size);

#define GP__WD_POLL_MS 50  /* the longest a runaway loop runs past its deadline (CPU ms) */
#define GP__WD_SLACK_MS 2  /* a deadline this close counts as passed (the token's timer is earlier) */
#define GP__WD_IDLE_S 86400.0 /* the period kept while no guard is in progress in the VM (s) */

typedef struct gp__js_guard_s {
  struct gp__js_guard_s *outer;   /* the enclosing guarded call, or NULL */
  int64_t deadline_ms;            /* Unix epoch ms; 0: none */
  gp_cancel_t *cancel;            /* borrowed, or NULL */
  int nested;                     /* JS frames lie below this call (see the file comment) */
  const char *limit;              /* what deadline_ms is, for messages ("the run's timeoutMs") */
} gp__js_guard_t;

static bool gp__wd_should_terminate(JSContextRef ctx, void *ud);

/* Why the innermost-to-outermost guards say stop now (0: none); *next_ms gets the time
 * to the nearest deadline, *by the guard that says stop (NULL: none) and *by_deadline
 * whether its own deadline passed (else its token fired). A deadline is looked at before
 * the token: a tool's executionTimeoutMs also fires its token, a moment earlier. */
static int gp__wd_why(gp_js_runtime_t *rt, int64_t *next_ms, gp__js_guard_t **by, int *by_deadline) {
  int64_t now = gp__now_ms(), next = GP__WD_POLL_MS;
  *by = NULL;
  *by_deadline = 0;
  for (gp__js_guard_t *g = rt->guards; g; g = g->outer) {
    if (g->deadline_ms > 0) {
      if (now + GP__WD_SLACK_MS >= g->deadline_ms) {
        *by = g;
        *by_deadline = 1;
        return GP_ERR_TIMEOUT;
      }
      if (g->deadline_ms - now < next) next = g->deadline_ms - now;
    }
    int reason = gp_cancel_reason(g->cancel);
    if (reason) {
      *by = g;
      return reason;
    }
  }
  *next_ms = next;
  return 0;
}

static int gp__wd_reason(gp_js_runtime_t *rt, int64_t *next_ms) {
  gp__js_guard_t *by;
  int by_deadline;
  return gp__wd_why(rt, next_ms, &by, &by_deadline);
}

/* (Re)arms the watchdog for the guards in progress, or disarms it when there are none.
 * Inside the VM this restarts its timer at once; outside, at the next entry.
 *
 * Disarming while JavaScript is still on the stack (in_vm: the last guard was nested in
 * a synchronous run()) must not clear the limit: clearing drops the callback but not a
 * timer JavaScriptCore has already started for the enclosing entry, and a timer that
 * fires with no callback terminates by default -- it killed the enclosing script while
 * the owner converted a large result after the callback had returned. So there the
 * callback stays, with a period so long that it is never the one that fires, and a
 * stale firing meets it and answers "go on" (no guards). Out of the VM the entry's
 * timer is already stopped, and clearing spares the next entries the timer's cost. */
static void gp__wd_arm(gp_js_runtime_t *rt, int in_vm) {
  JSContextGroupRef group = JSContextGetGroup(rt->ctx);
  if (rt->guards == NULL) {
    if (in_vm)
      JSContextGroupSetExecutionTimeLimit(group, GP__WD_IDLE_S, gp__wd_should_terminate, rt);
    else
      JSContextGroupClearExecutionTimeLimit(group);
    return;
  }
  int64_t next = GP__WD_POLL_MS;
  if (gp__wd_reason(rt, &next) != 0) next = 1;
  if (next < 1) next = 1;
  JSContextGroupSetExecutionTimeLimit(group, (double)next / 1000.0, gp__wd_should_terminate, rt);
}

/* A runaway callback nested in other JavaScript (a synchronous run()) cannot be
 * terminated safely: JavaScriptCore keeps the termination pending for the rest of the
 * enclosing call, so nothing there can catch run()'s error any more, and inside a
 * microtask it aborts the process. So the process ends here, as for an uncaught
 * exception, saying what happened and what to do instead; in a C host's runtime too
 * (exit_process 0): the one script event a host does not survive (js.h says so). */
static void gp__wd_fatal(int reason, const gp__js_guard_t *by, int by_deadline) {
  char when[200];
  if (by_deadline)
    snprintf(when, sizeof when, "at its deadline (%s)", by->limit);
  else if (reason == GP_ERR_TIMEOUT)
    snprintf(when, sizeof when, "when its call timed out (the run's timeoutMs or the tool's "
                                "executionTimeoutMs)");
  else
    snprintf(when, sizeof when, "when its run was canceled");
  fflush(stdout);
  fprintf(stderr,
          "Uncaught Error [%s]: a JavaScript callback of a synchronous run() (or of a "
          "middleware's synchronous next()) was still running %s; a callback nested in other "
          "JavaScript cannot be interrupted and resumed, so the process ends. Use runAsync() or "
          "start() (and async middlewares): their callbacks are interrupted and the run fails "
          "with %s.\n",
          gp_err_name(reason), when, gp_err_name(reason));
  gp__js_exit_now(1);
}

/* The JS thread (owner), at a VM trap check, after the limit's CPU time. */
static bool gp__wd_should_terminate(JSContextRef ctx, void *ud) {
  gp_js_runtime_t *rt = ud;
  GP_JS_ASSERT(rt);
  if (rt->guards == NULL) return false; /* a stale timer: nothing is guarded now */
  int64_t next;
  gp__js_guard_t *by;
  int by_deadline;
  int reason = gp__wd_why(rt, &next, &by, &by_deadline);
  if (reason == 0) {
    gp__wd_arm(rt, 1);
    return false;
  }
  if (rt->guards->nested) gp__wd_fatal(reason, by, by_deadline); /* never returns */
  rt->wd_fires++;
  rt->wd_reason = reason;
  return true;
}

static pthread_once_t gp__wd_once = PTHREAD_ONCE_INIT;

/* JIT code notices a VM trap either by a signal that patches it (the default) or by
 * polling a flag at loop heads. Signals proved unreliable for interrupting a loop: a
 * loop whose body calls a function inside try/catch was stopped in about half the runs
 * of runaway_engine.js, and ThreadSanitizer delays signals until the thread calls an
 * intercepted function, which a runaway loop never does. Polling always works; its cost
 * was not measurable (5e8 loop iterations and fib(30): 1.31 s vs 1.27 s). */
static void gp__wd_options_once(void) { jsc_options_set_boolean("usePollingTraps", 1); }

void gp__js_watchdog_options(void) { pthread_once(&gp__wd_once, gp__wd_options_once); }

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

/* 1 when JavaScript frames lie below the current native code (the call about to be
 * made is nested in another VM entry), 0 at the top of the owner's loop. */
static int gp__wd_nested(JSContextRef ctx) {
  JSStringRef bt = JSContextCreateBacktrace(ctx, 1);
  int nested = bt && JSStringGetLength(bt) > 0;
  if (bt) JSStringRelease(bt);
  return nested;
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

/* fn(...args) through a JS trampoline that marks a returned Promise handled in the
 * same VM entry: a top-level JSObjectCallAsFunction drains microtasks before it
 * returns, so a Promise already rejected (an async function that throws before its
 * first await) would be reported unhandled before the adapter attaches its reactions.
 * The adapters always await or discard what they get, so nothing real is hidden. */
static JSObjectRef gp__wd_trampoline(JSContextRef ctx, gp_js_runtime_t *rt) {
  JSValueRef t = gp__js_get(ctx, rt->host, "callObserved");
  if (JSValueIsObject(ctx, t)) return (JSObjectRef)t;
  JSStringRef src = gp__js_string(
      "(function callObserved(fn, self, args) {\n"
      "  const v = Reflect.apply(fn, self, args);\n"
      "  if (v instanceof Promise) v.then(undefined, () => {});\n"
      "  return v;\n"
      "})");
  JSValueRef f = JSEvaluateScript(ctx, src, NULL, NULL, 1, NULL);
  JSStringRelease(src);
  gp__js_set(ctx, rt->host, "callObserved", f);
  return (JSObjectRef)f;
}

static JSValueRef gp__wd_call(JSContextRef ctx, gp_js_runtime_t *rt, JSObjectRef fn,
                              JSObjectRef self, size_t argc, const JSValueRef argv[],
                              JSValueRef *exc) {
  JSValueRef a[3] = {fn, self ? (JSValueRef)self : JSValueMakeUndefined(ctx),
                     JSObjectMakeArray(ctx, argc, argv, NULL)};
  return JSObjectCallAsFunction(ctx, gp__wd_trampoline(ctx, rt), NULL, 3, a, exc);
}

JSValueRef gp__js_call_guarded(JSContextRef ctx, JSObjectRef fn, JSObjectRef self, size_t argc,
                               const JSValueRef argv[], int64_t deadline_ms, gp_cancel_t *cancel,
                               JSValueRef *exc) {
  return gp__js_call_guarded_limit(ctx, fn, self, argc, argv, deadline_ms, "the run's timeoutMs",
                                   cancel, exc);
}

JSValueRef gp__js_call_guarded_limit(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], int64_t deadline_ms,
                                     const char *limit, gp_cancel_t *cancel, JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  if (deadline_ms <= 0 && cancel == NULL) return gp__wd_call(ctx, rt, fn, self, argc, argv, exc);
  gp__js_guard_t g = {rt->guards, deadline_ms > 0 ? deadline_ms : 0, cancel, gp__wd_nested(ctx),
                      limit};
  int64_t next;
  rt->guards = &g;
  int reason = gp__wd_reason(rt, &next);
  rt->guards = g.outer;
  if (reason != 0) {
    if (exc) *exc = gp__wd_error(ctx, reason);
    return NULL;
  }
  rt->guards = &g;
  gp__wd_arm(rt, 1);
  uint64_t fires = rt->wd_fires;
  JSValueRef e = NULL;
  JSValueRef v = gp__wd_call(ctx, rt, fn, self, argc, argv, &e);
  rt->guards = g.outer;
  /* The enclosing guards' period, or off; also re-arms after a firing. */
  gp__wd_arm(rt, g.nested);
  if (e == NULL) return v;
  if (rt->wd_fires != fires && gp__wd_is_termination(ctx, e)) {
    gp__wd_absorb(ctx);
    e = gp__wd_error(ctx, rt->wd_reason);
  }
  if (exc) *exc = e;
  return NULL;
}

