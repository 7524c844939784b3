/* Natives behind `gp.turns`: normalising turns and blocks through the C codec, so a
 * script's turns get the same ids, default roles and validation (an unknown kind is a
 * TypeError naming it) as turns decoded anywhere else. Owner thread only. */
#include <stdlib.h>

#include "js/js_private.h"


/* normalizeTurn(obj) -> a new normalised turn object. */
static JSValueRef gp__normalize_turn(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                     size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  gp_turn_t *t = gp__js_to_turn(ctx, GP__ARG(0), exc);
  if (t == NULL) return JSValueMakeUndefined(ctx);
  return gp__js_take_turn(ctx, t);
}

/* normalizeBlock(obj) -> a new normalised block object. */
static JSValueRef gp__normalize_block(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                                      size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  GP_JS_ASSERT(gp__js_rt());
  JSValueRef v = GP__ARG(0);
  if (!JSValueIsObject(ctx, v) || JSValueIsArray(ctx, v))
    return gp__js_throw(ctx, exc, GP_ERR_INVALID_ARGUMENT, 1, "a block must be an object {kind, payload}");
  json_t *j = gp__js_to_json(ctx, v, exc);
  if (j == NULL) return JSValueMakeUndefined(ctx);
  gp_error_t *err = NULL;
  gp_block_t *b = gp_block_from_json(j, &err);
  json_decref(j);
  if (b == NULL) {
    JSValueRef r = gp__js_throw(ctx, exc, err ? err->code : GP_ERR_INVALID_ARGUMENT, 1, "%s",
                                err ? err->message : "invalid block");
    gp_error_free(err);
    return r;
  }
  json_t *out = gp_block_to_json(b);
  gp_block_free(b);
  return gp__js_take_json(ctx, out);
}

static JSValueRef gp__new_id(JSContextRef ctx, JSObjectRef fn, JSObjectRef self,
                             size_t argc, const JSValueRef argv[], JSValueRef *exc) {
  char *id = gp_id_new();
  JSValueRef v = gp__js_str(ctx, id);
  free(id);
  return v;
}

static const gp__js_fn_t gp__turn_fns[] = {
    {"normalizeTurn", gp__normalize_turn},
    {"normalizeBlock", gp__normalize_block},
    {"newId", gp__new_id},
};

void gp__mod_turns_init(JSContextRef ctx, JSObjectRef native) {
  gp__js_set_fns(ctx, native, gp__turn_fns, sizeof gp__turn_fns / sizeof gp__turn_fns[0]);
}
