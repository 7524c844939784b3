/* The JS <-> C codec: JavaScript values cross into C as JSON (jansson) and turns as
 * gp_turn_t, through JSON text (JSON.stringify / JSON.parse inside JavaScriptCore).
 * Runs on the owner thread, inside the request that needs the conversion. */
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "js/js_private.h"

json_t *gp__js_to_json(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  if (JSValueIsUndefined(ctx, v)) return json_null();
  JSValueRef e = NULL;
  JSStringRef s = JSValueCreateJSONString(ctx, v, 0, &e);
  if (e) {
    if (s) JSStringRelease(s);
    if (exc) *exc = e;
    return NULL;
  }
  if (s == NULL) return json_null(); /* functions, symbols: like JSON.stringify */
  char *text = gp__js_strdup(ctx, s);
  JSStringRelease(s);
  json_error_t jerr;
  json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  free(text);
  if (j == NULL && exc) *exc = gp__js_error(ctx, GP_ERR_INVALID_ARGUMENT, 1, jerr.text);
  return j;
}

JSValueRef gp__js_from_json(JSContextRef ctx, const json_t *j) {
  if (j == NULL) return JSValueMakeUndefined(ctx);
  char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
  if (text == NULL) return JSValueMakeNull(ctx);
  JSStringRef s = JSStringCreateWithUTF8CString(text);
  free(text);
  JSValueRef v = JSValueMakeFromJSONString(ctx, s);
  JSStringRelease(s);
  return v ? v : JSValueMakeNull(ctx);
}

gp_turn_t *gp__js_to_turn(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  if (!JSValueIsObject(ctx, v) || JSValueIsArray(ctx, v)) {
    gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "a turn must be an object {blocks: [...]}");
    return NULL;
  }
  json_t *j = gp__js_to_json(ctx, v, exc);
  if (j == NULL) return NULL;
  gp_error_t *err = NULL;
  gp_turn_t *t = gp_turn_from_json(j, &err);
  json_decref(j);
  if (t == NULL) {
    gp__js_throw(ctx, exc, err ? err->code : GP_ERR_INVALID_ARGUMENT, 1, "%s",
                 err ? err->message : "invalid turn");
    gp_error_free(err);
  }
  return t;
}

JSValueRef gp__js_from_turn(JSContextRef ctx, const gp_turn_t *t) {
  json_t *j = gp_turn_to_json(t);
  JSValueRef v = gp__js_from_json(ctx, j);
  json_decref(j);
  return v;
}
