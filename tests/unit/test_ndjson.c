/* NDJSON decoder: values per line, CRLF and blank lines, a last line without newline,
 * malformed and too long lines (PROVIDER_STREAM naming the line), callback stops, and
 * streams split at every byte position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "http/http.h"
#include "testutil.h"

typedef struct {
  gp_buf_t log;   /* each value compact, one per line */
  int count;
  int stop_after; /* return an error from the Nth value (0: never) */
} collect_t;

static int collect_cb(void *ud, json_t *v) {
  collect_t *c = ud;
  char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
  gp__buf_puts(&c->log, s);
  gp__buf_puts(&c->log, "\n");
  free(s);
  c->count++;
  return c->stop_after && c->count >= c->stop_after ? GP_ERR_CANCELED : 0;
}

/* Decodes `s` in pieces of `piece` bytes (0: one piece) and finishes; returns the log
 * and the first nonzero code in *rc. */
static char *decode(const char *s, size_t n, size_t piece, size_t max_line, int *rc, gp_error_t **err) {
  collect_t c = {0};
  gp_ndjson_t *d = gp__ndjson_new(collect_cb, &c, max_line);
  *rc = 0;
  if (piece == 0) piece = n ? n : 1;
  for (size_t off = 0; off < n && *rc == 0; off += piece)
    *rc = gp__ndjson_feed(d, s + off, n - off < piece ? n - off : piece, err);
  if (*rc == 0) *rc = gp__ndjson_finish(d, err);
  gp__ndjson_free(d);
  return gp__buf_steal(&c.log);
}

static void test_values_and_line_ends(void **state) {
  const char *s = "{\"a\":1}\n[1,2]\r\n\"str\"\n42\n\n   \n\t\r\nnull\r\n{\"b\":{\"c\":true}}";
  int rc;
  char *got = decode(s, strlen(s), 0, 0, &rc, NULL);
  assert_int_equal(rc, 0);
  assert_string_equal(got, "{\"a\":1}\n[1,2]\n\"str\"\n42\nnull\n{\"b\":{\"c\":true}}\n");
  free(got);
  /* Nothing at all, and only blank lines. */
  got = decode("", 0, 0, 0, &rc, NULL);
  assert_int_equal(rc, 0);
  assert_string_equal(got, "");
  free(got);
  got = decode("\n\r\n \n", 5, 0, 0, &rc, NULL);
  assert_int_equal(rc, 0);
  assert_string_equal(got, "");
  free(got);
}

static void test_every_split_point(void **state) {
  const char *s = "{\"msg\":\"\xd0\xb8\xd0\xb7\",\"n\":1}\r\n\n[true,false]\n{\"done\":true,\"x\":\"a\\nb\"}\n 7 \n\"end\"";
  size_t n = strlen(s);
  int rc;
  char *want = decode(s, n, 0, 0, &rc, NULL);
  assert_int_equal(rc, 0);
  assert_string_equal(want, "{\"msg\":\"\xd0\xb8\xd0\xb7\",\"n\":1}\n[true,false]\n"
                            "{\"done\":true,\"x\":\"a\\nb\"}\n7\n\"end\"\n");
  for (size_t i = 1; i < n; i++) {
    collect_t c = {0};
    gp_ndjson_t *d = gp__ndjson_new(collect_cb, &c, 0);
    assert_int_equal(gp__ndjson_feed(d, s, i, NULL), 0);
    assert_int_equal(gp__ndjson_feed(d, s + i, n - i, NULL), 0);
    assert_int_equal(gp__ndjson_finish(d, NULL), 0);
    assert_string_equal(c.log.data, want);
    gp__ndjson_free(d);
    gp__buf_free(&c.log);
  }
  for (size_t k = 1; k <= 5; k++) {
    char *got = decode(s, n, k, 0, &rc, NULL);
    assert_int_equal(rc, 0);
    assert_string_equal(got, want);
    free(got);
  }
  free(want);
}

static void test_malformed_line(void **state) {
  const char *s = "{\"a\":1}\n\n{\"b\":\n{\"c\":3}\n";
  for (size_t piece = 0; piece <= 3; piece++) {
    int rc;
    gp_error_t *err = NULL;
    char *got = decode(s, strlen(s), piece, 0, &rc, &err);
    assert_int_equal(rc, GP_ERR_PROVIDER_STREAM);
    assert_string_equal(got, "{\"a\":1}\n"); /* nothing after the bad line */
    assert_non_null(err);
    assert_int_equal(err->code, GP_ERR_PROVIDER_STREAM);
    assert_non_null(strstr(err->message, "line 3"));
    gp_error_free(err);
    free(got);
  }
  /* Two values on one line, trailing garbage, invalid UTF-8: all malformed. */
  const char *bad[] = {"{} {}\n", "[1]x\n", "\"\xff\"\n", "{\"a\":1}\n{\"b\"", NULL};
  for (const char **b = bad; *b; b++) {
    int rc;
    gp_error_t *err = NULL;
    char *got = decode(*b, strlen(*b), 0, 0, &rc, &err);
    assert_int_equal(rc, GP_ERR_PROVIDER_STREAM);
    assert_non_null(err);
    gp_error_free(err);
    free(got);
  }
}

static void test_sticky_after_error(void **state) {
  collect_t c = {0};
  gp_ndjson_t *d = gp__ndjson_new(collect_cb, &c, 0);
  gp_error_t *err = NULL;
  assert_int_equal(gp__ndjson_feed(d, "nope\n", 5, &err), GP_ERR_PROVIDER_STREAM);
  assert_non_null(strstr(err->message, "line 1"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp__ndjson_feed(d, "{}\n", 3, &err), GP_ERR_PROVIDER_STREAM);
  assert_non_null(strstr(err->message, "line 1"));
  gp_error_free(err);
  err = NULL;
  assert_int_equal(gp__ndjson_finish(d, &err), GP_ERR_PROVIDER_STREAM);
  gp_error_free(err);
  assert_int_equal(c.count, 0);
  gp__ndjson_free(d);
  gp__ndjson_free(NULL);
}

static void test_line_limit(void **state) {
  /* 10 bytes is allowed with max_line 10 (CR included); 11 is not. */
  int rc;
  gp_error_t *err = NULL;
  char *got = decode("[12345678]\n[1]\n", 15, 0, 10, &rc, &err);
  assert_int_equal(rc, 0);
  assert_string_equal(got, "[12345678]\n[1]\n");
  free(got);
  for (size_t piece = 0; piece <= 2; piece++) {
    got = decode("[1]\n[123456789]\n", 16, piece, 10, &rc, &err);
    assert_int_equal(rc, GP_ERR_PROVIDER_STREAM);
    assert_string_equal(got, "[1]\n");
    assert_non_null(strstr(err->message, "line 2"));
    assert_non_null(strstr(err->message, "10 bytes"));
    gp_error_free(err);
    err = NULL;
    free(got);
  }
  /* An endless line is refused as soon as it passes the limit, without a newline. */
  collect_t c = {0};
  gp_ndjson_t *d = gp__ndjson_new(collect_cb, &c, 1000);
  char chunk[100];
  memset(chunk, 'x', sizeof chunk);
  int i = 0;
  for (; i < 100 && (rc = gp__ndjson_feed(d, chunk, sizeof chunk, &err)) == 0; i++) {}
  assert_int_equal(rc, GP_ERR_PROVIDER_STREAM);
  assert_int_equal(i, 10);
  gp_error_free(err);
  gp__ndjson_free(d);
}

static void test_callback_stop(void **state) {
  collect_t c = {.stop_after = 2};
  gp_ndjson_t *d = gp__ndjson_new(collect_cb, &c, 0);
  gp_error_t *err = NULL;
  assert_int_equal(gp__ndjson_feed(d, "1\n2\n3\n", 6, &err), GP_ERR_CANCELED);
  assert_null(err); /* the callback's own error is its business */
  assert_int_equal(c.count, 2);
  assert_int_equal(gp__ndjson_feed(d, "4\n", 2, &err), GP_ERR_CANCELED);
  assert_int_equal(gp__ndjson_finish(d, &err), GP_ERR_CANCELED);
  assert_null(err);
  assert_int_equal(c.count, 2);
  gp__ndjson_free(d);
  gp__buf_free(&c.log);
  /* Also from finish, for a last line without a newline. */
  collect_t c2 = {.stop_after = 1};
  d = gp__ndjson_new(collect_cb, &c2, 0);
  assert_int_equal(gp__ndjson_feed(d, "{\"x\":1}", 7, NULL), 0);
  assert_int_equal(c2.count, 0);
  assert_int_equal(gp__ndjson_finish(d, NULL), GP_ERR_CANCELED);
  assert_int_equal(c2.count, 1);
  gp__ndjson_free(d);
  gp__buf_free(&c2.log);
}

static void test_many_lines(void **state) {
  /* 100 000 small lines in 4 KiB pieces: all arrive, in order. */
  gp_buf_t s = {0};
  for (int i = 0; i < 100000; i++) gp__buf_printf(&s, "{\"i\":%d}\n", i);
  int rc;
  char *got = decode(s.data, s.len, 4096, 0, &rc, NULL);
  assert_int_equal(rc, 0);
  /* The log equals the input (compact dumps of the same objects). */
  assert_string_equal(got, s.data);
  free(got);
  gp__buf_free(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_values_and_line_ends), GP_TEST(test_every_split_point),
      GP_TEST(test_malformed_line),       GP_TEST(test_sticky_after_error),
      GP_TEST(test_line_limit),           GP_TEST(test_callback_stop),
      GP_TEST(test_many_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
