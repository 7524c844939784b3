/* Natives behind the event, abort, blob and stream globals of the embedded web library
 * (src/js/lib/web/events.js, abort.js, blob.js): reporting a listener's exception as
 * uncaught without ending the process (or, for the prelude, ending it), letting a timer not keep the process alive
 *
 * (AbortSignal.timeout). Owner thread only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"


/* reportError(e): prints e as an uncaught exception ("Uncaught: message" and its stack)
 * on stderr. The caller (events.js) also sets process.exitCode to 1; the process goes
 * on, so the other listeners of the event still run. */
static JSValueRef gp__ev_report(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__js_report(ctx, GP__ARG(0), "Uncaught");
  return JSValueMakeUndefined(ctx);
}

/* fatal(e): e is an uncaught exception: prints it ("Uncaught: message" and its stack),
 * emits process "exit" and ends the process with status 1 (a microtask that throws, the
 * main module's top-level await rejecting). Does not return. */
static JSValueRef gp__ev_fatal(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                               size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__js_fatal(ctx, GP__ARG(0), "Uncaught");
  return JSValueMakeUndefined(ctx);
}

/* timerUnref(id): the timer `id` (from setTimeout) no longer keeps the process alive. */
static JSValueRef gp__ev_timer_unref(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  gp_js_runtime_t *rt = gp__js_rt();
  GP_JS_ASSERT(rt);
  double d = JSValueIsNumber(ctx, GP__ARG(0)) ? JSValueToNumber(ctx, argv[0], NULL) : 0;
  if (d >= 1 && d <= UINT32_MAX && d == floor(d)) gp__js_timer_unref(rt, (uint32_t)d);
  return JSValueMakeUndefined(ctx);
}

static const gp__js_fn_t gp__events_fns[] = {
    {"reportError", gp__ev_report},
    {"fatal", gp__ev_fatal},
    {"timerUnref", gp__ev_timer_unref},
};

void gp__mod_events_init(JSContextRef ctx, JSObjectRef host) {
  gp__js_set_fns(ctx, host, gp__events_fns, sizeof gp__events_fns / sizeof gp__events_fns[0]);
}
