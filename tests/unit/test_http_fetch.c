/* The asynchronous fetch transfer (gp_http_fetch_*, http.h) against a real server on
 * loopback: head then every body byte in order then one end; back-pressure (a reader
 * that consumes nothing holds the transfer near the high-water mark while the server's
 * sends block, and consuming resumes it to the last byte); abort mid-body ends it with
 * CANCELED within 100 ms; a refused connection ends with cause ECONNREFUSED and no head;
 * a non-2xx body is delivered like any other. (Stalled and reset servers: the fetch
 * tests of tests/js-net/, against a server that can do both.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "http/http.h"
#include "pattern_server.h"

#define KB ((size_t)1 << 10)
#define MB ((size_t)1 << 20)

/* What the callbacks saw (they run on the HTTP loop thread). */
typedef struct {
  atomic_int heads, ends, status;
  atomic_size_t received;          /* body bytes */
  atomic_size_t mismatches;
  int end_code;
  char cause[64];
  atomic_int order_bad;            /* a body piece before the head or after the end */
  atomic_llong end_ns;
} seen_t;

static void on_head(void *ud, const gp_http_fetch_head_t *h) {
  seen_t *s = ud;
  atomic_store(&s->status, h->status);
  atomic_fetch_add(&s->heads, 1);
}

static void on_body(void *ud, const char *data, size_t len) {
  seen_t *s = ud;
  if (atomic_load(&s->heads) != 1 || atomic_load(&s->ends) != 0) atomic_store(&s->order_bad, 1);
  size_t at = atomic_load(&s->received);
  for (size_t k = 0; k < len; k++)
    if (data[k] != pat_byte(at + k)) atomic_fetch_add(&s->mismatches, 1);
  atomic_store(&s->received, at + len);
}

static void on_end(void *ud, const gp_http_fetch_end_t *end) {
  seen_t *s = ud;
  s->end_code = end->code;
  snprintf(s->cause, sizeof s->cause, "%s", end->cause ? end->cause : "");
  atomic_store(&s->end_ns, (long long)gp__mono_ns());
  atomic_fetch_add(&s->ends, 1);
}

static gp_http_fetch_t *start(const char *url, seen_t *s, size_t high_water, int64_t idle_ms) {
  gp_http_fetch_req_t r = {.url = url, .high_water = high_water, .idle_timeout_ms = idle_ms,
                           .on_head = on_head, .on_body = on_body, .on_end = on_end, .ud = s};
  gp_error_t *err = NULL;
  gp_http_fetch_t *f = gp__http_fetch_start(&r, &err);
  if (!f) fprintf(stderr, "start failed: %s\n", err ? err->message : "?");
  assert_non_null(f);
  return f;
}

static void wait_end(seen_t *s, int ms) {
  for (int i = 0; i < ms && atomic_load(&s->ends) == 0; i++) usleep(1000);
  assert_int_equal(atomic_load(&s->ends), 1);
}

static void test_whole_body(void **state) {
  (void)state;
  srv_t *srv = srv_start();
  char url[160];
  snprintf(url, sizeof url, "%s/pattern?size=%zu&chunk=%zu", srv->url, 3 * MB + 17, (size_t)5000);
  seen_t s = {0};
  gp_http_fetch_t *f = start(url, &s, 0, 0);
  /* consume everything as it comes, from this thread */
  size_t consumed = 0;
  while (atomic_load(&s.ends) == 0) {
    size_t r = atomic_load(&s.received);
    if (r > consumed) gp__http_fetch_consumed(f, r - consumed), consumed = r;
    usleep(200);
  }
  assert_int_equal(s.end_code, 0);
  assert_int_equal(atomic_load(&s.heads), 1);
  assert_int_equal(atomic_load(&s.status), 200);
  assert_int_equal(atomic_load(&s.received), 3 * MB + 17);
  assert_int_equal(atomic_load(&s.mismatches), 0);
  assert_int_equal(atomic_load(&s.order_bad), 0);
  gp__http_fetch_release(f);
  srv_stop(srv);
}

static void test_backpressure(void **state) {
  (void)state;
  srv_t *srv = srv_start();
  char url[160];
  snprintf(url, sizeof url, "%s/pattern?size=%zu&chunk=%zu", srv->url, 64 * MB, (size_t)16384);
  seen_t s = {0};
  gp_http_fetch_t *f = start(url, &s, 256 * KB, 200);
  /* nobody consumes: delivery stops near the mark, and stays stopped past the idle
   * timeout (a paused transfer waits for its reader, not for the server) */
  usleep(600 * 1000);
  size_t held = atomic_load(&s.received);
  long long produced = atomic_load(&srv->produced);
  usleep(300 * 1000);
  assert_int_equal(atomic_load(&s.ends), 0);
  assert_true(held >= 256 * KB && held < 256 * KB + 256 * KB);
  assert_int_equal(atomic_load(&s.received), held);
  /* the server is held too: its sends block once the socket buffers are full */
  assert_true(atomic_load(&srv->produced) - produced < (long long)MB);
  assert_true(produced < 32 * (long long)MB);
  /* consuming resumes it, to the last byte */
  size_t consumed = 0;
  while (atomic_load(&s.ends) == 0) {
    size_t r = atomic_load(&s.received);
    if (r > consumed) gp__http_fetch_consumed(f, r - consumed), consumed = r;
    usleep(100);
  }
  assert_int_equal(s.end_code, 0);
  assert_int_equal(atomic_load(&s.received), 64 * MB);
  assert_int_equal(atomic_load(&s.mismatches), 0);
  gp__http_fetch_release(f);
  srv_stop(srv);
}

static void test_abort_mid_body(void **state) {
  (void)state;
  srv_t *srv = srv_start();
  char url[160];
  snprintf(url, sizeof url, "%s/pattern?size=%zu", srv->url, 64 * MB);
  seen_t s = {0};
  gp_http_fetch_t *f = start(url, &s, 128 * KB, 0);
  for (int i = 0; i < 2000 && atomic_load(&s.received) == 0; i++) usleep(1000);
  assert_true(atomic_load(&s.received) > 0);
  long long t0 = (long long)gp__mono_ns();
  gp__http_fetch_abort(f);
  wait_end(&s, 1000);
  assert_int_equal(s.end_code, GP_ERR_CANCELED);
  assert_true(atomic_load(&s.end_ns) - t0 < 100 * 1000000LL);
  gp__http_fetch_abort(f); /* after the end: nothing happens */
  gp__http_fetch_release(f);
  srv_stop(srv);
}

static void test_refused(void **state) {
  (void)state;
  srv_t *srv = srv_start();
  char url[160];
  snprintf(url, sizeof url, "%s/pattern", srv->url);
  srv_stop(srv); /* the port is closed now */
  seen_t s = {0};
  gp_http_fetch_t *f = start(url, &s, 0, 0);
  wait_end(&s, 5000);
  assert_int_equal(s.end_code, GP_ERR_IO);
  assert_string_equal(s.cause, "ECONNREFUSED");
  assert_int_equal(atomic_load(&s.heads), 0);
  gp__http_fetch_release(f);
}

static void test_not_found_body(void **state) {
  (void)state;
  srv_t *srv = srv_start();
  char url[160];
  snprintf(url, sizeof url, "%s/nothing", srv->url);
  seen_t s = {0};
  gp_http_fetch_t *f = start(url, &s, 0, 0);
  wait_end(&s, 5000);
  assert_int_equal(s.end_code, 0);
  assert_int_equal(atomic_load(&s.status), 404);
  assert_int_equal(atomic_load(&s.received), 9); /* "not found" */
  gp__http_fetch_release(f);
  srv_stop(srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_whole_body),     cmocka_unit_test(test_backpressure),
      cmocka_unit_test(test_abort_mid_body), cmocka_unit_test(test_refused),
      cmocka_unit_test(test_not_found_body),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
