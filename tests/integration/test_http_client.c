// timeout: 180
/* HTTP client against a real server on loopback (libmicrohttpd, a thread per
 * connection so a response can stall or break on cue): streaming order, error bodies,
 * retries and Retry-After, connection failures, resets mid-body, idle and total
 * timeouts, the size limit, cancellation within 100 ms (measured), on_data stopping the
 * transfer, and no header value in any error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "http/http.h"
#include "testutil.h"

#define SENTINEL "sk-SENTINEL"

/* ---- The server ------------------------------------------------------------------ */

typedef struct srv_s {
  struct MHD_Daemon *d;
  char url[64];                 /* "http://127.0.0.1:PORT" */
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int released;                 /* stalled responses may end (guarded by lock) */
  atomic_int hits;              /* requests received */
  int64_t hit_ms[8];            /* monotonic time of each of the first requests (lock) */
  char auth_seen[128];          /* the last Authorization header received (lock) */
  char expect_seen[64];         /* the last Expect header received (lock) */
} srv_t;

typedef enum { BODY_CHUNKS, BODY_STALL, BODY_RESET, BODY_DROP, BODY_BIG, BODY_SSE } body_kind_t;

typedef struct {
  srv_t *srv;
  body_kind_t kind;
  int pos;
} body_t;

/* Per request: its number and the request body received so far. */
typedef struct {
  int hit;
  gp_buf_t upload;
} req_ctx_t;

static const char sse_stream[] =
    ": keep-alive\r\n\r\nevent: message_start\r\ndata: {\"a\":1}\r\n\r\n"
    "data: one\rdata: two\r\rid: 5\ndata: [DONE]\n\n";

static ssize_t body_reader(void *cls, uint64_t pos, char *buf, size_t max) {
  body_t *b = cls;
  switch (b->kind) {
    case BODY_CHUNKS:
      if (b->pos == 10) return MHD_CONTENT_READER_END_OF_STREAM;
      if (b->pos > 0) usleep(5000);
      return snprintf(buf, max, "chunk-%d\n", b->pos++);
    case BODY_STALL:
      if (b->pos++ == 0) return snprintf(buf, max, "first\n");
      pthread_mutex_lock(&b->srv->lock);
      for (int64_t end = gp__mono_ms() + 20000; !b->srv->released && gp__mono_ms() < end;) {
        struct timespec ts;
        gp__timespec_in(&ts, CLOCK_REALTIME, 50);
        pthread_cond_timedwait(&b->srv->cond, &b->srv->lock, &ts);
      }
      pthread_mutex_unlock(&b->srv->lock);
      return MHD_CONTENT_READER_END_OF_STREAM;
    case BODY_RESET:
      if (b->pos++ == 0) return snprintf(buf, max, "partial-data\n");
      usleep(50000);
      return MHD_CONTENT_READER_END_WITH_ERROR;
    case BODY_DROP: /* headers went out; the connection breaks before any body byte */
      usleep(20000);
      return MHD_CONTENT_READER_END_WITH_ERROR;
    case BODY_BIG:
      if (pos >= ((uint64_t)50 << 20)) return MHD_CONTENT_READER_END_OF_STREAM;
      memset(buf, 'x', max);
      return (ssize_t)max;
    case BODY_SSE: {
      /* 7 bytes at a time: splits CRLFs, fields and events. */
      size_t n = sizeof sse_stream - 1;
      if (pos >= n) return MHD_CONTENT_READER_END_OF_STREAM;
      size_t k = n - pos < 7 ? n - pos : 7;
      memcpy(buf, sse_stream + pos, k);
      usleep(1000);
      return (ssize_t)k;
    }
  }
  return MHD_CONTENT_READER_END_WITH_ERROR;
}

static enum MHD_Result respond(struct MHD_Connection *conn, int status, struct MHD_Response *r,
                               const char *ctype) {
  if (ctype) MHD_add_response_header(r, "Content-Type", ctype);
  enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result respond_text(struct MHD_Connection *conn, int status, const char *text,
                                    const char *hname, const char *hvalue) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
  if (hname) MHD_add_response_header(r, hname, hvalue);
  return respond(conn, status, r, "application/json");
}

static enum MHD_Result respond_stream(srv_t *s, struct MHD_Connection *conn, body_kind_t kind,
                                      const char *ctype) {
  body_t *b = calloc(1, sizeof *b);
  b->srv = s;
  b->kind = kind;
  struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, body_reader, b, free);
  return respond(conn, 200, r, ctype);
}

static enum MHD_Result route(srv_t *s, struct MHD_Connection *conn, const char *url, req_ctx_t *rc) {
  int hit = rc->hit;
  if (strcmp(url, "/chunks") == 0) return respond_stream(s, conn, BODY_CHUNKS, "text/event-stream");
  if (strcmp(url, "/stall") == 0) return respond_stream(s, conn, BODY_STALL, "text/plain");
  if (strcmp(url, "/reset") == 0) return respond_stream(s, conn, BODY_RESET, "text/plain");
  if (strcmp(url, "/big") == 0) return respond_stream(s, conn, BODY_BIG, "text/plain");
  if (strcmp(url, "/sse") == 0) return respond_stream(s, conn, BODY_SSE, "text/event-stream");
  if (strcmp(url, "/drop-then-200") == 0)
    return hit == 1 ? respond_stream(s, conn, BODY_DROP, "text/plain")
                    : respond_text(conn, 200, "ok", NULL, NULL);
  if (strcmp(url, "/401") == 0)
    return respond_text(conn, 401, "{\"error\":{\"message\":\"invalid x-api-key\"}}", NULL, NULL);
  if (strcmp(url, "/429-then-200") == 0)
    return hit == 1 ? respond_text(conn, 429, "{\"error\":\"rate\"}", "Retry-After", "1")
                    : respond_text(conn, 200, "ok", NULL, NULL);
  if (strcmp(url, "/503ms-then-200") == 0)
    return hit == 1 ? respond_text(conn, 503, "busy", "retry-after-ms", "200")
                    : respond_text(conn, 200, "ok", NULL, NULL);
  if (strcmp(url, "/500-always") == 0) return respond_text(conn, 500, "down", NULL, NULL);
  if (strcmp(url, "/503-wait-10s") == 0) return respond_text(conn, 503, "busy", "Retry-After", "10");
  if (strcmp(url, "/big-error") == 0) {
    size_t n = (size_t)1 << 20;
    char *text = malloc(n + 1);
    memset(text, 'e', n);
    text[n] = '\0';
    enum MHD_Result ret = respond_text(conn, 400, text, NULL, NULL);
    free(text);
    return ret;
  }
  if (strcmp(url, "/echo") == 0) {
    struct MHD_Response *r = MHD_create_response_from_buffer(
        rc->upload.len, rc->upload.len ? rc->upload.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    return respond(conn, 200, r, "application/octet-stream");
  }
  return respond_text(conn, 404, "not found", NULL, NULL);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **con_cls) {
  srv_t *s = cls;
  req_ctx_t *rc = *con_cls;
  if (!rc) {
    rc = calloc(1, sizeof *rc);
    rc->hit = atomic_fetch_add(&s->hits, 1) + 1;
    pthread_mutex_lock(&s->lock);
    if (rc->hit <= 8) s->hit_ms[rc->hit - 1] = gp__mono_ms();
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    snprintf(s->auth_seen, sizeof s->auth_seen, "%s", auth ? auth : "");
    const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
    snprintf(s->expect_seen, sizeof s->expect_seen, "%s", expect ? expect : "");
    pthread_mutex_unlock(&s->lock);
    *con_cls = rc;
    return MHD_YES;
  }
  if (*upload_size) {
    gp__buf_append(&rc->upload, upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  return route(s, conn, url, rc);
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  req_ctx_t *rc = *con_cls;
  if (!rc) return;
  gp__buf_free(&rc->upload);
  free(rc);
  *con_cls = NULL;
}

static srv_t *srv_start(void) {
  srv_t *s = calloc(1, sizeof *s);
  pthread_mutex_init(&s->lock, NULL);
  pthread_cond_init(&s->cond, NULL);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                          NULL, handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                          MHD_OPTION_NOTIFY_COMPLETED, request_done, NULL, MHD_OPTION_END);
  assert_non_null(s->d);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  assert_non_null(info);
  snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", (unsigned)info->port);
  return s;
}

static void srv_release(srv_t *s) {
  pthread_mutex_lock(&s->lock);
  s->released = 1;
  pthread_cond_broadcast(&s->cond);
  pthread_mutex_unlock(&s->lock);
}

static void srv_stop(srv_t *s) {
  srv_release(s);
  MHD_stop_daemon(s->d);
  pthread_mutex_destroy(&s->lock);
  pthread_cond_destroy(&s->cond);
  free(s);
}

static int64_t srv_hit_ms(srv_t *s, int i) {
  pthread_mutex_lock(&s->lock);
  int64_t t = s->hit_ms[i];
  pthread_mutex_unlock(&s->lock);
  return t;
}

/* ---- Client-side helpers -------------------------------------------------------- */

static const char *const secret_headers[] = {"Authorization: Bearer " SENTINEL,
                                             "x-api-key: " SENTINEL "-2",
                                             "Content-Type: application/json", NULL};

typedef struct {
  gp_buf_t body;
  atomic_int calls;
  atomic_int got_first;     /* a body byte arrived */
  int fail_after;           /* return an error from the Nth call (0: never) */
  gp_error_t **err;
} sink_t;

static int sink_cb(void *ud, const char *data, size_t len) {
  sink_t *k = ud;
  gp__buf_append(&k->body, data, len);
  int n = atomic_fetch_add(&k->calls, 1) + 1;
  atomic_store(&k->got_first, 1);
  if (k->fail_after && n >= k->fail_after) {
    if (k->err) *k->err = gp_error_new(GP_ERR_PROVIDER_STREAM, "the reader refused chunk %d", n);
    return GP_ERR_PROVIDER_STREAM;
  }
  return 0;
}

static char url_buf[256];
static const char *url(srv_t *s, const char *path) {
  snprintf(url_buf, sizeof url_buf, "%s%s", s->url, path);
  return url_buf;
}

static gp_http_request_t make_req(const char *u, sink_t *k) {
  gp_http_request_t r = {.method = "POST", .url = u, .headers = secret_headers,
                         .body = "{\"q\":1}", .body_len = 7, .on_data = sink_cb, .ud = k};
  return r;
}

static gp_retry_policy_t fast_policy(int retries) {
  gp_retry_policy_t p = {.max_retries = retries, .base_backoff_ms = 10, .max_backoff_ms = 5000};
  return p;
}

/* Fails the test if the sentinel appears in the error or the response's strings. */
static void assert_no_secret(const gp_error_t *err, const gp_http_response_t *resp) {
  if (err && getenv("GP_TEST_SHOW")) fprintf(stderr, "  err: %s: %s\n", gp_err_name(err->code), err->message);
  if (err) assert_null(strcasestr(err->message, "SENTINEL"));
  if (resp->content_type) assert_null(strcasestr(resp->content_type, "SENTINEL"));
  if (resp->error_body) assert_null(strcasestr(resp->error_body, "SENTINEL"));
}

/* A loopback port nothing listens on. */
static int closed_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  close(fd);
  return ntohs(a.sin_port);
}

/* ---- Cases -------------------------------------------------------------------------- */

static void test_stream_in_order(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/chunks"), &k);
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  assert_int_equal(gp__http_stream(&req, NULL, &resp, &err), 0);
  assert_null(err);
  assert_int_equal(resp.status, 200);
  assert_int_equal(resp.attempts, 1);
  assert_string_equal(resp.content_type, "text/event-stream");
  assert_null(resp.error_body);
  gp_buf_t want = {0};
  for (int i = 0; i < 10; i++) gp__buf_printf(&want, "chunk-%d\n", i);
  assert_string_equal(k.body.data, want.data);
  assert_int_equal(resp.body_bytes, want.len);
  assert_true(atomic_load(&k.calls) > 1); /* delivered as it came, not at the end */
  gp__buf_free(&want);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

typedef struct {
  gp_buf_t log;
} sse_log_t;

static int sse_log_cb(void *ud, const gp_sse_event_t *ev) {
  sse_log_t *l = ud;
  gp__buf_printf(&l->log, "%s|%s|%.*s\n", ev->type, ev->id, (int)ev->data_len, ev->data);
  return 0;
}

static int sse_feed_cb(void *ud, const char *data, size_t len) { return gp__sse_feed(ud, data, len); }

static void test_sse_over_http(void **state) {
  srv_t *s = srv_start();
  sse_log_t l = {0};
  gp_sse_t *d = gp__sse_new(sse_log_cb, &l);
  gp_http_request_t req = {.method = "GET", .url = url(s, "/sse"), .on_data = sse_feed_cb, .ud = d};
  gp_http_response_t resp;
  assert_int_equal(gp__http_stream(&req, NULL, &resp, NULL), 0);
  gp__sse_finish(d);
  assert_string_equal(l.log.data, "message_start||{\"a\":1}\nmessage||one\ntwo\nmessage|5|[DONE]\n");
  gp__sse_free(d);
  gp__buf_free(&l.log);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_post_body_and_headers_sent(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/echo"), &k);
  gp_http_response_t resp;
  assert_int_equal(gp__http_stream(&req, NULL, &resp, NULL), 0);
  assert_int_equal(resp.status, 200);
  assert_string_equal(k.body.data, "{\"q\":1}");
  pthread_mutex_lock(&s->lock);
  assert_string_equal(s->auth_seen, "Bearer " SENTINEL);
  pthread_mutex_unlock(&s->lock);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  /* A large body arrives whole, sent without a 100-continue round trip. */
  size_t n = (size_t)3 << 20;
  char *big = malloc(n);
  for (size_t i = 0; i < n; i++) big[i] = (char)('a' + i % 23);
  req.body = big;
  req.body_len = n;
  sink_t k2 = {0};
  req.ud = &k2;
  assert_int_equal(gp__http_stream(&req, NULL, &resp, NULL), 0);
  assert_int_equal(k2.body.len, n);
  assert_memory_equal(k2.body.data, big, n);
  pthread_mutex_lock(&s->lock);
  assert_string_equal(s->expect_seen, "");
  pthread_mutex_unlock(&s->lock);
  free(big);
  gp__buf_free(&k2.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_error_body_captured_401_not_retried(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/401"), &k);
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  gp_retry_policy_t p = fast_policy(3);
  assert_int_equal(gp__http_stream(&req, &p, &resp, &err), 0);
  assert_null(err);
  assert_int_equal(resp.status, 401);
  assert_int_equal(resp.attempts, 1);
  assert_int_equal(atomic_load(&s->hits), 1);
  assert_string_equal(resp.error_body, "{\"error\":{\"message\":\"invalid x-api-key\"}}");
  assert_string_equal(resp.content_type, "application/json");
  assert_int_equal(resp.body_bytes, 0);
  assert_int_equal(atomic_load(&k.calls), 0); /* on_data sees 2xx bodies only */
  assert_int_equal(resp.retry_after_ms, -1);
  assert_no_secret(err, &resp);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_error_body_capped(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/big-error"), &k);
  gp_http_response_t resp;
  assert_int_equal(gp__http_stream(&req, NULL, &resp, NULL), 0);
  assert_int_equal(resp.status, 400);
  assert_int_equal(strlen(resp.error_body), 64 << 10);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_429_retry_after_then_200(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/429-then-200"), &k);
  gp_http_response_t resp;
  gp_retry_policy_t p = fast_policy(3);
  assert_int_equal(gp__http_stream(&req, &p, &resp, NULL), 0);
  assert_int_equal(resp.status, 200);
  assert_int_equal(resp.attempts, 2);
  assert_null(resp.error_body); /* the 429's body is gone with its attempt */
  assert_string_equal(k.body.data, "ok");
  int64_t gap = srv_hit_ms(s, 1) - srv_hit_ms(s, 0);
  assert_true(gap >= 950); /* "Retry-After: 1", not the 10 ms base backoff */
  assert_true(gap < 5000);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_retry_after_ms_then_200(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/503ms-then-200"), &k);
  gp_http_response_t resp;
  gp_retry_policy_t p = fast_policy(3);
  assert_int_equal(gp__http_stream(&req, &p, &resp, NULL), 0);
  assert_int_equal(resp.status, 200);
  assert_int_equal(resp.attempts, 2);
  int64_t gap = srv_hit_ms(s, 1) - srv_hit_ms(s, 0);
  assert_true(gap >= 190);
  assert_true(gap < 3000);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_retries_exhausted_returns_last_status(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/500-always"), &k);
  gp_http_response_t resp;
  gp_retry_policy_t p = fast_policy(2);
  assert_int_equal(gp__http_stream(&req, &p, &resp, NULL), 0);
  assert_int_equal(resp.status, 500);
  assert_int_equal(resp.attempts, 3);
  assert_int_equal(atomic_load(&s->hits), 3);
  assert_string_equal(resp.error_body, "down");
  gp__http_response_clear(&resp);
  /* A Retry-After that would outlast the total timeout ends the retries early. */
  req.url = url(s, "/503-wait-10s");
  req.total_timeout_ms = 2000;
  p.max_backoff_ms = 30000;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp__http_stream(&req, &p, &resp, NULL), 0);
  assert_int_equal(resp.status, 503);
  assert_int_equal(resp.attempts, 1);
  assert_int_equal(resp.retry_after_ms, 10000);
  assert_true(gp__mono_ms() - t0 < 1500);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_connection_refused_retried_then_io(void **state) {
  char u[64];
  snprintf(u, sizeof u, "http://127.0.0.1:%d/x?key=" SENTINEL, closed_port());
  sink_t k = {0};
  gp_http_request_t req = make_req(u, &k);
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  gp_retry_policy_t p = fast_policy(2);
  assert_int_equal(gp__http_stream(&req, &p, &resp, &err), GP_ERR_IO);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_IO);
  assert_int_equal(resp.attempts, 3);
  assert_int_equal(resp.status, 0);
  assert_non_null(strstr(err->message, "127.0.0.1"));
  assert_no_secret(err, &resp);
  gp_error_free(err);
  gp__http_response_clear(&resp);
}

static void test_reset_mid_body_not_retried(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/reset"), &k);
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  gp_retry_policy_t p = fast_policy(3);
  assert_int_equal(gp__http_stream(&req, &p, &resp, &err), GP_ERR_IO);
  assert_int_equal(err->code, GP_ERR_IO);
  assert_int_equal(resp.attempts, 1);
  assert_int_equal(resp.status, 200);
  assert_string_equal(k.body.data, "partial-data\n");
  assert_int_equal(resp.body_bytes, 13);
  assert_no_secret(err, &resp);
  gp_error_free(err);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_reset_before_body_retried(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/drop-then-200"), &k);
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  gp_retry_policy_t p = fast_policy(3);
  assert_int_equal(gp__http_stream(&req, &p, &resp, &err), 0);
  assert_null(err);
  assert_int_equal(resp.attempts, 2);
  assert_int_equal(resp.status, 200);
  assert_string_equal(k.body.data, "ok");
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_idle_timeout(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/stall"), &k);
  req.idle_timeout_ms = 300;
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp__http_stream(&req, NULL, &resp, &err), GP_ERR_TIMEOUT);
  int64_t took = gp__mono_ms() - t0;
  assert_true(took >= 290);
  assert_true(took < 3000);
  assert_non_null(strstr(err->message, "idle"));
  assert_int_equal(resp.attempts, 1);
  assert_string_equal(k.body.data, "first\n");
  assert_no_secret(err, &resp);
  gp_error_free(err);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_total_timeout(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/stall"), &k);
  req.total_timeout_ms = 400;
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  int64_t t0 = gp__mono_ms();
  assert_int_equal(gp__http_stream(&req, NULL, &resp, &err), GP_ERR_TIMEOUT);
  int64_t took = gp__mono_ms() - t0;
  assert_true(took >= 390 && took < 3000);
  assert_non_null(strstr(err->message, "total timeout"));
  gp_error_free(err);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_size_limit(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/big"), &k);
  req.max_response_bytes = 100000;
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  gp_retry_policy_t p = fast_policy(3);
  assert_int_equal(gp__http_stream(&req, &p, &resp, &err), GP_ERR_RESPONSE_TOO_LARGE);
  assert_int_equal(err->code, GP_ERR_RESPONSE_TOO_LARGE);
  assert_true(resp.body_bytes <= 100000);
  assert_int_equal(k.body.len, resp.body_bytes);
  assert_int_equal(resp.attempts, 1);
  assert_no_secret(err, &resp);
  gp_error_free(err);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_on_data_error_stops(void **state) {
  srv_t *s = srv_start();
  gp_error_t *cb_err = NULL;
  sink_t k = {.fail_after = 1, .err = &cb_err};
  gp_http_request_t req = make_req(url(s, "/chunks"), &k);
  req.err = &cb_err;
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  gp_retry_policy_t p = fast_policy(3);
  assert_int_equal(gp__http_stream(&req, &p, &resp, &err), GP_ERR_PROVIDER_STREAM);
  assert_non_null(err);
  assert_string_equal(err->message, "the reader refused chunk 1");
  assert_null(cb_err); /* moved into err */
  assert_int_equal(atomic_load(&k.calls), 1);
  assert_int_equal(resp.attempts, 1);
  gp_error_free(err);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  /* Without an error from the callback, a message naming the code. */
  sink_t k2 = {.fail_after = 2};
  req.ud = &k2;
  req.err = NULL;
  err = NULL;
  assert_int_equal(gp__http_stream(&req, &p, &resp, &err), GP_ERR_PROVIDER_STREAM);
  assert_non_null(err);
  assert_int_equal(err->code, GP_ERR_PROVIDER_STREAM);
  assert_int_equal(atomic_load(&k2.calls), 2);
  gp_error_free(err);
  gp__buf_free(&k2.body);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

/* Fires the token once the body has started and the transfer has sat idle a while;
 * records when it fired. */
typedef struct {
  gp_cancel_t *cancel;
  sink_t *sink;
  srv_t *srv;
  int reason;
  int wait_hits;            /* instead of a first body byte, wait for this many requests */
  uint64_t fired_ns;
} canceller_t;

static void *canceller(void *arg) {
  canceller_t *c = arg;
  for (int i = 0; i < 20000; i++) {
    if (c->wait_hits ? atomic_load(&c->srv->hits) >= c->wait_hits : atomic_load(&c->sink->got_first)) break;
    usleep(1000);
  }
  usleep(200000); /* let the client settle in its wait */
  c->fired_ns = gp__mono_ns();
  gp_cancel_fire(c->cancel, c->reason);
  return NULL;
}

static uint64_t cancel_run(srv_t *s, const char *path, int reason, int wait_hits, int *rc_out) {
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, path), &k);
  gp_cancel_t *cancel = gp_cancel_new(NULL);
  req.cancel = cancel;
  canceller_t c = {.cancel = cancel, .sink = &k, .srv = s, .reason = reason, .wait_hits = wait_hits};
  pthread_t th;
  pthread_create(&th, NULL, canceller, &c);
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  gp_retry_policy_t p = {.max_retries = 3, .base_backoff_ms = 10, .max_backoff_ms = 30000};
  *rc_out = gp__http_stream(&req, &p, &resp, &err);
  uint64_t end = gp__mono_ns();
  pthread_join(th, NULL);
  assert_non_null(err);
  assert_int_equal(err->code, *rc_out);
  assert_int_equal(resp.attempts, 1);
  assert_no_secret(err, &resp);
  gp_error_free(err);
  gp__buf_free(&k.body);
  gp__http_response_clear(&resp);
  gp_cancel_unref(cancel);
  return end - c.fired_ns;
}

static void test_cancel_stalled_body_within_100ms(void **state) {
  srv_t *s = srv_start();
  uint64_t worst = 0;
  for (int i = 0; i < 5; i++) {
    int rc;
    uint64_t ns = cancel_run(s, "/stall", GP_ERR_CANCELED, 0, &rc);
    assert_int_equal(rc, GP_ERR_CANCELED);
    if (ns > worst) worst = ns;
  }
  /* The token's reason is what comes back. */
  int rc;
  uint64_t ns = cancel_run(s, "/stall", GP_ERR_TIMEOUT, 0, &rc);
  assert_int_equal(rc, GP_ERR_TIMEOUT);
  if (ns > worst) worst = ns;
  fprintf(stderr, "cancel of a stalled body: worst %.3f ms over 6 runs\n", (double)worst / 1e6);
  assert_true(worst < 100 * 1000000ull);
  srv_stop(s);
}

static void test_cancel_during_backoff(void **state) {
  srv_t *s = srv_start();
  int rc;
  uint64_t ns = cancel_run(s, "/503-wait-10s", GP_ERR_CANCELED, 1, &rc);
  assert_int_equal(rc, GP_ERR_CANCELED);
  fprintf(stderr, "cancel during a 10 s backoff: %.3f ms\n", (double)ns / 1e6);
  assert_true(ns < 100 * 1000000ull);
  assert_int_equal(atomic_load(&s->hits), 1);
  srv_stop(s);
}

static void test_already_canceled(void **state) {
  srv_t *s = srv_start();
  sink_t k = {0};
  gp_http_request_t req = make_req(url(s, "/chunks"), &k);
  req.cancel = gp_cancel_new(NULL);
  gp_cancel_fire(req.cancel, GP_ERR_CANCELED);
  gp_http_response_t resp;
  gp_error_t *err = NULL;
  assert_int_equal(gp__http_stream(&req, NULL, &resp, &err), GP_ERR_CANCELED);
  assert_int_equal(atomic_load(&s->hits), 0);
  gp_error_free(err);
  gp_cancel_unref(req.cancel);
  gp__http_response_clear(&resp);
  srv_stop(s);
}

static void test_no_secret_in_any_error(void **state) {
  srv_t *s = srv_start();
  const char *paths[] = {"/401", "/reset", "/stall", "/big", "/500-always", "/nowhere", NULL};
  for (const char **path = paths; *path; path++) {
    sink_t k = {0};
    char u[128];
    snprintf(u, sizeof u, "%s%s?api_key=" SENTINEL, s->url, *path);
    gp_http_request_t req = make_req(u, &k);
    req.idle_timeout_ms = 200;
    req.max_response_bytes = 50000;
    gp_http_response_t resp;
    gp_error_t *err = NULL;
    gp_retry_policy_t p = fast_policy(1);
    int rc = gp__http_stream(&req, &p, &resp, &err);
    if (rc) assert_non_null(err);
    assert_no_secret(err, &resp);
    gp_error_free(err);
    gp__buf_free(&k.body);
    gp__http_response_clear(&resp);
  }
  pthread_mutex_lock(&s->lock);
  assert_non_null(strstr(s->auth_seen, SENTINEL)); /* the header was really sent */
  pthread_mutex_unlock(&s->lock);
  srv_stop(s);
  /* A malformed URL and unsupported schemes, one of which curl quotes (lowercased) in
   * its message: the header value it matches is scrubbed all the same. */
  const char *const headers[] = {"Authorization: Bearer " SENTINEL, "X-Key: SENTINELproto", NULL};
  const char *bad[] = {"ftp://127.0.0.1/?k=" SENTINEL, "http://exa mple.com/?k=" SENTINEL,
                       "SENTINELproto://127.0.0.1/", NULL};
  for (const char **b = bad; *b; b++) {
    sink_t k = {0};
    gp_http_request_t req = make_req(*b, &k);
    req.headers = headers;
    gp_http_response_t resp;
    gp_error_t *err = NULL;
    gp_retry_policy_t p = fast_policy(0);
    int rc = gp__http_stream(&req, &p, &resp, &err);
    assert_true(rc < 0);
    assert_non_null(err);
    assert_no_secret(err, &resp);
    gp_error_free(err);
  }
}

/* ---- Policy and header parsing ---------------------------------------------------- */

static void test_retry_policy(void **state) {
  gp_retry_policy_t p;
  gp__retry_policy_init(&p);
  assert_int_equal(p.max_retries, 3);
  assert_int_equal(p.base_backoff_ms, 500);
  assert_int_equal(p.max_backoff_ms, 30000);
  int statuses[] = {429, 500, 502, 503, 504, 529};
  for (size_t i = 0; i < 6; i++) assert_true(gp__http_retryable_status(statuses[i]));
  int not[] = {0, 200, 400, 401, 403, 404, 408, 501, 505};
  for (size_t i = 0; i < 9; i++) assert_false(gp__http_retryable_status(not[i]));
  /* Retry-After wins, capped. */
  assert_int_equal(gp__retry_delay_ms(&p, 1, 1234), 1234);
  assert_int_equal(gp__retry_delay_ms(&p, 1, 0), 0);
  assert_int_equal(gp__retry_delay_ms(&p, 1, 90000), 30000);
  /* Full jitter in [0, base * 2^(n-1)], capped. */
  for (int attempt = 1; attempt <= 10; attempt++) {
    int64_t bound = 500LL << (attempt - 1);
    if (bound > 30000) bound = 30000;
    int64_t lo = INT64_MAX, hi = -1;
    for (int i = 0; i < 2000; i++) {
      int64_t d = gp__retry_delay_ms(&p, attempt, -1);
      assert_true(d >= 0 && d <= bound);
      if (d < lo) lo = d;
      if (d > hi) hi = d;
    }
    assert_true(lo < bound / 4 && hi > bound * 3 / 4); /* spread over the range */
  }
  assert_true(gp__retry_delay_ms(NULL, 100, -1) <= 30000);
}

static void test_retry_after_parsing(void **state) {
  assert_int_equal(gp__http_parse_retry_after("120"), 120000);
  assert_int_equal(gp__http_parse_retry_after("0"), 0);
  assert_int_equal(gp__http_parse_retry_after("abc"), -1);
  assert_int_equal(gp__http_parse_retry_after("-1"), -1);
  assert_int_equal(gp__http_parse_retry_after("1.5"), -1);
  assert_int_equal(gp__http_parse_retry_after(""), -1);
  assert_int_equal(gp__http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), 0); /* past */
  char date[64];
  time_t t = time(NULL) + 30;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  int64_t ms = gp__http_parse_retry_after(date);
  assert_true(ms > 27000 && ms <= 30000);
  assert_int_equal(gp__http_parse_retry_after_ms("1500"), 1500);
  assert_int_equal(gp__http_parse_retry_after_ms("12.2"), 13);
  assert_int_equal(gp__http_parse_retry_after_ms("0"), 0);
  assert_int_equal(gp__http_parse_retry_after_ms("-3"), -1);
  assert_int_equal(gp__http_parse_retry_after_ms("soon"), -1);
  assert_int_equal(gp__http_parse_retry_after_ms(""), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_stream_in_order),
      GP_TEST(test_sse_over_http),
      GP_TEST(test_post_body_and_headers_sent),
      GP_TEST(test_error_body_captured_401_not_retried),
      GP_TEST(test_error_body_capped),
      GP_TEST(test_429_retry_after_then_200),
      GP_TEST(test_retry_after_ms_then_200),
      GP_TEST(test_retries_exhausted_returns_last_status),
      GP_TEST(test_connection_refused_retried_then_io),
      GP_TEST(test_reset_mid_body_not_retried),
      GP_TEST(test_reset_before_body_retried),
      GP_TEST(test_idle_timeout),
      GP_TEST(test_total_timeout),
      GP_TEST(test_size_limit),
      GP_TEST(test_on_data_error_stops),
      GP_TEST(test_cancel_stalled_body_within_100ms),
      GP_TEST(test_cancel_during_backoff),
      GP_TEST(test_already_canceled),
      GP_TEST(test_no_secret_in_any_error),
      GP_TEST(test_retry_policy),
      GP_TEST(test_retry_after_parsing),
  };
  /* Loopback must not go through a proxy from the environment. */
  setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
