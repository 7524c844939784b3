/* The JS <-> C codec. JavaScript values cross into C as JSON (jansson) through JSON text
 * (JSON.stringify inside JavaScriptCore); JSON and events cross into JavaScript as values
 * built directly with the C API (objects, arrays, strings, numbers), which costs a
 * fraction of printing JSON text and parsing it again. Turns go through their JSON form.
 * Runs on the owner thread, inside the request that needs the conversion. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "events/events_internal.h"
#include "geppetto/event.h"
#include "js/js_private.h"
#include "core/json_depth.h"

/* Deeper values are handed to JSON.parse (which has its own stack check) rather than
 * recursing further here. */
#define GP__JSON_MAX_DEPTH 200

/* What JSON.stringify threw, as the error to report: a RangeError of its own (a value
 * nested so deeply that it ran out of stack, or a string too long) becomes an
 * INVALID_ARGUMENT naming the limit; anything else (a toJSON that throws, a cycle) is
 * passed on as it is. */
static JSValueRef gp__js_stringify_error(JSContextRef ctx, JSValueRef e) {
  if (!JSValueIsObject(ctx, e)) return e;
  JSValueRef code = gp__js_get(ctx, (JSObjectRef)e, "code");
  if (!JSValueIsUndefined(ctx, code)) return e;
  char *name = gp__js_to_cstr(ctx, gp__js_get(ctx, (JSObjectRef)e, "name"));
  int range = name && strcmp(name, "RangeError") == 0;
  free(name);
  if (!range) return e;
  char *msg = gp__js_to_cstr(ctx, gp__js_get(ctx, (JSObjectRef)e, "message"));
  char text[256];
  snprintf(text, sizeof text, "the value cannot be converted to JSON (%s); JSON nests at most %d levels",
           msg ? msg : "RangeError", GP_JSON_MAX_DEPTH);
  free(msg);
  return gp__js_error(ctx, GP_ERR_INVALID_ARGUMENT, 0, text);
}

json_t *gp__js_to_json(JSContextRef ctx, JSValueRef v, JSValueRef *exc) {
  if (JSValueIsUndefined(ctx, v)) return json_null();
  JSValueRef e = NULL;
  JSStringRef s = JSValueCreateJSONString(ctx, v, 0, &e);
  if (e) {
    if (s) JSStringRelease(s);
    if (exc) *exc = gp__js_stringify_error(ctx, e);
    return NULL;
  }
  if (s == NULL) return json_null(); /* functions, symbols: like JSON.stringify */
  char *text = gp__js_strdup(ctx, s);
  JSStringRelease(s);
  json_error_t jerr;
  json_t *j = gp__json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (j == NULL && gp__json_fix_lone_surrogates(text) > 0) /* a lone surrogate: U+FFFD */
    j = gp__json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  free(text);
  if (j == NULL && exc) *exc = gp__js_error(ctx, GP_ERR_INVALID_ARGUMENT, 1, jerr.text);
  return j;
}

/* ---- JSON -> JS ------------------------------------------------------------------- */

/* The reference conversion: JSON.parse(json_dumps(j)). Used for what the direct path
 * cannot reproduce with the C API (a "__proto__" key, very deep values). */
static JSValueRef gp__js_from_json_text(JSContextRef ctx, const json_t *j) {
  char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
  if (text == NULL) return JSValueMakeNull(ctx);
  JSStringRef s = gp__js_string(text);
  free(text);
  JSValueRef v = JSValueMakeFromJSONString(ctx, s);
  JSStringRelease(s);
  return v ? v : JSValueMakeNull(ctx);
}

/* A JS string from the n bytes of UTF-8 at NUL-terminated s (which may hold NUL).
 * Without embedded NUL JavaScriptCore converts valid text itself (and keeps ASCII in
 * 8-bit strings, as JSON.parse). */
static JSStringRef gp__js_string_len(const char *s, size_t n) {
  return strlen(s) == n ? gp__js_string(s) : gp__js_string_n(s, n);
}

static JSValueRef gp__js_make_string(JSContextRef ctx, const char *s, size_t n) {
  GP_WORK(n);
  JSStringRef js = gp__js_string_len(s, n);
  JSValueRef v = JSValueMakeString(ctx, js);
  JSStringRelease(js);
  return v;
}

static JSValueRef gp__from_json(JSContextRef ctx, const json_t *j, int depth);

/* 1 when the object has a key the C API cannot set as JSON.parse does: "__proto__"
 * (JSObjectSetProperty would call the inherited setter and change the prototype). */
static int gp__has_proto_key(const json_t *j) {
  const char *key;
  size_t len;
  json_t *v;
  json_object_keylen_foreach((json_t *)j, key, len, v) {
    if (len == 9 && memcmp(key, "__proto__", 9) == 0) return 1;
  }
  return 0;
}

static JSValueRef gp__from_object(JSContextRef ctx, const json_t *j, int depth) {
  if (gp__has_proto_key(j)) return gp__js_from_json_text(ctx, j);
  /* values created here live on this thread's stack until set, where the collector's
   * conservative scan sees them */
  JSObjectRef o = JSObjectMake(ctx, NULL, NULL);
  const char *key;
  size_t len;
  json_t *v;
  json_object_keylen_foreach((json_t *)j, key, len, v) {
    JSValueRef jv = gp__from_json(ctx, v, depth + 1);
    JSStringRef k = gp__js_string_len(key, len);
    JSObjectSetProperty(ctx, o, k, jv, kJSPropertyAttributeNone, NULL);
    JSStringRelease(k);
  }
  return o;
}

static JSValueRef gp__from_array(JSContextRef ctx, const json_t *j, int depth) {
  JSObjectRef a = JSObjectMakeArray(ctx, 0, NULL, NULL);
  if (a == NULL) return gp__js_from_json_text(ctx, j);
  size_t n = json_array_size(j);
  for (size_t i = 0; i < n; i++)
    JSObjectSetPropertyAtIndex(ctx, a, (unsigned)i, gp__from_json(ctx, json_array_get(j, i), depth + 1),
                               NULL);
  return a;
}

static JSValueRef gp__from_json(JSContextRef ctx, const json_t *j, int depth) {
  switch (json_typeof(j)) {
  case JSON_OBJECT:
    return depth >= GP__JSON_MAX_DEPTH ? gp__js_from_json_text(ctx, j)
                                       : gp__from_object(ctx, j, depth);
  case JSON_ARRAY:
    return depth >= GP__JSON_MAX_DEPTH ? gp__js_from_json_text(ctx, j)
                                       : gp__from_array(ctx, j, depth);
  case JSON_STRING:
    return gp__js_make_string(ctx, json_string_value(j), json_string_length(j));
  case JSON_INTEGER: /* the double nearest the integer, as JSON.parse reads its digits */
    return JSValueMakeNumber(ctx, (double)json_integer_value(j));
  case JSON_REAL: /* json_dumps prints 17 significant digits: JSON.parse gives it back */
    return JSValueMakeNumber(ctx, json_real_value(j));
  case JSON_TRUE:
    return JSValueMakeBoolean(ctx, true);
  case JSON_FALSE:
    return JSValueMakeBoolean(ctx, false);
  case JSON_NULL:
  default:
    return JSValueMakeNull(ctx);
  }
}

JSValueRef gp__js_from_json(JSContextRef ctx, const json_t *j) {
  if (j == NULL) return JSValueMakeUndefined(ctx);
  return gp__from_json(ctx, j, 0);
}

/* ---- Events -> JS ----------------------------------------------------------------- */

/* The envelope's property names, created once per process (JSStringRefs are immutable,
 * reference counted and usable from any context). */
enum { GP__K_TYPE, GP__K_TS, GP__K_SESSION, GP__K_INFERENCE, GP__K_TURN, GP__K_COUNT };
static const char *const gp__envelope_names[GP__K_COUNT] = {"type", "timestampMs", "sessionId",
                                                            "inferenceId", "turnId"};
static JSStringRef gp__envelope_keys[GP__K_COUNT];
/* The field names of the frequent events (SPEC §4.8), created once too. */
static const char *const gp__field_names[] = {"delta", "completion", "text", "usage",
                                              "stopReason", "toolCall", "toolResult", "error",
                                              "message", "level", "fields", "data"};
#define GP__NFIELDS (sizeof gp__field_names / sizeof gp__field_names[0])
static JSStringRef gp__field_keys[GP__NFIELDS];
static pthread_once_t gp__envelope_once = PTHREAD_ONCE_INIT;

static void gp__partial_class_init(void);

static void gp__envelope_init(void) {
  gp__partial_class_init();
  for (int i = 0; i < GP__K_COUNT; i++)
    gp__envelope_keys[i] = gp__js_string(gp__envelope_names[i]);
  for (size_t i = 0; i < GP__NFIELDS; i++)
    gp__field_keys[i] = gp__js_string(gp__field_names[i]);
}

/* A new reference to the JS name of a field key (cached for the frequent ones). */
static JSStringRef gp__field_key(const char *key) {
  for (size_t i = 0; i < GP__NFIELDS; i++)
    if (strcmp(key, gp__field_names[i]) == 0) return JSStringRetain(gp__field_keys[i]);
  return gp__js_string(key);
}

static int gp__is_envelope_key(const char *key) {
  for (int i = 0; i < GP__K_COUNT; i++)
    if (strcmp(key, gp__envelope_names[i]) == 0) return 1;
  return 0;
}

static const char *gp__text_or_empty(const char *s) { return s ? s : ""; }

/* 1 when some object key in j holds a NUL character. */
static int gp__has_nul_key(const json_t *j) {
  const char *key;
  size_t len;
  json_t *v;
  if (json_is_array(j)) {
    for (size_t i = 0; i < json_array_size(j); i++)
      if (gp__has_nul_key(json_array_get(j, i))) return 1;
    return 0;
  }
  if (!json_is_object(j)) return 0;
  json_object_keylen_foreach((json_t *)j, key, len, v) {
    if (strlen(key) != len || gp__has_nul_key(v)) return 1;
  }
  return 0;
}

/* 1 when the direct build gives exactly gp_event_to_json's object: ids in valid UTF-8
 * (gp_event_to_json would replace bad bytes), no key with NUL at any depth (it and
 * json_deep_copy read keys as C strings) and no "__proto__" key at the top. */
static int gp__event_direct_ok(const gp_event_t *ev) {
  const char *ids[3] = {ev->session_id, ev->inference_id, ev->turn_id};
  for (int i = 0; i < 3; i++) {
    const char *s = gp__text_or_empty(ids[i]);
    size_t n = strlen(s);
    if (gp__utf8_valid_prefix(s, n) != n) return 0;
  }
  if (!json_is_object(ev->fields)) return 1;
  const char *key;
  size_t len;
  json_t *v;
  json_object_keylen_foreach(ev->fields, key, len, v) {
    if (strlen(key) != len || strcmp(key, "__proto__") == 0) return 0;
  }
  return !gp__has_nul_key(ev->fields);
}

static void gp__set_str(JSContextRef ctx, JSObjectRef o, int k, const char *s) {
  s = gp__text_or_empty(s);
  JSObjectSetProperty(ctx, o, gp__envelope_keys[k], gp__js_make_string(ctx, s, strlen(s)),
                      kJSPropertyAttributeNone, NULL);
}

/* ---- the lazy `completion` of partial events ------------------------------------------
 * A partial event's `completion` is the text so far: copying it into every event would
 * make a long answer cost quadratic time (SPEC §4.8). The event object is made with a
 * class whose property callbacks turn `completion` into an ordinary own property the
 * first time anything touches it (read, descriptor, spread, JSON.stringify), built from the
 * shared buffer then; until that, the object holds a reference on the buffer and the
 * length. A placeholder own property made with the object keeps the key in its place
 * among the others, so enumeration order and every reflection are those of a plain
 * object. Writing it first simply stores what was written. */

enum { GP__LAZY_BUILDING, GP__LAZY_PENDING, GP__LAZY_DONE };

typedef struct {
  int state;
  gp_text_block_t *buf;    /* reference while pending */
  size_t len;
} gp__lazy_t;

static JSClassRef gp__partial_class;
static JSStringRef gp__completion_key;

static void gp__lazy_drop(gp__lazy_t *lz) {
  lz->state = GP__LAZY_DONE;
  gp__text_block_unref(lz->buf);
  lz->buf = NULL;
}

/* The JS string of n bytes of UTF-8 that are not NUL-terminated. */
static JSValueRef gp__js_make_string_n(JSContextRef ctx, const char *s, size_t n) {
  GP_WORK(n);
  JSStringRef js;
  if (memchr(s, '\0', n) == NULL && gp__utf8_valid_prefix(s, n) == n) {
    char *z = gp__xstrndup(s, n); /* JavaScriptCore keeps ASCII 8-bit from a C string */
    js = JSStringCreateWithUTF8CString(z);
    free(z);
  } else {
    js = gp__js_string_n(s, n);
  }
  JSValueRef v = JSValueMakeString(ctx, js);
  JSStringRelease(js);
  return v;
}

/* Owner: the first touch of a pending `completion` stores the string as the ordinary
 * property and answers "not here" so the lookup goes on to it. */
static JSValueRef gp__lazy_get(JSContextRef ctx, JSObjectRef o, JSStringRef name, JSValueRef *exc) {
  gp__lazy_t *lz = JSObjectGetPrivate(o);
  if (lz == NULL || lz->state != GP__LAZY_PENDING || !JSStringIsEqual(name, gp__completion_key))
    return NULL;
  lz->state = GP__LAZY_BUILDING; /* the store and read below pass through the callbacks */
  JSValueRef v = gp__js_make_string_n(ctx, lz->buf->data, lz->len);
  JSObjectSetProperty(ctx, o, gp__completion_key, v, kJSPropertyAttributeNone, NULL);
  if (!JSValueIsStrictEqual(ctx, JSObjectGetProperty(ctx, o, gp__completion_key, NULL), v)) {
    /* a frozen event keeps its placeholder: answer the text itself, at each read */
    lz->state = GP__LAZY_PENDING;
    return v;
  }
  gp__lazy_drop(lz);
  return NULL;
}

/* A write before the first read wins over the buffer; the store itself is the
 * ordinary one (false: not handled here). */
static bool gp__lazy_set(JSContextRef ctx, JSObjectRef o, JSStringRef name, JSValueRef v,
                         JSValueRef *exc) {
  gp__lazy_t *lz = JSObjectGetPrivate(o);
  if (lz && lz->state == GP__LAZY_PENDING && JSStringIsEqual(name, gp__completion_key))
    gp__lazy_drop(lz);
  return false;
}

static void gp__lazy_finalize(JSObjectRef o) {
  gp__lazy_t *lz = JSObjectGetPrivate(o);
  if (lz == NULL) return;
  gp__text_block_unref(lz->buf);
  free(lz);
}

/* Class callbacks, not a static value: JavaScriptCore lists static values first among
 * own keys (Reflect.ownKeys), where the placeholder keeps `completion` in its place. */
static void gp__partial_class_init(void) {
  JSClassDefinition def = kJSClassDefinitionEmpty;
  def.className = "Object";
  def.attributes = kJSClassAttributeNoAutomaticPrototype;
  def.getProperty = gp__lazy_get;
  def.setProperty = gp__lazy_set;
  def.finalize = gp__lazy_finalize;
  gp__partial_class = JSClassCreate(&def);
  gp__completion_key = gp__js_string("completion");
}

/* The event object: a plain one, or for a partial event with a shared completion, one
 * of the lazy class with the placeholder set last (after `delta`, as on the wire). */
static JSObjectRef gp__event_object(JSContextRef ctx, const gp_event_t *ev, gp__lazy_t **lazy) {
  *lazy = NULL;
  if (ev->completion_buf == NULL) return JSObjectMake(ctx, NULL, NULL);
  gp__lazy_t *lz = gp__xcalloc(1, sizeof *lz);
  lz->state = GP__LAZY_BUILDING;
  lz->buf = gp__text_block_ref(ev->completion_buf);
  lz->len = ev->completion_len;
  *lazy = lz;
  return JSObjectMake(ctx, gp__partial_class, lz);
}

JSValueRef gp__js_from_event(JSContextRef ctx, const gp_event_t *ev) {
  if (!gp__event_direct_ok(ev)) {
    json_t *j = gp_event_to_json(ev);
    JSValueRef v = gp__js_from_json_text(ctx, j);
    json_decref(j);
    return v;
  }
  pthread_once(&gp__envelope_once, gp__envelope_init);
  gp__lazy_t *lazy;
  JSObjectRef o = gp__event_object(ctx, ev, &lazy);
  const char *name = gp_event_type_name(ev->type);
  gp__set_str(ctx, o, GP__K_TYPE, name ? name : "unknown");
  JSObjectSetProperty(ctx, o, gp__envelope_keys[GP__K_TS],
                      JSValueMakeNumber(ctx, (double)ev->timestamp_ms), kJSPropertyAttributeNone,
                      NULL);
  gp__set_str(ctx, o, GP__K_SESSION, ev->session_id);
  gp__set_str(ctx, o, GP__K_INFERENCE, ev->inference_id);
  gp__set_str(ctx, o, GP__K_TURN, ev->turn_id);
  const char *key;
  json_t *v;
  if (json_is_object(ev->fields)) {
    json_object_foreach(ev->fields, key, v) {
      if (gp__is_envelope_key(key)) continue; /* the envelope wins, as in gp_event_to_json */
      JSValueRef jv = gp__from_json(ctx, v, 1);
      JSStringRef k = gp__field_key(key);
      JSObjectSetProperty(ctx, o, k, jv, kJSPropertyAttributeNone, NULL);
      JSStringRelease(k);
    }
  }
  if (lazy) { /* the placeholder, then the buffer takes over */
    JSObjectSetProperty(ctx, o, gp__completion_key, JSValueMakeUndefined(ctx),
                        kJSPropertyAttributeNone, NULL);
    lazy->state = GP__LAZY_PENDING;
  }
  return o;
}

/* ---- Turns ------------------------------------------------------------------------ */
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

JSValueRef gp__js_take_json(JSContextRef ctx, json_t *j) {
  JSValueRef v = gp__js_from_json(ctx, j);
  json_decref(j);
  return v;
}

JSValueRef gp__js_from_turn(JSContextRef ctx, const gp_turn_t *t) {
  return gp__js_take_json(ctx, gp_turn_to_json(t));
}

JSValueRef gp__js_take_turn(JSContextRef ctx, gp_turn_t *t) {
  JSValueRef v = gp__js_from_turn(ctx, t);
  gp_turn_free(t);
  return v;
}
