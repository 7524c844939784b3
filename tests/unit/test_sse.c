// timeout: 120
/* SSE decoder: the WHATWG event-stream rules (line ends, BOM, comments, fields, id and
 * retry, dispatch), the cases the OpenAI and Anthropic SDKs check in their decoders,
 * streams split at every byte position and into 1-byte pieces, and a 20 MB event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "http/http.h"
#include "testutil.h"

/* Every event as one text line "type|id|retry|len|data", data bytes escaped. */
typedef struct {
  gp_buf_t log;
  int count;
  int stop_after;   /* return an error from the Nth event (0: never) */
} collect_t;

static int collect_cb(void *ud, const gp_sse_event_t *ev) {
  collect_t *c = ud;
  c->count++;
  gp__buf_printf(&c->log, "%s|%s|%lld|%zu|", ev->type, ev->id, (long long)ev->retry_ms, ev->data_len);
  for (size_t i = 0; i < ev->data_len; i++) {
    unsigned char ch = (unsigned char)ev->data[i];
    if (ch == '\n') gp__buf_puts(&c->log, "\\n");
    else if (ch < 0x20 || ch >= 0x7f || ch == '\\') gp__buf_printf(&c->log, "\\x%02x", ch);
    else gp__buf_append(&c->log, (const char *)&ch, 1);
  }
  gp__buf_puts(&c->log, "\n");
  if (c->stop_after && c->count >= c->stop_after) return GP_ERR_CANCELED;
  return 0;
}

/* Decodes `n` bytes given as pieces of the sizes in `cuts` (0-terminated list of
 * lengths; the rest goes in a last piece), then finishes. Returns the log (caller
 * frees). */
static char *decode_pieces(const char *s, size_t n, const size_t *cuts) {
  collect_t c = {0};
  gp_sse_t *d = gp__sse_new(collect_cb, &c);
  size_t off = 0;
  for (; cuts && *cuts && off < n; cuts++) {
    size_t k = *cuts < n - off ? *cuts : n - off;
    assert_int_equal(gp__sse_feed(d, s + off, k), 0);
    off += k;
  }
  assert_int_equal(gp__sse_feed(d, s + off, n - off), 0);
  gp__sse_finish(d);
  gp__sse_free(d);
  return gp__buf_steal(&c.log);
}

static char *decode(const char *s) { return decode_pieces(s, strlen(s), NULL); }

/* Decodes a stream given as a NULL-terminated list of feeds. */
static char *decode_feeds(const char *const *feeds) {
  collect_t c = {0};
  gp_sse_t *d = gp__sse_new(collect_cb, &c);
  for (; *feeds; feeds++) assert_int_equal(gp__sse_feed(d, *feeds, strlen(*feeds)), 0);
  gp__sse_finish(d);
  gp__sse_free(d);
  return gp__buf_steal(&c.log);
}

#define EXPECT_LOG(got_expr, want)         \
  do {                                     \
    char *got_ = (got_expr);               \
    assert_string_equal(got_, want);       \
    free(got_);                            \
  } while (0)

/* ---- The SDKs' cases ------------------------------------------------------------ */

static void test_sdk_basic_and_defaults(void **state) {
  const char *f1[] = {"event: completion\n", "data: {\"foo\":true}\n", "\n", NULL};
  EXPECT_LOG(decode_feeds(f1), "completion||-1|12|{\"foo\":true}\n");
  /* Data without an event type is a "message". */
  const char *f2[] = {"data: {\"foo\":true}\n", "\n", NULL};
  EXPECT_LOG(decode_feeds(f2), "message||-1|12|{\"foo\":true}\n");
  /* Two events, each with data. */
  const char *f3[] = {"event: ping\n", "data: {\"foo\":true}\n", "\n",
                      "event: completion\n", "data: {\"bar\":false}\n", "\n", NULL};
  EXPECT_LOG(decode_feeds(f3), "ping||-1|12|{\"foo\":true}\ncompletion||-1|13|{\"bar\":false}\n");
}

static void test_event_without_data_is_not_dispatched(void **state) {
  /* The SDKs yield "event: ping\n\n" with empty data; WHATWG dispatches nothing when
   * the data buffer is empty, and providers always send data with their events. */
  const char *f[] = {"event: foo\n", "\n", "event: ping\n", "\n", NULL};
  EXPECT_LOG(decode_feeds(f), "");
  /* A data field with an empty value does dispatch, with empty data. */
  EXPECT_LOG(decode("event: ping\ndata:\n\n"), "ping||-1|0|\n");
  EXPECT_LOG(decode("data\n\n"), "message||-1|0|\n");
}

static void test_sdk_multiple_data_lines(void **state) {
  const char *f1[] = {"event: ping\n", "data: {\n", "data: \"foo\":\n", "data: \n", "data:\n",
                      "data: true}\n", "\n\n", NULL};
  EXPECT_LOG(decode_feeds(f1), "ping||-1|16|{\\n\"foo\":\\n\\n\\ntrue}\n");
  const char *f2[] = {"event: ping\n", "data: {\n", "data: \"foo\":\n", "data: true}\n", "\n\n", NULL};
  EXPECT_LOG(decode_feeds(f2), "ping||-1|14|{\\n\"foo\":\\ntrue}\n");
}

static void test_sdk_escaped_newlines_and_special_chars(void **state) {
  /* A JSON-escaped "\n\n" is two backslashes-and-n, not line ends. */
  const char *f1[] = {"event: ping\n", "data: {\"foo\": \"my long\\n\\ncontent\"}", "\n\n", NULL};
  EXPECT_LOG(decode_feeds(f1), "ping||-1|29|{\"foo\": \"my long\\x5cn\\x5cncontent\"}\n");
  /* U+2028 (E2 80 A8) and other Unicode separators are not SSE line ends. */
  const char *f2[] = {"data: {\"content\":\" culpa\"}\n", "\n",
                      "data: {\"content\":\" \xe2\x80\xa8\"}\n", "\n",
                      "data: {\"content\":\"foo\"}\n", "\n", NULL};
  EXPECT_LOG(decode_feeds(f2), "message||-1|20|{\"content\":\" culpa\"}\n"
                               "message||-1|18|{\"content\":\" \\xe2\\x80\\xa8\"}\n"
                               "message||-1|17|{\"content\":\"foo\"}\n");
}

static void test_sdk_multibyte_across_chunks(void **state) {
  /* "известни" split inside its two-byte characters. */
  const char *f[] = {"event: completion\n", "data: {\"content\":\"", "\xd0", "\xb8\xd0\xb7\xd0",
                     "\xb2\xd0\xb5\xd1\x81\xd1\x82\xd0\xbd\xd0\xb8", "\"}\n", "\n", NULL};
  char *got = decode_feeds(f);
  const char *want_data = "{\"content\":\"\xd0\xb8\xd0\xb7\xd0\xb2\xd0\xb5\xd1\x81\xd1\x82\xd0\xbd\xd0\xb8\"}";
  collect_t c = {0};
  gp_sse_event_t ev = {.type = "completion", .data = want_data, .data_len = strlen(want_data), .id = "", .retry_ms = -1};
  collect_cb(&c, &ev);
  assert_string_equal(got, c.log.data);
  free(got);
  gp__buf_free(&c.log);
}

static void test_sdk_line_decoder_cases(void **state) {
  /* Lines ending at CRLF, CR and LF, split between feeds, as in openai-node's
   * LineDecoder tests, seen through the events they produce. */
  const char *crlf[] = {"data: foo", " bar\r\n", "\r\n", NULL};
  EXPECT_LOG(decode_feeds(crlf), "message||-1|7|foo bar\n");
  const char *split[] = {"data: foo\r", "\n", "\r", "\n", "data: bar", "\n\n", NULL};
  EXPECT_LOG(decode_feeds(split), "message||-1|3|foo\nmessage||-1|3|bar\n");
  /* CR CR: a line end and a blank line, even when the second CR comes later. */
  const char *crcr[] = {"data: foo\r", "\r", "data: bar\r", "\r", NULL};
  EXPECT_LOG(decode_feeds(crcr), "message||-1|3|foo\nmessage||-1|3|bar\n");
  /* CR, CR, CRLF: two blank lines, one event. */
  const char *mix[] = {"data: foo\r", "\r", "\r", "\n", "data: bar", "\n", "\n", NULL};
  EXPECT_LOG(decode_feeds(mix), "message||-1|3|foo\nmessage||-1|3|bar\n");
  const char *lfs[] = {"data: foo\n", "\n", "\n", "data: bar", "\n", "\n", NULL};
  EXPECT_LOG(decode_feeds(lfs), "message||-1|3|foo\nmessage||-1|3|bar\n");
}

/* ---- WHATWG rules ----------------------------------------------------------------- */

static void test_line_ends_cr_lf_crlf(void **state) {
  EXPECT_LOG(decode("data: a\rdata: b\r\rdata: c\ndata: d\n\ndata: e\r\ndata: f\r\n\r\n"),
             "message||-1|3|a\\nb\nmessage||-1|3|c\\nd\nmessage||-1|3|e\\nf\n");
  /* LF CR is two line ends (LF, then CR): a blank line. */
  EXPECT_LOG(decode("data: a\n\rdata: b\n\n"), "message||-1|1|a\nmessage||-1|1|b\n");
  /* A CR at the end of one feed and LF at the start of the next are one line end. */
  const char *f[] = {"data: a\r", "\ndata: b\r", "\n\r", "\n", NULL};
  EXPECT_LOG(decode_feeds(f), "message||-1|3|a\\nb\n");
}

static void test_bom(void **state) {
  EXPECT_LOG(decode("\xEF\xBB\xBF" "data: x\n\n"), "message||-1|1|x\n");
  /* Split inside the BOM. */
  const char *f1[] = {"\xEF", "\xBB", "\xBF" "data: x\n\n", NULL};
  EXPECT_LOG(decode_feeds(f1), "message||-1|1|x\n");
  /* Only one leading BOM is skipped: a second one is part of the field name. */
  EXPECT_LOG(decode("\xEF\xBB\xBF\xEF\xBB\xBF" "data: x\n\ndata: y\n\n"), "message||-1|1|y\n");
  /* A BOM later in the stream is not skipped either. */
  EXPECT_LOG(decode("data: a\n\n\xEF\xBB\xBF" "data: b\n\n"), "message||-1|1|a\n");
  /* A partial BOM is ordinary bytes: "\xEF" "data" is an unknown field. */
  const char *f2[] = {"\xEF", "data: x\n\ndata: y\n\n", NULL};
  EXPECT_LOG(decode_feeds(f2), "message||-1|1|y\n");
  const char *f3[] = {"\xEF\xBB", "\n", "data: y\n\n", NULL};
  EXPECT_LOG(decode_feeds(f3), "message||-1|1|y\n");
  /* A partial BOM that is the whole stream, then data with the BOM bytes inside. */
  EXPECT_LOG(decode("data: \xEF\xBB\xBF\n\n"), "message||-1|3|\\xef\\xbb\\xbf\n");
}

static void test_comments_and_fields(void **state) {
  EXPECT_LOG(decode(": this is a comment\n:\ndata: x\n: keep-alive\n\n: OPENROUTER PROCESSING\n\n"),
             "message||-1|1|x\n");
  /* Exactly one space after the colon is removed. */
  EXPECT_LOG(decode("data:  two\ndata:none\ndata: \tt\n\n"), "message||-1|12| two\\nnone\\n\\x09t\n");
  /* Unknown fields and a line of spaces (not blank: a field named "  ") are ignored. */
  EXPECT_LOG(decode("foo: bar\n  \ndata: x\nDATA: y\n\n"), "message||-1|1|x\n");
  /* A field without a colon has an empty value; "event" with no value is "message". */
  EXPECT_LOG(decode("event: a\nevent\ndata: x\n\n"), "message||-1|1|x\n");
  /* The event type is reset after each dispatch. */
  EXPECT_LOG(decode("event: a\ndata: 1\n\ndata: 2\n\n"), "a||-1|1|1\nmessage||-1|1|2\n");
  /* A colon in the value stays. */
  EXPECT_LOG(decode("data: a: b:c\n\n"), "message||-1|6|a: b:c\n");
  /* OpenAI's end marker is ordinary data. */
  EXPECT_LOG(decode("data: [DONE]\n\n"), "message||-1|6|[DONE]\n");
}

static void test_id_field(void **state) {
  /* The last event id persists across events until changed. */
  EXPECT_LOG(decode("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n"),
             "message|1|-1|1|a\nmessage|1|-1|1|b\nmessage|2|-1|1|c\n");
  /* "id" alone resets it to empty; an id in a block without data still counts. */
  EXPECT_LOG(decode("id: 7\ndata: a\n\nid\ndata: b\n\nid: 9\n\ndata: c\n\n"),
             "message|7|-1|1|a\nmessage||-1|1|b\nmessage|9|-1|1|c\n");
  /* An id containing NUL is ignored. */
  static const char s[] = "id: 5\ndata: a\n\nid: 6\0x\ndata: b\n\n";
  EXPECT_LOG(decode_pieces(s, sizeof s - 1, NULL), "message|5|-1|1|a\nmessage|5|-1|1|b\n");
}

static void test_retry_field(void **state) {
  EXPECT_LOG(decode("retry: 1500\ndata: a\n\ndata: b\n\n"), "message||1500|1|a\nmessage||-1|1|b\n");
  /* Only ASCII digits; anything else (or nothing) is ignored. */
  EXPECT_LOG(decode("retry: 12a\ndata: a\n\nretry:\ndata: b\n\nretry: -5\ndata: c\n\nretry:  7\ndata: d\n\n"),
             "message||-1|1|a\nmessage||-1|1|b\nmessage||-1|1|c\nmessage||-1|1|d\n");
  EXPECT_LOG(decode("retry: 0\ndata: a\n\nretry: 99999999999999999999999\ndata: b\n\n"),
             "message||0|1|a\nmessage||922337203685477580|1|b\n");
}

static void test_nul_and_binary_in_data(void **state) {
  static const char s[] = "data: a\0b\xff\n\n";
  EXPECT_LOG(decode_pieces(s, sizeof s - 1, NULL), "message||-1|4|a\\x00b\\xff\n");
}

static void test_unterminated_last_block_discarded(void **state) {
  EXPECT_LOG(decode("data: a\n\ndata: b\n"), "message||-1|1|a\n");
  EXPECT_LOG(decode("data: a\n\ndata: b"), "message||-1|1|a\n");
  EXPECT_LOG(decode("data: a\n\ndata: b\r"), "message||-1|1|a\n");
  EXPECT_LOG(decode(""), "");
  EXPECT_LOG(decode("\xEF\xBB"), "");
}

static void test_callback_error_stops(void **state) {
  collect_t c = {.stop_after = 2};
  gp_sse_t *d = gp__sse_new(collect_cb, &c);
  const char *s = "data: 1\n\ndata: 2\n\ndata: 3\n\n";
  assert_int_equal(gp__sse_feed(d, s, strlen(s)), GP_ERR_CANCELED);
  assert_int_equal(c.count, 2);
  /* Stopped for good. */
  assert_int_equal(gp__sse_feed(d, "data: 4\n\n", 9), GP_ERR_CANCELED);
  assert_int_equal(c.count, 2);
  gp__sse_finish(d);
  gp__sse_free(d);
  gp__buf_free(&c.log);
  gp__sse_free(NULL);
}

static void test_null_callback(void **state) {
  gp_sse_t *d = gp__sse_new(NULL, NULL);
  assert_int_equal(gp__sse_feed(d, "data: x\n\n", 9), 0);
  gp__sse_finish(d);
  gp__sse_free(d);
}

/* ---- Every split point --------------------------------------------------------------- */

/* A stream exercising every rule at once. */
static const char torture[] =
    "\xEF\xBB\xBF: hello\r\n"
    "event: message_start\r\n"
    "id: 1\r\n"
    "data: {\"a\":1}\r\n"
    "\r\n"
    "data: line1\r"
    "data:line2\r"
    "data\r"
    "\r"
    ":comment\n"
    "retry: 250\n"
    "id: 2\0z\n"
    "event: content_block_delta\n"
    "data: \xd0\xb8\xd0\xb7 \xe2\x80\xa8 x\n"
    "unknown: field\n"
    "\n"
    "event: ping\n"
    "\n"
    "data: last\n"
    "\n"
    "data: unterminated";

static void test_every_split_point(void **state) {
  size_t n = sizeof torture - 1;
  char *want = decode_pieces(torture, n, NULL);
  assert_string_equal(want,
                      "message_start|1|-1|7|{\"a\":1}\n"
                      "message|1|-1|12|line1\\nline2\\n\n"
                      "content_block_delta|1|250|10|\\xd0\\xb8\\xd0\\xb7 \\xe2\\x80\\xa8 x\n"
                      "message|1|-1|4|last\n");
  /* One split at every position. */
  for (size_t i = 0; i <= n; i++) {
    size_t cuts[] = {i, 0};
    char *got = decode_pieces(torture, n, i ? cuts : NULL);
    assert_string_equal(got, want);
    free(got);
  }
  /* Two splits at every pair of positions. */
  for (size_t i = 1; i < n; i++)
    for (size_t j = 1; i + j < n; j++) {
      size_t cuts[] = {i, j, 0};
      char *got = decode_pieces(torture, n, cuts);
      assert_string_equal(got, want);
      free(got);
    }
  /* One byte at a time, and a few fixed piece sizes. */
  for (size_t k = 1; k <= 7; k++) {
    size_t *cuts = calloc(n + 1, sizeof *cuts);
    for (size_t i = 0; i < n; i++) cuts[i] = k;
    char *got = decode_pieces(torture, n, cuts);
    assert_string_equal(got, want);
    free(got);
    free(cuts);
  }
  free(want);
}

/* ---- Size ------------------------------------------------------------------------- */

typedef struct {
  int count;
  size_t len;
  int content_ok;
} big_t;

static int big_cb(void *ud, const gp_sse_event_t *ev) {
  big_t *b = ud;
  b->count++;
  b->len = ev->data_len;
  b->content_ok = 1;
  for (size_t i = 0; i < ev->data_len; i++)
    if (ev->data[i] != (char)('a' + i % 26)) {
      b->content_ok = 0;
      break;
    }
  return 0;
}

static void test_20mb_event(void **state) {
  size_t n = (size_t)20 << 20;
  char *payload = malloc(n);
  for (size_t i = 0; i < n; i++) payload[i] = (char)('a' + i % 26);
  big_t b = {0};
  gp_sse_t *d = gp__sse_new(big_cb, &b);
  assert_int_equal(gp__sse_feed(d, "event: big\ndata: ", 17), 0);
  /* In curl-sized pieces. */
  for (size_t off = 0; off < n; off += 16384) {
    size_t k = n - off < 16384 ? n - off : 16384;
    assert_int_equal(gp__sse_feed(d, payload + off, k), 0);
  }
  assert_int_equal(gp__sse_feed(d, "\r\n\r\n", 4), 0);
  assert_int_equal(b.count, 1);
  assert_int_equal(b.len, n);
  assert_true(b.content_ok);
  /* And in one piece, as two data lines. */
  gp_buf_t s = {0};
  gp__buf_puts(&s, "data: ");
  gp__buf_append(&s, payload, n / 2);
  gp__buf_puts(&s, "\ndata: ");
  gp__buf_append(&s, payload + n / 2, n - n / 2);
  gp__buf_puts(&s, "\n\n");
  assert_int_equal(gp__sse_feed(d, s.data, s.len), 0);
  assert_int_equal(b.count, 2);
  assert_int_equal(b.len, n + 1);
  gp__sse_finish(d);
  gp__sse_free(d);
  gp__buf_free(&s);
  free(payload);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_sdk_basic_and_defaults),
      GP_TEST(test_event_without_data_is_not_dispatched),
      GP_TEST(test_sdk_multiple_data_lines),
      GP_TEST(test_sdk_escaped_newlines_and_special_chars),
      GP_TEST(test_sdk_multibyte_across_chunks),
      GP_TEST(test_sdk_line_decoder_cases),
      GP_TEST(test_line_ends_cr_lf_crlf),
      GP_TEST(test_bom),
      GP_TEST(test_comments_and_fields),
      GP_TEST(test_id_field),
      GP_TEST(test_retry_field),
      GP_TEST(test_nul_and_binary_in_data),
      GP_TEST(test_unterminated_last_block_discarded),
      GP_TEST(test_callback_error_stops),
      GP_TEST(test_null_callback),
      GP_TEST(test_every_split_point),
      GP_TEST(test_20mb_event),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
