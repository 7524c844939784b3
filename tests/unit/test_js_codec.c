// timeout: 120
/* Tests for the JSON -> JS codec (src/js/codec.c): gp__js_from_json and
 * gp__js_from_event build values directly with the C API; each result must be
 * indistinguishable from JSON.parse of the JSON text (json_dumps) of the same value:
 * same JSON.stringify, same own property names in the same order, same prototypes,
 * same property attributes, Object.is-equal numbers (-0 included). Checked on
 * hand-picked edge cases (NUL in strings and keys, "__proto__" keys, surrogate pairs,
 * integers beyond 2^53, reals at the ends of the range, deep nesting) and on thousands
 * of pseudo-random values from a fixed seed, with the collector running meanwhile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"
#include "js/js_private.h"
#include "testutil.h"

/* The codec is single-threaded: ThreadSanitizer has nothing to find in the bulk random
 * checks and runs them ~20x slower; there a tenth of the samples keeps each case far from
 * its 30 s limit on a loaded machine. The other builds run them all. */
#ifdef GP_SANITIZE_THREAD
#define SAMPLES(n) ((n) / 10)
#else
#define SAMPLES(n) (n)
#endif

static JSGlobalContextRef ctx;
static JSObjectRef same_fn;  /* same(a, b): "" when indistinguishable, else where not */

/* Deep comparison in JS: every observable difference is reported with its path. */
static const char *same_src =
    "(function same(a, b, path) {\n"
    "  path = path || '$';\n"
    "  if (typeof a !== typeof b) return path + ': typeof ' + typeof a + ' vs ' + typeof b;\n"
    "  if (a === null || b === null || typeof a !== 'object')\n"
    "    return Object.is(a, b) ? '' : path + ': ' + String(a) + ' vs ' + String(b);\n"
    "  if (Array.isArray(a) !== Array.isArray(b)) return path + ': array vs not';\n"
    "  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return path + ': prototype';\n"
    "  if (Object.isExtensible(a) !== Object.isExtensible(b)) return path + ': extensible';\n"
    "  const ka = Reflect.ownKeys(a), kb = Reflect.ownKeys(b);\n"
    "  if (ka.length !== kb.length) return path + ': ' + ka.length + ' keys vs ' + kb.length;\n"
    "  for (let i = 0; i < ka.length; i++) {\n"
    "    if (ka[i] !== kb[i]) return path + ': key ' + i + ' ' + String(ka[i]) + ' vs ' + String(kb[i]);\n"
    "    const da = Object.getOwnPropertyDescriptor(a, ka[i]);\n"
    "    const db = Object.getOwnPropertyDescriptor(b, kb[i]);\n"
    "    for (const f of ['writable', 'enumerable', 'configurable'])\n"
    "      if (da[f] !== db[f]) return path + '.' + String(ka[i]) + ': ' + f;\n"
    "    const r = same(da.value, db.value, path + '.' + JSON.stringify(ka[i]));\n"
    "    if (r) return r;\n"
    "  }\n"
    "  if (JSON.stringify(a) !== JSON.stringify(b)) return path + ': JSON.stringify differs';\n"
    "  return '';\n"
    "})";

static int group_setup(void **state) {
  (void)state;
  ctx = JSGlobalContextCreate(NULL);
  JSStringRef src = JSStringCreateWithUTF8CString(same_src);
  JSValueRef exc = NULL;
  JSValueRef f = JSEvaluateScript(ctx, src, NULL, NULL, 1, &exc);
  JSStringRelease(src);
  if (exc || f == NULL) return -1;
  same_fn = (JSObjectRef)f;
  JSValueProtect(ctx, f);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  JSValueUnprotect(ctx, same_fn);
  JSGlobalContextRelease(ctx);
  ctx = NULL;
  return 0;
}

/* JSON.parse(json_dumps(j)): the reference the codec must match. */
static JSValueRef reference(const json_t *j) {
  char *text = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
  assert_non_null(text);
  JSStringRef s = JSStringCreateWithUTF8CString(text);
  free(text);
  JSValueRef v = JSValueMakeFromJSONString(ctx, s);
  JSStringRelease(s);
  assert_non_null(v);
  return v;
}

/* Fails with the path of the first difference. */
static void assert_same(JSValueRef got, JSValueRef want, const char *what) {
  JSValueRef args[2] = {got, want};
  JSValueRef exc = NULL;
  JSValueRef r = JSObjectCallAsFunction(ctx, same_fn, NULL, 2, args, &exc);
  assert_null(exc);
  char *diff = gp__js_to_cstr(ctx, r);
  if (diff[0] != '\0') fail_msg("%s: %s", what, diff);
  free(diff);
}

static void check_json(const json_t *j, const char *what) {
  JSValueRef want = reference(j);
  JSValueRef got = gp__js_from_json(ctx, j);
  assert_same(got, want, what);
}

/* "{...}" loaded with NUL allowed (JSON text keeps the cases readable). */
static json_t *load(const char *text) {
  json_error_t e;
  json_t *j = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
  if (j == NULL) fail_msg("bad test JSON %s: %s", text, e.text);
  return j;
}

static void test_edge_cases(void **state) {
  (void)state;
  static const char *cases[] = {
      "null", "true", "false", "0", "-0.0", "1", "-1", "0.1", "1e308", "-1.7976931348623157e308",
      "5e-324", "2.2250738585072014e-308", "9007199254740993", "-9007199254740993",
      "9223372036854775807", "-9223372036854775808", "123456789012345678", "3.141592653589793",
      "\"\"", "\"plain ascii\"", "\"caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u4e2d\"",
      "\"nul\\u0000inside\\u0000\"", "\"\\u0000\"", "\"tab\\tquote\\\"back\\\\slash\\n\"",
      "\"\\u00ff\\u0100\\u07ff\\u0800\\uffff\\ud800\\udc00\\udbff\\udfff\"", "[]", "{}",
      "[1, [2, [3, []]], {}]", "{\"a\": 1, \"b\": [true, false, null], \"c\": {\"d\": \"e\"}}",
      "{\"__proto__\": {\"x\": 1}}", "{\"__proto__\": 5, \"y\": 2}", "{\"a\": {\"__proto__\": []}}",
      "[{\"__proto__\": null}]", "{\"2\": \"two\", \"b\": 1, \"1\": \"one\", \"a\": 2, \"0\": 0}",
      "{\"4294967295\": 1, \"4294967294\": 2, \"-1\": 3, \"01\": 4}",
      "{\"constructor\": 1, \"toString\": \"x\", \"hasOwnProperty\": null, \"valueOf\": []}",
      "{\"\": \"empty key\"}",
      "{\"caf\\u00e9\": \"\\ud83d\\ude00\", \"\\u4e2d\": 1}", "{\"length\": 3}",
      "[0.1, 0.2, 0.30000000000000004, 1e21, 1e-7, 123e-20, 4.35]",
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    json_t *j = load(cases[i]);
    check_json(j, cases[i]);
    json_decref(j);
  }
  /* jansson refuses no integer: the extremes and their doubles */
  json_t *big = json_pack("[I, I, I, I]", (json_int_t)INT64_MAX, (json_int_t)INT64_MIN,
                          (json_int_t)((1LL << 53) + 1), (json_int_t) - ((1LL << 53) + 3));
  check_json(big, "int64 extremes");
  json_decref(big);
  /* keys with NUL (jansson's parser refuses them; its API takes them) */
  json_t *nulkeys = json_object();
  json_object_setn_new(nulkeys, "k\0ey", 4, json_integer(1));
  json_object_set_new(nulkeys, "k", json_integer(2));
  json_object_setn_new(nulkeys, "\0", 1, json_string("nul"));
  json_object_setn_new(nulkeys, "__proto__\0", 10, json_true());
  check_json(nulkeys, "NUL in keys");
  json_decref(nulkeys);
  /* NULL: undefined */
  assert_true(JSValueIsUndefined(ctx, gp__js_from_json(ctx, NULL)));
}

static void test_deep_nesting(void **state) {
  (void)state;
  /* deeper than the direct path recurses: the rest goes through JSON.parse */
  json_t *root = json_object(), *cur = root;
  for (int i = 0; i < 600; i++) {
    json_t *next = (i % 2) ? json_object() : json_array();
    if (json_is_object(cur)) json_object_set_new(cur, "n", next);
    else json_array_append_new(cur, next);
    cur = next;
  }
  if (json_is_object(cur)) json_object_set_new(cur, "leaf", json_string("bottom"));
  else json_array_append_new(cur, json_string("bottom"));
  check_json(root, "600 levels");
  json_decref(root);
}

/* ---- Pseudo-random values ------------------------------------------------------------ */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_rand(void) { /* xorshift64*: fixed seed, same values every run */
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 2685821657736338717ull;
}

/* Random UTF-8 (with NUL, every encoding length, surrogate pairs once in UTF-16). */
static size_t rand_text(char *buf, size_t max) {
  static const char *pieces[] = {"a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\x01", "\x1f",
                                 "\x7f", "\xc3\xa9", "\xc2\x80", "\xdf\xbf", "\xe2\x82\xac",
                                 "\xe0\xa0\x80", "\xef\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80",
                                 "\xf0\x9f\x98\x80", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
                                 "__proto__", "type", "1", "constructor"};
  size_t n = 0, count = next_rand() % 12;
  for (size_t i = 0; i < count; i++) {
    if (next_rand() % 16 == 0) { /* an embedded NUL */
      if (n + 1 >= max) break;
      buf[n++] = '\0';
      continue;
    }
    const char *p = pieces[next_rand() % (sizeof pieces / sizeof pieces[0])];
    size_t len = strlen(p);
    if (n + len >= max) break;
    memcpy(buf + n, p, len);
    n += len;
  }
  buf[n] = '\0';
  return n;
}

static double rand_real(void) {
  switch (next_rand() % 4) {
  case 0: return (double)(int64_t)next_rand() / (double)(1 + next_rand() % 1000000);
  case 1: return (next_rand() % 2 ? -1.0 : 1.0) * (double)(next_rand() % 1000) / 8.0;
  default: {
    uint64_t bits = next_rand();
    double d;
    memcpy(&d, &bits, sizeof d);
    if (d != d || d - d != 0) d = 1.5; /* NaN and infinities are not JSON */
    return d;
  }
  }
}

static json_t *rand_value(int depth) {
  char text[96];
  unsigned pick = (unsigned)(next_rand() % (depth > 4 ? 6 : 8));
  switch (pick) {
  case 0: return json_null();
  case 1: return json_boolean(next_rand() % 2);
  case 2: {
    uint64_t r = next_rand();
    json_int_t v = (json_int_t)(next_rand() % 3 == 0 ? r : r % 100000) * (r % 2 ? 1 : -1);
    return json_integer(v);
  }
  case 3: return json_real(rand_real());
  case 4:
  case 5: {
    size_t n = rand_text(text, sizeof text);
    return json_stringn(text, n);
  }
  case 6: {
    json_t *a = json_array();
    size_t n = next_rand() % 6;
    for (size_t i = 0; i < n; i++) json_array_append_new(a, rand_value(depth + 1));
    return a;
  }
  default: {
    json_t *o = json_object();
    size_t n = next_rand() % 6;
    for (size_t i = 0; i < n; i++) {
      size_t len = rand_text(text, sizeof text);
      json_object_setn_new(o, text, len, rand_value(depth + 1));
    }
    return o;
  }
  }
}

static void test_random_values(void **state) {
  (void)state;
  for (int i = 0; i < SAMPLES(4000); i++) {
    json_t *j = rand_value(0);
    char what[32];
    snprintf(what, sizeof what, "random value %d", i);
    check_json(j, what);
    json_decref(j);
    if (i % SAMPLES(500) == 0) JSGarbageCollect(ctx);
  }
}

/* ---- Events ------------------------------------------------------------------------- */

static void check_event(gp_event_t *ev, const char *what) {
  json_t *j = gp_event_to_json(ev);
  JSValueRef want = reference(j);
  json_decref(j);
  JSValueRef got = gp__js_from_event(ctx, ev);
  assert_same(got, want, what);
  gp_event_unref(ev);
}

static void test_events(void **state) {
  (void)state;
  check_event(gp_event_new(GP_EVENT_START, "s1", "i1", "t1", NULL), "start");
  check_event(gp_event_new(GP_EVENT_PARTIAL, "s1", "i1", "t1",
                           gp_fields_partial("w\xc3\xa9 ", "one tw\xc3\xa9 ")),
              "partial");
  check_event(gp_event_new(GP_EVENT_PARTIAL, NULL, NULL, NULL, gp_fields_partial(NULL, NULL)),
              "NULL ids");
  json_t *usage = load("{\"inputTokens\": 3, \"outputTokens\": 4}");
  check_event(gp_event_new(GP_EVENT_FINAL, "s", "i", "t", gp_fields_final("done", usage, "stop")),
              "final");
  json_decref(usage);
  json_t *input = load("{\"city\": \"Paris\", \"__proto__\": {\"polluted\": true}}");
  check_event(gp_event_new(GP_EVENT_TOOL_CALL, "s", "i", "t",
                           gp_fields_tool_call("c1", "get_weather", input)),
              "tool-call with __proto__ in its input");
  json_decref(input);
  check_event(gp_event_new(GP_EVENT_ERROR, "s", "i", "t", gp_fields_error(GP_ERR_TIMEOUT, "late")),
              "error");
  /* fields that collide with the envelope: the envelope wins */
  check_event(gp_event_new(GP_EVENT_INFO, "s", "i", "t",
                           load("{\"type\": \"forged\", \"sessionId\": 1, \"message\": \"m\","
                                " \"data\": [1, {\"x\": null}]}")),
              "colliding fields");
  /* a "__proto__" field, a key with NUL, invalid UTF-8 in an id: the JSON path */
  check_event(gp_event_new(GP_EVENT_INFO, "s", "i", "t", load("{\"__proto__\": {\"a\": 1}, \"m\": 2}")),
              "__proto__ field");
  json_t *nulkey = json_object();
  json_object_setn_new(nulkey, "a\0b", 3, json_integer(1));
  json_object_set_new(nulkey, "a", json_integer(2));
  json_object_set_new(nulkey, "c", json_integer(3));
  check_event(gp_event_new(GP_EVENT_INFO, "s", "i", "t", nulkey), "NUL in a field key");
  check_event(gp_event_new(GP_EVENT_LOG, "s\xff\xfe", "i\xc3", "t\xed\xa0\x80", NULL),
              "invalid UTF-8 ids");
  check_event(gp_event_new(GP_EVENT_LOG, "s", "i", "t", json_array()), "fields not an object");
  for (int i = 0; i < SAMPLES(1000); i++) {
    json_t *fields = json_object();
    size_t n = next_rand() % 6;
    char text[96];
    for (size_t k = 0; k < n; k++) {
      size_t len = rand_text(text, sizeof text);
      json_object_setn_new(fields, text, len, rand_value(1));
    }
    char what[32];
    snprintf(what, sizeof what, "random event %d", i);
    check_event(gp_event_new((gp_event_type_t)(next_rand() % GP_EVENT_TYPE_COUNT), "sess", "inf",
                             "turn", fields),
                what);
  }
}

/* ---- Partial events with a shared completion (gp_emit_partial) ------------------------ */

typedef struct {
  gp_event_t *evs[64];
  size_t n;
} keep_t;

static void keep_publish(void *ud, gp_event_t *ev) {
  keep_t *k = ud;
  if (k->n < 64) k->evs[k->n++] = gp_event_ref(ev);
}

/* An emitter with a sink keeping its events in *k. */
static gp_emitter_t *keeping_emitter(keep_t *k, gp_sink_t **sink) {
  gp_emitter_t *em = gp_emitter_new("s", "i", "t");
  *sink = gp_sink_new(keep_publish, k, NULL);
  gp_emitter_add_sink(em, *sink);
  return em;
}

static JSValueRef eval(const char *src) {
  JSStringRef s = JSStringCreateWithUTF8CString(src);
  JSValueRef exc = NULL;
  JSValueRef v = JSEvaluateScript(ctx, s, NULL, NULL, 1, &exc);
  JSStringRelease(s);
  assert_null(exc);
  return v;
}

/* Calls fn(ev) (JS source of a function) and returns its result as a C string. */
static char *call_on(const char *fn, JSValueRef ev) {
  JSValueRef f = eval(fn);
  JSValueRef exc = NULL;
  JSValueRef r = JSObjectCallAsFunction(ctx, (JSObjectRef)f, NULL, 1, &ev, &exc);
  assert_null(exc);
  return gp__js_to_cstr(ctx, r);
}

/* The event object is indistinguishable from JSON.parse of the wire form: same keys in
 * the same order (completion after delta), same descriptors, same JSON.stringify. */
static void test_partial_shared_completion(void **state) {
  (void)state;
  keep_t k = {0};
  gp_sink_t *sink;
  gp_emitter_t *em = keeping_emitter(&k, &sink);
  gp_text_t *t = gp_text_new();
  const char *deltas[] = {"one ", "tw\xc3\xa9 ", "a\0b ", "\xf0\x9f\x98\x80 ", "end"};
  const size_t lens[] = {4, 5, 4, 5, 3};
  for (int i = 0; i < 5; i++) {
    gp_text_append(t, deltas[i], lens[i]);
    gp_emit_partial(em, i == 2 ? GP_EVENT_PARTIAL_THINKING : GP_EVENT_PARTIAL, deltas[i], lens[i], t);
  }
  gp_text_free(t); /* the events keep what they reference */
  assert_int_equal(k.n, 5);
  size_t len;
  assert_memory_equal(gp_event_completion(k.evs[4], &len), "one tw\xc3\xa9 a\0b \xf0\x9f\x98\x80 end", 21);
  assert_int_equal(len, 21);
  for (size_t i = 0; i < k.n; i++) {
    char what[48];
    snprintf(what, sizeof what, "shared partial %zu", i);
    check_event(gp_event_ref(k.evs[i]), what);
  }
  /* each way of touching it first gives the text; a write before any read wins */
  const char *first_touch[] = {
      "(e) => e.completion",
      "(e) => JSON.parse(JSON.stringify(e)).completion",
      "(e) => ({...e}).completion",
      "(e) => Object.getOwnPropertyDescriptor(e, 'completion').value",
      "(e) => Object.entries(e).find(([k]) => k === 'completion')[1]",
      "(e) => Object.values(e)[6]",
  };
  for (size_t i = 0; i < sizeof first_touch / sizeof *first_touch; i++) {
    char *got = call_on(first_touch[i], gp__js_from_event(ctx, k.evs[1]));
    assert_string_equal(got, "one tw\xc3\xa9 ");
    free(got);
  }
  char *w = call_on("(e) => { e.completion = 'mine'; return e.completion + ',' + Object.keys(e).join(); }",
                    gp__js_from_event(ctx, k.evs[4]));
  assert_string_equal(w, "mine,type,timestampMs,sessionId,inferenceId,turnId,delta,completion");
  free(w);
  char *frozen = call_on("(e) => { Object.freeze(e); return e.completion + '|' + e.completion + '|' + "
                         "JSON.parse(JSON.stringify(e)).completion; }",
                         gp__js_from_event(ctx, k.evs[0]));
  assert_string_equal(frozen, "one |one |one ");
  free(frozen);
  char *twice = call_on("(e) => { const a = e.completion; return String(a === e.completion); }",
                        gp__js_from_event(ctx, k.evs[3]));
  assert_string_equal(twice, "true");
  free(twice);
  JSGarbageCollect(ctx); /* finalizers drop their references */
  for (size_t i = 0; i < k.n; i++) gp_event_unref(k.evs[i]);
  gp_emitter_free(em);
  gp_sink_unref(sink);
}

#ifdef GP_DEBUG
/* Every event of a run, kept (a sink for deliver_work). */
typedef struct {
  gp_event_t **evs;
  size_t n;
} keep_all_t;

static void keep_all(void *ud, gp_event_t *ev) {
  keep_all_t *k = ud;
  k->evs = realloc(k->evs, (k->n + 1) * sizeof *k->evs);
  k->evs[k->n++] = gp_event_ref(ev);
}

/* Delivering N partial events of one growing text costs O(N) when the listener reads
 * the deltas (and the last completion), however long the completion. */
static uint64_t deliver_work(size_t n) {
  keep_all_t k = {0};
  gp_emitter_t *em = gp_emitter_new("s", "i", "t");
  gp_sink_t *sink = gp_sink_new(keep_all, &k, NULL);
  gp_emitter_add_sink(em, sink);
  gp_text_t *t = gp_text_new();
  JSObjectRef read_delta = (JSObjectRef)eval("(e) => e.type.length + e.delta.length");
  JSObjectRef read_all = (JSObjectRef)eval("(e) => e.completion.length");
  uint64_t w0 = gp__work_bytes();
  for (size_t i = 0; i < n; i++) {
    gp_text_append(t, "word abcdefghijklmnopqrstu ", 27);
    gp_emit_partial(em, GP_EVENT_PARTIAL, "word abcdefghijklmnopqrstu ", 27, t);
  }
  for (size_t i = 0; i < k.n; i++) {
    JSValueRef v = gp__js_from_event(ctx, k.evs[i]);
    JSValueRef exc = NULL;
    JSValueRef r = JSObjectCallAsFunction(ctx, i + 1 == n ? read_all : read_delta, NULL, 1, &v, &exc);
    assert_null(exc);
    if (i + 1 == n) assert_int_equal((size_t)JSValueToNumber(ctx, r, NULL), 27 * n);
    gp_event_unref(k.evs[i]);
    if (i % 1000 == 0) JSGarbageCollect(ctx);
  }
  JSGarbageCollect(ctx);
  uint64_t w = gp__work_bytes() - w0;
  assert_int_equal(k.n, n);
  gp_text_free(t);
  gp_emitter_free(em);
  gp_sink_unref(sink);
  free(k.evs);
  return w;
}
#endif

static void test_partial_delivery_linear(void **state) {
  (void)state;
#ifdef GP_DEBUG
  uint64_t a = deliver_work(SAMPLES(2000));
  uint64_t b = deliver_work(SAMPLES(20000));
  printf("partial events to JS: work %llu -> %llu bytes for 10x the events\n",
         (unsigned long long)a, (unsigned long long)b);
  assert_true(a > 0 && b <= 15 * a);
#else
  skip();
#endif
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_partial_shared_completion),
      GP_TEST(test_partial_delivery_linear),
      GP_TEST(test_edge_cases),
      GP_TEST(test_deep_nesting),
      GP_TEST(test_random_values),
      GP_TEST(test_events),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
