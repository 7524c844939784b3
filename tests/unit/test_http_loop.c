// timeout: 300
/* The shared HTTP loop under load, against the real geppetto-mock on loopback: many
 * gp__http_stream calls from as many threads at once each get their own body; one
 * transfer among many can be canceled (measured: < 100 ms), time out idle, or be
 * stopped by its reader, and the others are unaffected; the process has exactly one
 * "gp-http" thread however many calls it made; and a request made from that thread (a
 * reader's own request) is refused instead of waiting for itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core.h"
#include "http/http.h"
#include "mock_server.h"
#include "testutil.h"

#define NREQ 200 /* distinct answers in the fixture */

/* ---- The fixture: one answer per request tag, plus the faulty ones ------------------- */

static char fixture_path[64];

/* The text the mock streams for request `i`: words only that request has. */
static char *answer_text(int i) {
  gp_buf_t b = {0};
  for (int w = 0; w < 8; w++) gp__buf_printf(&b, "%sr%d-w%d", w ? " " : "", i, w);
  return gp__buf_steal(&b);
}

static void write_fixture(void) {
  json_t *rs = json_array();
  /* The tag "<slow>" makes an answer take ~2 s (so it is still running when another is
   * canceled); "<stall>" sends one event and then nothing. */
  json_array_append_new(rs, json_pack("{s:{s:s},s:{s:s,s:i},s:i}", "match", "contains", "<stall>",
                                      "fault", "kind", "stall", "after_events", 1, "tokens", 20));
  for (int i = 0; i < NREQ; i++) {
    char tag[32], slow[48];
    snprintf(tag, sizeof tag, "<r%d>", i);
    snprintf(slow, sizeof slow, "<r%d><slow>", i);
    char *text = answer_text(i);
    json_array_append_new(rs, json_pack("{s:{s:s},s:s,s:i}", "match", "contains", slow, "text",
                                        text, "delay_ms", 250));
    json_array_append_new(rs, json_pack("{s:{s:s},s:s,s:i}", "match", "contains", tag, "text",
                                        text, "delay_ms", 5));
    free(text);
  }
  snprintf(fixture_path, sizeof fixture_path, "/tmp/gp-http-loop-XXXXXX");
  int fd = mkstemp(fixture_path);
  assert_true(fd >= 0);
  json_t *root = json_pack("{s:o}", "responses", rs);
  assert_int_equal(json_dumpfd(root, fd, 0), 0);
  close(fd);
  json_decref(root);
}

static gp_mock_t *start_mock(void) {
  write_fixture();
  const char *paths[] = {fixture_path};
  gp_mock_t *m = gp_mock_start(paths, 1);
  unlink(fixture_path);
  return m;
}

/* ---- One call on its own thread ----------------------------------------------------- */

typedef struct {
  /* In: */
  char url[128];
  char body[128];
  int idle_ms;
  int fail_after;               /* the reader refuses its Nth chunk (0: never) */
  gp_cancel_t *cancel;
  /* Out (read after join): */
  gp_sse_t *sse;
  gp_buf_t text;                /* the deltas' content, concatenated */
  atomic_int chunks;            /* on_data calls so far */
  int rc;
  gp_error_t *err;
  gp_error_t *cb_err;
  gp_http_response_t resp;
  _Atomic uint64_t end_ns;       /* when gp__http_stream returned; 0 before */
} call_t;

static int on_event(void *ud, const gp_sse_event_t *ev) {
  call_t *c = ud;
  json_t *j = json_loadb(ev->data, ev->data_len, 0, NULL);
  json_t *content = json_object_get(json_object_get(json_array_get(json_object_get(j, "choices"), 0), "delta"), "content");
  if (json_is_string(content)) gp__buf_puts(&c->text, json_string_value(content));
  json_decref(j);
  return 0;
}

static int on_data(void *ud, const char *data, size_t len) {
  call_t *c = ud;
  int n = atomic_fetch_add(&c->chunks, 1) + 1;
  if (c->fail_after && n >= c->fail_after) {
    c->cb_err = gp_error_new(GP_ERR_PROVIDER_STREAM, "reader %s refused chunk %d", c->body, n);
    return GP_ERR_PROVIDER_STREAM;
  }
  return gp__sse_feed(c->sse, data, len);
}

static void *call_main(void *arg) {
  call_t *c = arg;
  static const char *const headers[] = {"Content-Type: application/json", NULL};
  c->sse = gp__sse_new(on_event, c);
  gp_http_request_t req = {.url = c->url, .headers = headers, .body = c->body,
                           .body_len = strlen(c->body), .idle_timeout_ms = c->idle_ms,
                           .cancel = c->cancel, .on_data = on_data, .ud = c, .err = &c->cb_err};
  gp_retry_policy_t p = {.max_retries = 0, .base_backoff_ms = 10, .max_backoff_ms = 100};
  c->rc = gp__http_stream(&req, &p, &c->resp, &c->err);
  atomic_store(&c->end_ns, gp__mono_ns());
  return NULL;
}

static call_t *calls_new(gp_mock_t *m, int n, const char *extra) {
  call_t *cs = calloc((size_t)n, sizeof *cs);
  for (int i = 0; i < n; i++) {
    snprintf(cs[i].url, sizeof cs[i].url, "%s/v1/chat/completions", gp_mock_url(m));
    snprintf(cs[i].body, sizeof cs[i].body,
             "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"<r%d>%s\"}]}",
             i, extra);
  }
  return cs;
}

static void calls_start(call_t *cs, int n, pthread_t *th) {
  for (int i = 0; i < n; i++) assert_int_equal(pthread_create(&th[i], NULL, call_main, &cs[i]), 0);
}

static void calls_join(int n, pthread_t *th) {
  for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
}

/* Call i finished normally with its own answer and nothing else. */
static void assert_own_answer(call_t *c, int i) {
  if (c->rc) fprintf(stderr, "call %d: %s\n", i, c->err ? c->err->message : "?");
  assert_int_equal(c->rc, 0);
  assert_null(c->err);
  assert_int_equal(c->resp.status, 200);
  char *want = answer_text(i);
  assert_string_equal(c->text.data ? c->text.data : "", want);
  free(want);
}

static void calls_free(call_t *cs, int n) {
  for (int i = 0; i < n; i++) {
    gp__sse_free(cs[i].sse);
    gp__buf_free(&cs[i].text);
    gp_error_free(cs[i].err);
    gp_error_free(cs[i].cb_err);
    gp__http_response_clear(&cs[i].resp);
    gp_cancel_unref(cs[i].cancel);
  }
  free(cs);
}

/* Waits until every call has had a body byte (they are all under way). */
static int all_started(call_t *cs, int n, int64_t ms) {
  for (int64_t end = gp__mono_ms() + ms; gp__mono_ms() < end; usleep(2000)) {
    int k = 0;
    while (k < n && atomic_load(&cs[k].chunks) > 0) k++;
    if (k == n) return 1;
  }
  return 0;
}

/* ---- Cases ---------------------------------------------------------------------------- */

static void test_200_concurrent_calls_get_their_own_bodies(void **state) {
  gp_mock_t *m = start_mock();
  call_t *cs = calls_new(m, NREQ, "");
  pthread_t th[NREQ];
  calls_start(cs, NREQ, th);
  calls_join(NREQ, th);
  for (int i = 0; i < NREQ; i++) {
    assert_own_answer(&cs[i], i);
    assert_int_equal(cs[i].resp.attempts, 1);
    assert_string_equal(cs[i].resp.content_type, "text/event-stream");
  }
  calls_free(cs, NREQ);
  json_t *log = gp_mock_requests(m);
  assert_int_equal(json_array_size(log), NREQ);
  json_decref(log);
  gp_mock_stop(m);
}

static void test_cancel_one_among_100_running(void **state) {
  enum { N = 100 };
  gp_mock_t *m = start_mock();
  call_t *cs = calls_new(m, N, "<slow>");
  /* Call 0 is the one to cancel: a stream that stalls after its first event. */
  snprintf(cs[0].body, sizeof cs[0].body,
           "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"<stall>\"}]}");
  cs[0].cancel = gp_cancel_new(NULL);
  pthread_t th[N];
  calls_start(cs, N, th);
  assert_true(all_started(cs, N, 60000));
  usleep(100000); /* let the loop settle in its wait */
  uint64_t fired = gp__mono_ns();
  gp_cancel_fire(cs[0].cancel, GP_ERR_CANCELED);
  pthread_join(th[0], NULL);
  double ms = (double)(atomic_load(&cs[0].end_ns) - fired) / 1e6;
  int still_running = 0;
  for (int i = 1; i < N; i++) still_running += atomic_load(&cs[i].end_ns) == 0; /* for the report only */
  fprintf(stderr, "cancel among %d running transfers: %.3f ms\n", still_running, ms);
  assert_int_equal(cs[0].rc, GP_ERR_CANCELED);
  assert_non_null(strstr(cs[0].err->message, "canceled"));
  assert_true(ms < 100.0);
  calls_join(N - 1, th + 1);
  for (int i = 1; i < N; i++) assert_own_answer(&cs[i], i);
  calls_free(cs, N);
  gp_mock_stop(m);
}

static void test_idle_timeout_of_one_among_many(void **state) {
  enum { N = 50 };
  gp_mock_t *m = start_mock();
  call_t *cs = calls_new(m, N, "");
  snprintf(cs[0].body, sizeof cs[0].body,
           "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"<stall>\"}]}");
  for (int i = 0; i < N; i++) cs[i].idle_ms = i == 0 ? 300 : 20000;
  pthread_t th[N];
  int64_t t0 = gp__mono_ms();
  calls_start(cs, N, th);
  pthread_join(th[0], NULL);
  int64_t took = (int64_t)(atomic_load(&cs[0].end_ns) / 1000000) - t0;
  assert_int_equal(cs[0].rc, GP_ERR_TIMEOUT);
  assert_non_null(strstr(cs[0].err->message, "idle timeout"));
  assert_true(took >= 300);
  assert_true(took < 10000);
  assert_true(atomic_load(&cs[0].chunks) > 0); /* it had started */
  calls_join(N - 1, th + 1);
  for (int i = 1; i < N; i++) assert_own_answer(&cs[i], i);
  calls_free(cs, N);
  gp_mock_stop(m);
}

static void test_reader_error_stops_only_its_transfer(void **state) {
  enum { N = 50 };
  gp_mock_t *m = start_mock();
  call_t *cs = calls_new(m, N, "");
  cs[7].fail_after = 1;
  pthread_t th[N];
  calls_start(cs, N, th);
  calls_join(N, th);
  assert_int_equal(cs[7].rc, GP_ERR_PROVIDER_STREAM);
  assert_non_null(cs[7].err);
  assert_non_null(strstr(cs[7].err->message, "refused chunk 1"));
  assert_null(cs[7].cb_err); /* handed over to gp__http_stream's err */
  assert_int_equal(atomic_load(&cs[7].chunks), 1); /* no call after the refusal */
  for (int i = 0; i < N; i++)
    if (i != 7) assert_own_answer(&cs[i], i);
  calls_free(cs, N);
  gp_mock_stop(m);
}

/* A reader that makes a request of its own from the HTTP thread: refused at once (a wait
 * there would wait for the very thread that must serve it), and the outer call goes on. */
typedef struct {
  call_t call;
  char url[128];
  int inner_rc;
  gp_error_t *inner_err;
  int inner_calls;
} nested_t;

static int on_data_nested(void *ud, const char *data, size_t len) {
  nested_t *n = ud;
  if (n->inner_calls++ == 0) {
    gp_http_request_t req = {.url = n->url};
    gp_http_response_t resp;
    n->inner_rc = gp__http_stream(&req, NULL, &resp, &n->inner_err);
    gp__http_response_clear(&resp);
  }
  return on_data(&n->call, data, len);
}

static void test_request_from_the_http_thread_is_refused(void **state) {
  gp_mock_t *m = start_mock();
  call_t *cs = calls_new(m, 1, "");
  nested_t n = {.call = cs[0]};
  snprintf(n.url, sizeof n.url, "%s/v1/chat/completions", gp_mock_url(m));
  static const char *const headers[] = {"Content-Type: application/json", NULL};
  n.call.sse = gp__sse_new(on_event, &n.call);
  gp_http_request_t req = {.url = n.call.url, .headers = headers, .body = n.call.body,
                           .body_len = strlen(n.call.body), .on_data = on_data_nested, .ud = &n};
  n.call.rc = gp__http_stream(&req, NULL, &n.call.resp, &n.call.err);
  assert_int_equal(n.inner_rc, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(n.inner_err);
  assert_non_null(strstr(n.inner_err->message, "from the HTTP thread"));
  assert_own_answer(&n.call, 0);
  gp_error_free(n.inner_err);
  cs[0] = n.call;
  calls_free(cs, 1);
  gp_mock_stop(m);
}

/* The number of this process's threads named `name`. */
static int threads_named(const char *name) {
  DIR *d = opendir("/proc/self/task");
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.') continue;
    char path[300], comm[64] = "";
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    FILE *f = fopen(path, "r");
    if (!f) continue; /* the thread has just ended */
    if (fgets(comm, sizeof comm, f)) comm[strcspn(comm, "\n")] = '\0';
    fclose(f);
    n += strcmp(comm, name) == 0;
  }
  closedir(d);
  return n;
}

static void test_one_http_thread(void **state) {
  gp_mock_t *m = start_mock();
  /* Sequential calls from this thread, then bursts from fresh threads. */
  for (int round = 0; round < 3; round++) {
    call_t *cs = calls_new(m, 20, "");
    for (int i = 0; i < 20; i++) {
      call_main(&cs[i]);
      assert_own_answer(&cs[i], i);
    }
    calls_free(cs, 20);
    cs = calls_new(m, 40, "");
    pthread_t th[40];
    calls_start(cs, 40, th);
    calls_join(40, th);
    for (int i = 0; i < 40; i++) assert_own_answer(&cs[i], i);
    calls_free(cs, 40);
    assert_int_equal(threads_named("gp-http"), 1);
  }
  gp_mock_stop(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_200_concurrent_calls_get_their_own_bodies),
      GP_TEST(test_cancel_one_among_100_running),
      GP_TEST(test_idle_timeout_of_one_among_many),
      GP_TEST(test_reader_error_stops_only_its_transfer),
      GP_TEST(test_one_http_thread),
      GP_TEST(test_request_from_the_http_thread_is_refused),
  };
  /* Loopback must not go through a proxy from the environment. */
  setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
