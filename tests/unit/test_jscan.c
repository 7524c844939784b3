// timeout: 120
/* src/engines/jscan against jansson behind the nesting bound (gp__json_loadb, the provider
 * engines' parser): on valid and malformed texts both must agree on validity, and on
 * valid texts the scanner's walk must find the same structure, strings (escapes, \u
 * pairs, UTF-8) and integers. Also every prefix of each text, single-byte corruptions of
 * each valid text, nesting at and beyond the limit, and number limits (int64, real
 * overflow). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/core.h"
#include "engines/jscan.h"
#include "core/json_depth.h"
#include "jscan_walk.h"
#include "testutil.h"

/* The texts the decoding benchmark's self-test checked, and more. */
static const char *const corpus[] = {
    "{}", "[]", "{\"a\":1}", "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}",
    "{\"s\":\"h\\u00e9llo \\ud83d\\ude00 \\\"q\\\" \\\\ \\/ \\n\"}", "{\"s\":\"caf\xc3\xa9\"}",
    "{\"n\":-0.5e+10,\"m\":0,\"k\":12345678901}", " { \"a\" : [ ] , \"b\" : { } } ",
    "{\"long\":\"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\"}",
    "{\"esc\":\"\\b\\f\\n\\r\\t\\\"\\\\\\/\"}", "{\"u\":\"\\u0041\\u00DF\\u6C34\\uFFFF\\uDBFF\\uDFFF\"}",
    "{\"raw\":\"\xe6\xb0\xb4 \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf \xc2\x80\"}",
    "{\"k\\u00e9y\":\"v\",\"\":\"\"}", "[\"a\",\"b\",[[],[{}]]]", "\t\r\n[ 1 ,\t2 ]\n",
    "[0,-0,1e5,1E+5,1e-5,-1.25E-3,0.0,123456789012345678]",
    "[9223372036854775807,-9223372036854775808]", "[1e308,-1e308,1e-400,4.9e-324]",
    "[0.00000000000000000000000000000000000000001e320]", "\"top\"", "12", "null", "true",
    "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi \\\"there\\\"\\n\"},\"finish_reason\":null}]}",
    "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\","
    "\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}",
    "{\"a\":1,\"b\":[2],\"a\":{\"c\":3.25},\"b\":null,\"d\":\"x\"}", "[{\"k\":1,\"k\":1}]",
    /* malformed */
    "{", "{\"a\":}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[,1]", "{\"a\":01}", "{\"a\":1.}",
    "{\"a\":-}", "{\"a\":tru}", "{\"a\":\"x}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
    "{\"a\":\"\x01\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xc0\xaf\"}",
    "{\"a\":1} x", "{a:1}", "[1 2]", "{\"a\":1\"b\":2}", "", "   ", "[\"\\u0000\"]",
    "[\"a\\u0000b\"]", "{\"\\u0000\":1}", "[\"\\ud800\"]", "[\"\\udc00\"]", "[\"\\ud800\\u0041\"]",
    "[\"\\ud800\\ud800\"]", "[\"\\udfff\\ud800\"]", "[\"\\ud800x\"]", "[\"\\uD83D\\n\"]",
    "[\"\xf5\x80\x80\x80\"]", "[\"\xf4\x90\x80\x80\"]", "[\"\xe0\x80\xaf\"]", "[\"\xff\"]",
    "[\"\x80\"]", "[\"\xc2\"]", "[\"\xe6\xb0\"]", "[\"\t\"]", "[\"\x7f\"]",
    "[9223372036854775808]", "[-9223372036854775809]", "[99999999999999999999]", "[1e309]",
    "[-1e309]", "[1.5e99999]", "[+1]", "[.5]", "[1e]", "[1e+]", "[-01]", "[0x10]", "[1.e5]",
    "[NaN]", "[Infinity]", "[nul]", "[truex]", "[\"a\" \"b\"]", "{\"a\":1 \"b\":2}",
    "{\"a\"}", "{1:2}", "{\"a\":1}}", "[[]", "[]]", "{\"a\":[}", "\xef\xbb\xbf{}",
    "{\"a\":'b'}", "[\"\\U0041\"]", "[\"\\u00G1\"]", "/* c */{}", "[1,,2]",
};

typedef struct {
  const char *t;
  size_t n;
} text_t;

static int jansson_valid(const char *t, size_t n) {
  json_t *v = gp__json_loadb(t, n, JSON_DECODE_ANY, NULL);
  json_decref(v);
  return v != NULL;
}

static int scanner_valid(const char *t, size_t n) {
  gp_jscan_t j;
  gp__jscan_init(&j, t, n);
  return gp__jscan_skip(&j) == 0 && gp__jscan_done(&j) == 0;
}

/* Checks one text; on a disagreement prints it and returns 0. The scanner must never
 * accept what jansson refuses. The other way, one jansson quirk is allowed: its reader
 * uses NUL as its "buffer empty" mark, so a NUL byte it pushes back (right after a
 * number) is dropped and the text accepted; the scanner refuses any NUL byte, which only
 * sends such a chunk to the jansson path. */
static int agree(const char *t, size_t n, const char *what) {
  json_t *want = gp__json_loadb(t, n, JSON_DECODE_ANY, NULL);
  int built = gp_jscan_json_agrees(t, n, want);
  json_decref(want);
  if (!built) {
    fprintf(stderr, "%s: gp__jscan_json differs from jansson: %.*s\n", what,
            (int)(n > 200 ? 200 : n), t);
    return 0;
  }
  int jv = jansson_valid(t, n), sv = scanner_valid(t, n);
  if (jv && !sv && memchr(t, '\0', n)) return 1;
  if (jv != sv) {
    fprintf(stderr, "%s: scanner says %s, jansson %s: %.*s\n", what, sv ? "valid" : "malformed",
            jv ? "valid" : "malformed", (int)(n > 200 ? 200 : n), t);
    return 0;
  }
  if (!jv) return 1;
  /* A duplicate key keeps its last value in jansson: the walk compares the others. */
  json_t *v = gp__json_loadb(t, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
  if (!v) return 1;
  gp_jscan_t j;
  gp__jscan_init(&j, t, n);
  int ok = gp_jscan_walk(&j, v) && gp__jscan_done(&j) == 0;
  json_decref(v);
  if (!ok) fprintf(stderr, "%s: walk differs: %.*s\n", what, (int)(n > 200 ? 200 : n), t);
  return ok;
}

static size_t text_len(size_t i) { return strlen(corpus[i]); }

/* Texts with a NUL byte inside (all malformed for jansson without JSON_ALLOW_NUL). */
static const text_t nul_texts[] = {
    {"[\"a\"\x00]", 6}, {"[1]\x00", 4}, {"[\"a\x00\"]", 6}, {"\x00[]", 3}, {"{\"a\x00\":1}", 8},
};

static void test_corpus_agrees(void **state) {
  (void)state;
  size_t valid = 0, n = sizeof corpus / sizeof corpus[0];
  int bad = 0;
  for (size_t i = 0; i < n; i++) {
    bad += !agree(corpus[i], text_len(i), "corpus");
    valid += jansson_valid(corpus[i], text_len(i));
  }
  for (size_t i = 0; i < sizeof nul_texts / sizeof nul_texts[0]; i++) {
    bad += !agree(nul_texts[i].t, nul_texts[i].n, "nul");
    for (size_t len = 0; len < nul_texts[i].n; len++) bad += !agree(nul_texts[i].t, len, "nul");
    assert_false(scanner_valid(nul_texts[i].t, nul_texts[i].n));
  }
  assert_int_equal(bad, 0);
  /* Both kinds are well represented (the list above is not all one kind). */
  assert_true(valid >= 20 && n - valid >= 60);
}

static void test_every_prefix(void **state) {
  (void)state;
  int bad = 0;
  for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
    size_t n = text_len(i);
    for (size_t len = 0; len < n; len++) bad += !agree(corpus[i], len, "prefix");
  }
  assert_int_equal(bad, 0);
}

/* Each byte of each valid text replaced by bytes that matter to a JSON lexer. */
static void test_corruptions(void **state) {
  (void)state;
  static const char subst[] = {'"', '\\', '{', '}', '[', ']', ',', ':', ' ', '0', '-', 'e',
                               '.', 'u', 'n', '\x01', '\x00', '\x80', '\xc3', '\xed'};
  int bad = 0;
  size_t tried = 0;
  for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++) {
    size_t n = text_len(i);
    if (!jansson_valid(corpus[i], n)) continue;
    char *t = gp__xmalloc(n + 1);
    for (size_t pos = 0; pos < n; pos++) {
      for (size_t k = 0; k < sizeof subst; k++) {
        memcpy(t, corpus[i], n);
        t[pos] = subst[k];
        bad += !agree(t, n, "corrupted");
        tried++;
      }
    }
    free(t);
  }
  assert_int_equal(bad, 0);
  assert_true(tried > 5000);
}

static char *nested(int depth, int objects) {
  gp_buf_t b = {0};
  for (int i = 0; i < depth; i++) gp__buf_puts(&b, objects && i % 2 ? "{\"k\":" : "[");
  gp__buf_puts(&b, "1");
  for (int i = depth - 1; i >= 0; i--) gp__buf_puts(&b, objects && i % 2 ? "}" : "]");
  return gp__buf_steal(&b);
}

static void test_deep_nesting(void **state) {
  (void)state;
  const int depths[] = {1, 63, 64, 65, 500, 511, 512, 513, 2047, 2048, 2049, 5000, 100000};
  for (size_t i = 0; i < sizeof depths / sizeof depths[0]; i++) {
    for (int objects = 0; objects < 2; objects++) {
      char *t = nested(depths[i], objects);
      assert_true(agree(t, strlen(t), "nested"));
      /* At most GP_JSON_MAX_DEPTH containers (core/json_depth.h). */
      assert_int_equal(scanner_valid(t, strlen(t)), depths[i] <= GP_JSON_MAX_DEPTH);
      free(t);
    }
  }
}

/* The depth the caller's pulls opened counts with what gp__jscan_skip walks. */
static void test_depth_across_pulls(void **state) {
  (void)state;
  for (int inner = GP_JSON_MAX_DEPTH - 4; inner <= GP_JSON_MAX_DEPTH; inner++) {
    char *in = nested(inner, 0);
    char *t = gp__xasprintf("{\"a\":{\"b\":%s}}", in);
    gp_jscan_t j;
    gp_jscan_str_t k;
    gp__jscan_init(&j, t, strlen(t));
    int ok = gp__jscan_obj_begin(&j) && gp__jscan_obj_next(&j, &k) == 1 && gp__jscan_obj_begin(&j) &&
             gp__jscan_obj_next(&j, &k) == 1 && gp__jscan_skip(&j) == 0 &&
             gp__jscan_obj_next(&j, &k) == 0 && gp__jscan_obj_next(&j, &k) == 0 &&
             gp__jscan_done(&j) == 0;
    assert_int_equal(ok, jansson_valid(t, strlen(t)));
    assert_int_equal(ok, inner + 2 <= GP_JSON_MAX_DEPTH);
    free(in);
    free(t);
  }
}

static void test_numbers(void **state) {
  (void)state;
  static const char *const nums[] = {
      "0", "-0", "7", "-7", "9223372036854775807", "-9223372036854775808",
      "9223372036854775808", "-9223372036854775809", "9223372036854775817",
      "10000000000000000000", "922337203685477580", "1.7976931348623157e308",
      "1.7976931348623159e308", "17976931348623157e292", "1797693134862315807e290", "1e308",
      "10e308", "0.1e310", "0.1e309", "-2e308", "1e-308", "1e-99999", "123.456e-789",
      "1e00000000000000000000308", "1e00000000000000000000309", "1E2", "1e+2", "00", "1.0e",
      "-", "--1", "1-", "2.", ".2", "1e1.5",
  };
  int bad = 0;
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    char *t = gp__xasprintf("[%s]", nums[i]);
    bad += !agree(t, strlen(t), "number");
    bad += !agree(nums[i], strlen(nums[i]), "number");
    free(t);
  }
  assert_int_equal(bad, 0);
  gp_jscan_t j;
  int64_t v = 0;
  gp__jscan_init(&j, "[-9223372036854775808, 1.5]", 27);
  assert_int_equal(gp__jscan_arr_begin(&j), 1);
  assert_int_equal(gp__jscan_arr_next(&j), 1);
  assert_int_equal(gp__jscan_int(&j, &v), 1);
  assert_true(v == INT64_MIN);
  assert_int_equal(gp__jscan_arr_next(&j), 1);
  assert_int_equal(gp__jscan_int(&j, &v), -1); /* a real is not an integer */
  assert_int_equal(gp__jscan_done(&j), -1);    /* and every later call fails */
}

/* Pulls: types the caller did not ask for fail, null is told apart, and escaped keys are
 * never equal to a literal (the engines leave such chunks to jansson). */
static void test_pulls(void **state) {
  (void)state;
  const char *t = "{\"a\":null,\"b\\u0041\":\"x\",\"c\":\"\\ud83d\\ude00\\u00e9\",\"d\":5}";
  gp_jscan_t j;
  gp_jscan_str_t k, s;
  gp__jscan_init(&j, t, strlen(t));
  assert_int_equal(gp__jscan_obj_begin(&j), 1);
  assert_int_equal(gp__jscan_obj_next(&j, &k), 1);
  assert_true(gp__jscan_key_is(&k, "a"));
  assert_int_equal(gp__jscan_str(&j, &s), 0);
  assert_int_equal(gp__jscan_obj_next(&j, &k), 1);
  assert_true(k.escaped);
  assert_false(gp__jscan_key_is(&k, "bA"));
  assert_int_equal(gp__jscan_str(&j, &s), 1);
  assert_int_equal(gp__jscan_obj_next(&j, &k), 1);
  assert_int_equal(gp__jscan_str(&j, &s), 1);
  gp_buf_t b = {0};
  gp__jscan_str_append(&s, &b);
  assert_string_equal(b.data, "\xf0\x9f\x98\x80\xc3\xa9");
  gp__buf_free(&b);
  assert_int_equal(gp__jscan_obj_next(&j, &k), 1);
  assert_int_equal(gp__jscan_null(&j), 0); /* 5 is not null: nothing consumed */
  assert_int_equal(gp__jscan_str(&j, &s), -1);
  assert_int_equal(gp__jscan_obj_next(&j, &k), -1);
}

/* A special byte or sequence at every offset 0..40 of strings 0..48 bytes long, so each
 * falls in every lane of a 16-byte scan, in its tail piece and in texts under 16 bytes.
 * Each text sits in a buffer of its exact size (sanitizer builds see any read past it),
 * as an array element and as a key, with 0, 3 or 16 blanks after it. */
static const text_t lane_specials[] = {
    {"\"", 1}, {"\\", 1}, {"\x01", 1}, {"\x1f", 1}, {" ", 1}, {"\x7f", 1}, {"\x80", 1},
    {"\xff", 1}, {"\xc3\xa9", 2}, {"\xe6\xb0\xb4", 3}, {"\xf0\x9f\x98\x80", 4},
    {"\xed\xa0\x80", 3}, {"\xc3", 1}, {"\\n", 2}, {"\\\"", 2}, {"\\u00e9", 6},
    {"\\ud83d\\ude00", 12}, {"\\ud83d", 6}, {"\x00", 1},
};

static int lane_text_agrees(const char *body, size_t n, int as_key, size_t blanks) {
  static const char *const wrap[2][2] = {{"[\"", "\"]"}, {"{\"", "\":1}"}};
  size_t len = 2 + n + strlen(wrap[as_key][1]) + blanks;
  char *t = gp__xmalloc(len ? len : 1);
  memcpy(t, wrap[as_key][0], 2);
  memcpy(t + 2, body, n);
  memcpy(t + 2 + n, wrap[as_key][1], strlen(wrap[as_key][1]));
  memset(t + len - blanks, ' ', blanks);
  int ok = agree(t, len, "lane");
  free(t);
  return ok;
}

static void test_specials_in_every_lane(void **state) {
  (void)state;
  static const size_t blanks[] = {0, 3, 16};
  char body[64];
  int bad = 0;
  size_t tried = 0;
  for (size_t len = 0; len <= 48; len++) {
    memset(body, 'a', len); /* the plain run alone, then one special at each offset */
    for (int as_key = 0; as_key < 2; as_key++)
      for (size_t b = 0; b < 3; b++) bad += !lane_text_agrees(body, len, as_key, blanks[b]);
    for (size_t off = 0; off <= 40 && off <= len; off++) {
      for (size_t k = 0; k < sizeof lane_specials / sizeof lane_specials[0]; k++) {
        size_t n = 0;
        for (size_t i = 0; i < off; i++) body[n++] = (char)('a' + i % 26);
        memcpy(body + n, lane_specials[k].t, lane_specials[k].n);
        n += lane_specials[k].n;
        for (size_t i = off; i < len; i++) body[n++] = (char)('A' + i % 26);
        for (int as_key = 0; as_key < 2; as_key++) {
          for (size_t b = 0; b < 3; b++) {
            bad += !lane_text_agrees(body, n, as_key, blanks[b]);
            tried++;
          }
        }
      }
    }
  }
  assert_int_equal(bad, 0);
  assert_true(tried > 100000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_corpus_agrees), GP_TEST(test_every_prefix), GP_TEST(test_corruptions),
      GP_TEST(test_deep_nesting),  GP_TEST(test_depth_across_pulls), GP_TEST(test_numbers),
      GP_TEST(test_pulls),         GP_TEST(test_specials_in_every_lane),
  };
  if (getenv("GP_TEST_FILTER")) cmocka_set_test_filter(getenv("GP_TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
