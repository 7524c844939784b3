// timeout: 60
/* Tests for the one UTF-8 <-> UTF-16 conversion (src/js/utf.c) and for its use where C
 * strings become JS strings and back: invalid UTF-8 becomes U+FFFD per maximal subpart
 * (WHATWG, as Node's Buffer.toString), a lone surrogate becomes EF BF BD, and neither
 * ever empties the string nor drops its rest. */
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

/* Decodes `in` (n bytes) and compares with the expected units. */
static void check_decode(const char *in, size_t n, const uint16_t *want, size_t nwant) {
  uint16_t out[64];
  assert_true(n <= 64);
  size_t got = gp__utf8_to_utf16(in, n, out);
  if (got != nwant || memcmp(out, want, nwant * sizeof *want) != 0) {
    fprintf(stderr, "decode of %zu bytes: got", n);
    for (size_t i = 0; i < got; i++) fprintf(stderr, " %04X", out[i]);
    fprintf(stderr, "\n");
    fail();
  }
}

#define DECODE(in, ...)                                                     \
  do {                                                                      \
    const uint16_t w_[] = {__VA_ARGS__};                                    \
    check_decode(in, sizeof(in) - 1, w_, sizeof w_ / sizeof w_[0]);         \
  } while (0)

/* The WHATWG / Unicode "maximal subpart" cases (Unicode 15, table 3-8 and friends). */
static void test_decode(void **state) {
  (void)state;
  DECODE("abc", 'a', 'b', 'c');
  DECODE("caf\xC3\xA9", 'c', 'a', 'f', 0xE9);
  DECODE("caf\xE9", 'c', 'a', 'f', 0xFFFD);               /* Latin-1 */
  DECODE("caf\xE9!", 'c', 'a', 'f', 0xFFFD, '!');
  DECODE("\xF0\x9F\x98\x80", 0xD83D, 0xDE00);             /* U+1F600 */
  DECODE("\xF0\x9F\x98", 0xFFFD);                         /* truncated: one */
  DECODE("\xF0\x9F\x98" "A", 0xFFFD, 'A');
  DECODE("\xE2\x82" "A", 0xFFFD, 'A');
  DECODE("\xC0\xAF", 0xFFFD, 0xFFFD);                     /* overlong: two */
  DECODE("\xE0\x80\xAF", 0xFFFD, 0xFFFD, 0xFFFD);
  DECODE("\xED\xA0\x80", 0xFFFD, 0xFFFD, 0xFFFD);         /* surrogate */
  DECODE("\xF4\x90\x80\x80", 0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD); /* > U+10FFFF */
  DECODE("\xF5\x80", 0xFFFD, 0xFFFD);
  DECODE("\x80\xBF", 0xFFFD, 0xFFFD);                     /* lone continuations */
  DECODE("\xFF", 0xFFFD);
  DECODE("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64", 'a', 0xFFFD, 0xFFFD, 0xFFFD,
         'b', 0xFFFD, 'c', 0xFFFD, 0xFFFD, 'd');         /* the WHATWG example */
  assert_int_equal(gp__utf8_valid_prefix("ab\xC3\xA9", 4), 4);
  assert_int_equal(gp__utf8_valid_prefix("ab\xE9x", 4), 2);
  assert_int_equal(gp__utf8_valid_prefix("\xED\xA0\x80", 3), 0);
}

static void test_encode(void **state) {
  (void)state;
  const uint16_t lone[] = {'a', 0xD83D, ' ', 'b'};
  char out[32];
  size_t n = gp__utf16_to_utf8(lone, 4, out);
  assert_int_equal(n, 6);
  assert_int_equal(gp__utf16_to_utf8(lone, 4, NULL), 6);
  assert_memory_equal(out, "a\xEF\xBF\xBD b", 6);
  const uint16_t pair[] = {0xD83D, 0xDE00, 0xDE00, 0xE9};
  n = gp__utf16_to_utf8(pair, 4, out);
  assert_int_equal(n, 4 + 3 + 2);
  assert_memory_equal(out, "\xF0\x9F\x98\x80\xEF\xBF\xBD\xC3\xA9", n);
  const uint16_t tail[] = {'x', 0xDBFF};
  n = gp__utf16_to_utf8(tail, 2, out);
  assert_memory_equal(out, "x\xEF\xBF\xBD", n);
}

/* JSON.stringify's escapes of lone surrogates become \ufffd; pairs and escaped
 * backslashes stay. */
static void test_json_surrogates(void **state) {
  (void)state;
  char text[] = "{\"k\\udc00\":\"a\\ud83d b\\ud83d\\ude00 \\\\ud83d \\\"\\udfff\"}";
  assert_int_equal(gp__json_fix_lone_surrogates(text), 3);
  assert_string_equal(text, "{\"k\\ufffd\":\"a\\ufffd b\\ud83d\\ude00 \\\\ud83d \\\"\\ufffd\"}");
  char ok[] = "[\"\\u00e9\", 1]";
  assert_int_equal(gp__json_fix_lone_surrogates(ok), 0);
}

/* JS string of a C string: value compared with the expected JS source literal. */
static void check_js(JSContextRef ctx, JSValueRef v, const char *literal) {
  char *code = gp__xasprintf("(function (s) { return s === %s; })", literal);
  JSStringRef src = JSStringCreateWithUTF8CString(code);
  JSValueRef f = JSEvaluateScript(ctx, src, NULL, NULL, 1, NULL);
  JSStringRelease(src);
  free(code);
  assert_non_null(f);
  JSValueRef r = JSObjectCallAsFunction(ctx, (JSObjectRef)f, NULL, 1, &v, NULL);
  if (!JSValueToBoolean(ctx, r)) {
    char *got = gp__js_to_cstr(ctx, v);
    fprintf(stderr, "got \"%s\", want %s\n", got ? got : "(null)", literal);
    free(got);
    fail();
  }
}

/* gp__js_str, Error messages and the round trip JS -> C. */
static void test_js_strings(void **state) {
  (void)state;
  JSGlobalContextRef ctx = JSGlobalContextCreate(NULL);
  check_js(ctx, gp__js_str(ctx, "caf\xE9 au lait"), "'caf\\uFFFD au lait'");
  check_js(ctx, gp__js_str(ctx, "ok \xC3\xA9"), "'ok \\u00E9'");
  check_js(ctx, gp__js_str(ctx, NULL), "''");
  /* a provider's Latin-1 error body: the message survives, bad bytes replaced */
  JSObjectRef e = gp__js_error(ctx, GP_ERR_PROVIDER_HTTP, 0, "HTTP 500: Erreur \xE9trange");
  check_js(ctx, gp__js_get(ctx, e, "message"), "'HTTP 500: Erreur \\uFFFDtrange'");
  /* back to C: a lone surrogate is EF BF BD, the rest is kept */
  JSStringRef src = JSStringCreateWithUTF8CString("'a\\uD83D b'");
  JSValueRef v = JSEvaluateScript(ctx, src, NULL, NULL, 1, NULL);
  JSStringRelease(src);
  char *c = gp__js_to_cstr(ctx, v);
  assert_string_equal(c, "a\xEF\xBF\xBD b");
  free(c);
  /* NUL inside: gp__js_strdup_n keeps the length */
  JSStringRef withnul = gp__js_string_n("a\0\xE9z", 4);
  size_t len = 0;
  c = gp__js_strdup_n(withnul, &len);
  JSStringRelease(withnul);
  assert_int_equal(len, 1 + 1 + 3 + 1);
  assert_memory_equal(c, "a\0\xEF\xBF\xBDz", len);
  free(c);
  JSGlobalContextRelease(ctx);
}

/* process.argv and process.env values with invalid UTF-8 keep their valid text. */
static void test_argv_env(void **state) {
  (void)state;
  gp_owner_t *owner = NULL;
  assert_int_equal(gp_owner_new(NULL, &owner), GP_OK);
  char a0[] = "test", a1[] = "caf\xE9";
  char *argv[] = {a0, a1};
  gp_js_options_t opts = {.argc = 2, .argv = argv};
  setenv("GP_TEST_LATIN1", "na\xEFve", 1);
  gp_js_runtime_t *rt = NULL;
  assert_int_equal(gp__js_runtime_new(owner, &opts, &rt), GP_OK);
  assert_int_equal(gp__js_runtime_eval(rt,
                                      "if (process.argv[1] !== 'caf\\uFFFD') throw new Error('argv');\n"
                                      "if (process.env.GP_TEST_LATIN1 !== 'na\\uFFFDve') throw new Error('env');\n"),
                   GP_OK);
  assert_int_equal(gp__js_runtime_wait(rt), GP_OK);
  gp__js_runtime_close(rt);
  gp_owner_free(owner);
  gp__js_runtime_free(rt);
  unsetenv("GP_TEST_LATIN1");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      /* first: the runtime sets JavaScriptCore's options, before any other VM exists */
      GP_TEST(test_argv_env),
      GP_TEST(test_decode),
      GP_TEST(test_encode),
      GP_TEST(test_js_strings),
      GP_TEST(test_json_surrogates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
