/* Natives behind the event, abort, blob and stream globals of the embedded web library
 * (src/js/lib/web/events.js, abort.js, blob.js): reporting a listener's exception as
 * uncaught without ending the process, letting a timer not keep the process alive
 * (AbortSignal.timeout), and UTF-8 encoding and decoding of strings. Owner thread only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"

#define GP__ARG(i) (argc > (i) ? argv[(i)] : JSValueMakeUndefined(ctx))

/* reportError(e): prints e as an uncaught exception ("Uncaught: message" and its stack)
 * on stderr. The caller (events.js) also sets process.exitCode to 1; the process goes
 * on, so the other listeners of the event still run. */
static JSValueRef gp__ev_report(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp__js_report(ctx, GP__ARG(0), "Uncaught");
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

static void gp__ev_free_bytes(void *bytes, void *ctx) {
  free(bytes);
}

/* utf8Encode(string): a new Uint8Array of String(string) in UTF-8 (a lone surrogate
 * becomes U+FFFD, as TextEncoder does). */
static JSValueRef gp__ev_utf8_encode(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSStringRef s = JSValueToStringCopy(ctx, GP__ARG(0), exc);
  if (s == NULL) return JSValueMakeUndefined(ctx);
  size_t n = JSStringGetLength(s);
  const uint16_t *u = (const uint16_t *)JSStringGetCharactersPtr(s);
  size_t len = gp__utf16_to_utf8(u, n, NULL);
  char *out = malloc(len ? len : 1);
  if (out == NULL) {
    JSStringRelease(s);
    return gp__js_throw(ctx, exc, GP_ERR_NOMEM, 0, "out of memory encoding %zu characters", n);
  }
  gp__utf16_to_utf8(u, n, out);
  JSStringRelease(s);
  JSObjectRef a = JSObjectMakeTypedArrayWithBytesNoCopy(ctx, kJSTypedArrayTypeUint8Array, out, len,
                                                        gp__ev_free_bytes, NULL, exc);
  if (a == NULL) free(out);
  return a ? (JSValueRef)a : JSValueMakeUndefined(ctx);
}

/* utf8Decode(view): the string a typed array's (or DataView-less) bytes decode to in
 * UTF-8, each invalid sequence as U+FFFD (the WHATWG decoder without BOM handling). */
static JSValueRef gp__ev_utf8_decode(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  JSValueRef v = GP__ARG(0);
  if (!JSValueIsObject(ctx, v) || JSValueGetTypedArrayType(ctx, v, NULL) == kJSTypedArrayTypeNone)
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "utf8Decode: expected a typed array");
  JSObjectRef o = (JSObjectRef)v;
  const char *p = JSObjectGetTypedArrayBytesPtr(ctx, o, exc);
  size_t n = JSObjectGetTypedArrayByteLength(ctx, o, exc);
  if (p == NULL || n == 0) return gp__js_str(ctx, "");
  p += JSObjectGetTypedArrayByteOffset(ctx, o, exc);
  uint16_t *u = malloc(n * sizeof *u);
  if (u == NULL) return gp__js_throw(ctx, exc, GP_ERR_NOMEM, 0, "out of memory decoding %zu bytes", n);
  size_t m = gp__utf8_to_utf16(p, n, u);
  JSStringRef s = JSStringCreateWithCharacters(u, m);
  free(u);
  JSValueRef r = JSValueMakeString(ctx, s);
  JSStringRelease(s);
  return r;
}

static const gp__js_fn_t gp__events_fns[] = {
    {"reportError", gp__ev_report},
    {"timerUnref", gp__ev_timer_unref},
    {"utf8Encode", gp__ev_utf8_encode},
    {"utf8Decode", gp__ev_utf8_decode},
};

void gp__mod_events_init(JSContextRef ctx, JSObjectRef host) {
  gp__js_set_fns(ctx, host, gp__events_fns, sizeof gp__events_fns / sizeof gp__events_fns[0]);
}
