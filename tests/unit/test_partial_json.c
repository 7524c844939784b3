/* The incremental JSON parser of partial-object events: every piece size gives the same
 * final value as jansson; snapshots show open strings and completed scalars; escapes
 * and surrogate pairs split across pieces; a fenced or prefaced answer; text that is not
 * JSON; and the cost: an answer ten times as long costs at most fifteen times the work
 * (counted by the parser, not timed), snapshots included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/core.h"
#include "engines/partial_json.h"
#include "testutil.h"

/* Feeds `text` in pieces of `piece` bytes, taking every snapshot that is due; returns
 * the final snapshot (new reference). *snaps counts the snapshots taken. */
static json_t *feed_all(gp_pjson_t *pj, const char *text, size_t piece, size_t *snaps) {
  size_t len = strlen(text);
  *snaps = 0;
  for (size_t off = 0; off < len; off += piece) {
    size_t n = len - off < piece ? len - off : piece;
    gp__pjson_feed(pj, text + off, n);
    if (gp__pjson_due(pj)) {
      json_t *s = gp__pjson_snapshot(pj);
      assert_non_null(s);
      json_decref(s);
      (*snaps)++;
    }
  }
  return gp__pjson_snapshot(pj);
}

static void test_same_value_any_piece(void **state) {
  (void)state;
  const char *text = "{\"a\": [1, -2.5e3, true, false, null, \"x\\\"y\\\\z\\u00e9\\ud83d\\ude00\"],"
                     " \"b\": {\"c\": {}, \"d\": []}, \"e\": \"\\n\\t\\/\", \"f\": 0}";
  json_t *want = json_loads(text, 0, NULL);
  assert_non_null(want);
  for (size_t piece = 1; piece <= strlen(text); piece++) {
    gp_pjson_t *pj = gp__pjson_new();
    size_t snaps;
    json_t *got = feed_all(pj, text, piece, &snaps);
    if (!json_equal(got, want)) fail_msg("piece %zu: value differs", piece);
    assert_false(gp__pjson_failed(pj));
    json_decref(got);
    gp__pjson_free(pj);
  }
  json_decref(want);
}

static int feed(gp_pjson_t *pj, const char *s) { return gp__pjson_feed(pj, s, strlen(s)); }

static void test_snapshots_show_progress(void **state) {
  (void)state;
  gp_pjson_t *pj = gp__pjson_new();
  assert_null(gp__pjson_snapshot(pj));
  feed(pj, "```json\n{\"city\": \"Par");
  json_t *s = gp__pjson_snapshot(pj);
  assert_string_equal(json_string_value(json_object_get(s, "city")), "Par");
  json_decref(s);
  feed(pj, "is\", \"temp\": 2");
  s = gp__pjson_snapshot(pj);
  assert_string_equal(json_string_value(json_object_get(s, "city")), "Paris");
  assert_null(json_object_get(s, "temp")); /* an unfinished number is left out */
  json_decref(s);
  feed(pj, "1, \"t\": [\"\xc3"); /* half a UTF-8 sequence */
  s = gp__pjson_snapshot(pj);
  assert_int_equal(json_integer_value(json_object_get(s, "temp")), 21);
  assert_string_equal(json_string_value(json_array_get(json_object_get(s, "t"), 0)), "");
  json_decref(s);
  feed(pj, "\xa9\"]}\n```");
  assert_false(gp__pjson_failed(pj)); /* the closing fence is not parsed as more JSON... */
  s = gp__pjson_snapshot(pj);
  assert_string_equal(json_string_value(json_array_get(json_object_get(s, "t"), 0)), "\xc3\xa9");
  json_decref(s);
  gp__pjson_free(pj);
}

static void test_not_json(void **state) {
  (void)state;
  gp_pjson_t *pj = gp__pjson_new();
  assert_int_equal(feed(pj, "{\"a\" 1}"), -1);
  assert_true(gp__pjson_failed(pj));
  gp__pjson_free(pj);
  pj = gp__pjson_new();
  feed(pj, "[1, 2] trailing"); /* after the value: ignored */
  assert_false(gp__pjson_failed(pj));
  gp__pjson_free(pj);
  pj = gp__pjson_new();
  char deep[600];
  memset(deep, '[', sizeof deep);
  assert_int_equal(gp__pjson_feed(pj, deep, sizeof deep), -1); /* depth limit */
  gp__pjson_free(pj);
}

/* An answer of `items` records, as a model would stream it. */
static char *answer(size_t items) {
  gp_buf_t b = {0};
  gp__buf_puts(&b, "{\"items\": [");
  for (size_t i = 0; i < items; i++)
    gp__buf_printf(&b, "%s{\"id\": %zu, \"name\": \"item number %zu\", \"ok\": true}", i ? ", " : "", i, i);
  gp__buf_puts(&b, "], \"done\": true}");
  return gp__buf_steal(&b);
}

static size_t work_for(size_t items, size_t *snaps) {
  char *text = answer(items);
  gp_pjson_t *pj = gp__pjson_new();
  json_t *v = feed_all(pj, text, 4, snaps);
  assert_int_equal(json_array_size(json_object_get(v, "items")), items);
  size_t w = gp__pjson_work(pj);
  json_decref(v);
  gp__pjson_free(pj);
  free(text);
  return w;
}

static void test_cost_is_linear(void **state) {
  (void)state;
  size_t s1, s10;
  size_t w1 = work_for(500, &s1), w10 = work_for(5000, &s10);
  print_message("partial json: work %zu for 500 items (%zu snapshots), %zu for 5000 (%zu "
                "snapshots): ratio %.2f\n", w1, s1, w10, s10, (double)w10 / (double)w1);
  assert_true(w10 <= 15 * w1);
  assert_true(s1 >= 10); /* still a stream of updates, not one at the end */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_same_value_any_piece),
      GP_TEST(test_snapshots_show_progress),
      GP_TEST(test_not_json),
      GP_TEST(test_cost_is_linear),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
