/* The HTTP client: one request, streamed, with retries. The calling thread keeps the
 * retry loop and the backoff waits; each attempt is handed to the shared HTTP loop
 * (loop.c), which runs the curl callbacks below on its own thread and ends the transfer
 * on cancel, idle or total timeout. The caller sleeps until the attempt has ended.
 * A request's flow valve pauses the body where it is while held (see loop.h).
 *
 * Nothing here logs, and no error message carries a request header or the URL's query:
 * they hold API keys. curl's own error texts are scrubbed of header values anyway. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/core.h"
#include "http/http.h"
#include "http/loop.h"

#define GP__HTTP_ERROR_BODY_MAX ((size_t)64 << 10)
#define GP__HTTP_DEFAULT_CONNECT_MS 10000
#define GP__HTTP_DEFAULT_IDLE_MS 60000
#define GP__HTTP_DEFAULT_MAX_BYTES ((size_t)64 << 20)

/* One gp__http_stream call. Lives on the calling thread's stack; during an attempt the
 * per-attempt fields belong to the loop thread (see loop.h). */
typedef struct gp__http_call_s {
  const gp_http_request_t *req;
  gp_http_response_t *resp;
  gp__http_xfer_t x;             /* the attempt as the loop sees it */
  CURL *easy;
  struct curl_slist *headers;
  char host[256];                /* for messages: the URL's host only */
  char errbuf[CURL_ERROR_SIZE];
  int64_t connect_ms, idle_ms;   /* effective limits */
  int64_t deadline_ms;           /* monotonic end of the whole call; 0: none */
  size_t max_bytes;
  /* Per attempt, filled by the curl callbacks (on the loop thread): */
  int status;                    /* the current response's status */
  int64_t retry_after_ms;        /* from "retry-after-ms", -1: none */
  int64_t retry_after_s_ms;      /* from "Retry-After", -1: none */
  gp_buf_t error_body;           /* non-2xx body, up to GP__HTTP_ERROR_BODY_MAX */
  int error_body_full;           /* stopped reading a non-2xx body at the cap */
  int stop_code;                 /* why the write callback stopped the transfer */
  int delivered;                 /* a body byte reached on_data (any attempt) */
} gp__http_call_t;

/* ---- Global init --------------------------------------------------------------- */

static pthread_once_t gp__http_once = PTHREAD_ONCE_INIT;

static void gp__http_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

void gp__http_global_init(void) { pthread_once(&gp__http_once, gp__http_init_once); }

const char *gp__http_curl_version(void) { return curl_version_info(CURLVERSION_NOW)->version; }

void gp__http_response_clear(gp_http_response_t *r) {
  if (!r) return;
  free(r->content_type);
  free(r->error_body);
  r->content_type = r->error_body = NULL;
}

/* ---- Secrets out of messages --------------------------------------------------- */

/* Replaces each occurrence of `secret` (n bytes) in the string `msg` (cap bytes of
 * room) with a mark, ignoring case (curl lowercases some parts it quotes), truncating
 * if the result would not fit. */
static void gp__http_redact(char *msg, size_t cap, const char *secret, size_t n) {
  if (n < 4) return; /* too short to be a secret; would mangle ordinary words */
  char *needle = gp__xstrndup(secret, n);
  const char *p = msg, *hit = strcasestr(p, needle);
  if (hit) {
    gp_buf_t out = {0};
    for (; hit; hit = strcasestr(p, needle)) {
      gp__buf_append(&out, p, (size_t)(hit - p));
      gp__buf_puts(&out, "[redacted]");
      p = hit + strlen(needle);
    }
    gp__buf_puts(&out, p);
    snprintf(msg, cap, "%s", out.data);
    gp__buf_free(&out);
  }
  free(needle);
}

/* Removes every request header value and the URL's query from a message in place. */
static void gp__http_scrub(const gp_http_request_t *req, char *msg, size_t cap) {
  for (const char *const *h = req->headers; h && *h; h++) {
    const char *v = strchr(*h, ':');
    if (!v) continue;
    v++;
    while (*v == ' ' || *v == '\t') v++;
    size_t n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r')) n--;
    gp__http_redact(msg, cap, v, n);
  }
  const char *q = req->url ? strchr(req->url, '?') : NULL;
  if (q && q[1]) gp__http_redact(msg, cap, q + 1, strlen(q + 1));
}

/* An error whose message is scrubbed of request secrets. */
static int gp__http_fail(gp__http_call_t *c, gp_error_t **err, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int gp__http_fail(gp__http_call_t *c, gp_error_t **err, int code, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  gp__http_scrub(c->req, msg, sizeof msg);
  return gp_error_set(err, code, "%s", msg);
}

/* ---- curl callbacks (run on the loop thread; one transfer's, never concurrently) --- */

static void gp__http_new_response(gp__http_call_t *c, const char *line, size_t n) {
  /* "HTTP/1.1 200 OK" or "HTTP/2 200": also each interim 1xx response. */
  const char *sp = memchr(line, ' ', n);
  c->status = 0;
  if (sp)
    for (const char *p = sp + 1; p < line + n && *p >= '0' && *p <= '9' && c->status < 1000; p++)
      c->status = c->status * 10 + (*p - '0');
  free(c->resp->content_type);
  c->resp->content_type = NULL;
  c->retry_after_ms = c->retry_after_s_ms = -1;
}

static size_t gp__http_on_header(char *buf, size_t size, size_t nitems, void *ud) {
  gp__http_call_t *c = ud;
  size_t n = size * nitems;
  c->x.last_activity_ms = gp__mono_ms();
  if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) {
    gp__http_new_response(c, buf, n);
    return n;
  }
  const char *colon = memchr(buf, ':', n);
  if (!colon) return n;
  size_t nlen = (size_t)(colon - buf);
  const char *v = colon + 1, *end = buf + n;
  while (v < end && (*v == ' ' || *v == '\t')) v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t')) end--;
  char *value = gp__xstrndup(v, (size_t)(end - v));
  if (nlen == 12 && strncasecmp(buf, "content-type", 12) == 0) {
    free(c->resp->content_type);
    c->resp->content_type = value;
    return n;
  }
  if (nlen == 14 && strncasecmp(buf, "retry-after-ms", 14) == 0)
    c->retry_after_ms = gp__http_parse_retry_after_ms(value);
  else if (nlen == 11 && strncasecmp(buf, "retry-after", 11) == 0)
    c->retry_after_s_ms = gp__http_parse_retry_after(value);
  free(value);
  return n;
}

static size_t gp__http_on_body(char *data, size_t size, size_t nmemb, void *ud) {
  gp__http_call_t *c = ud;
  size_t n = size * nmemb;
  c->x.last_activity_ms = gp__mono_ms();
  if (c->status < 200 || c->status > 299) {
    size_t room = GP__HTTP_ERROR_BODY_MAX - c->error_body.len;
    gp__buf_append(&c->error_body, data, n < room ? n : room);
    if (n < room) return n;
    c->error_body_full = 1; /* enough to report the error: stop reading */
    return 0;
  }
  /* Back-pressure: leave the data with curl, which gives it again on unpause. */
  if (gp__flow_held(c->req->flow)) {
    c->x.paused = 1;
    return CURL_WRITEFUNC_PAUSE;
  }
  if (n > c->max_bytes - c->resp->body_bytes) {
    c->stop_code = GP_ERR_RESPONSE_TOO_LARGE;
    return 0;
  }
  c->resp->body_bytes += n;
  c->delivered = 1;
  if (c->req->on_data) {
    int rc = c->req->on_data(c->req->ud, data, n);
    if (rc) {
      c->stop_code = rc;
      return 0;
    }
  }
  return n;
}

static void gp__http_on_cancel(void *ud, int reason) {
  gp__http_loop_cancel(ud, reason); /* queues the removal and wakes the loop */
}

/* The flow's release callback (the releasing thread, under the flow's mutex). */
static void gp__http_on_release(void *ud) {
  gp__http_loop_resume(ud); /* queues the unpause and wakes the loop */
}

/* ---- Set-up -------------------------------------------------------------------- */

static void gp__http_host(gp__http_call_t *c) {
  snprintf(c->host, sizeof c->host, "the server");
  CURLU *u = curl_url();
  char *host = NULL;
  if (u && curl_url_set(u, CURLUPART_URL, c->req->url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host)
    snprintf(c->host, sizeof c->host, "%s", host);
  curl_free(host);
  curl_url_cleanup(u);
}

static void gp__http_headers(gp__http_call_t *c) {
  int has_expect = 0;
  for (const char *const *h = c->req->headers; h && *h; h++) {
    c->headers = curl_slist_append(c->headers, *h);
    if (strncasecmp(*h, "expect:", 7) == 0) has_expect = 1;
  }
  /* No "Expect: 100-continue" round trip before large bodies. */
  if (!has_expect) c->headers = curl_slist_append(c->headers, "Expect:");
}

static void gp__http_method(gp__http_call_t *c) {
  const gp_http_request_t *r = c->req;
  const char *m = r->method ? r->method : "POST";
  if (strcmp(m, "GET") == 0) {
    curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (strcmp(m, "POST") != 0) curl_easy_setopt(c->easy, CURLOPT_CUSTOMREQUEST, m);
  if (strcmp(m, "POST") == 0 || r->body) {
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(r->body ? r->body_len : 0));
    curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, r->body ? r->body : "");
  }
}

static void gp__http_setup(gp__http_call_t *c) {
  CURL *e = c->easy;
  gp__http_headers(c);
  gp__http_easy_setup(e, &(gp__http_easy_opts_t){.url = c->req->url,
                                                  .connect_ms = (long)c->connect_ms,
                                                  .headers = c->headers,
                                                  .on_header = gp__http_on_header,
                                                  .on_body = gp__http_on_body,
                                                  .ud = c,
                                                  .errbuf = c->errbuf});
  curl_easy_setopt(e, CURLOPT_USERAGENT, "geppetto/0.1");
  gp__http_method(c);
}

/* ---- One attempt ----------------------------------------------------------------- */

/* What an attempt came to: 0 with a complete response, or an error code with whether
 * another attempt may help. */
typedef struct gp__http_outcome_s {
  int code;
  int retryable;
} gp__http_outcome_t;

static int gp__http_curl_retryable(CURLcode rc) {
  switch (rc) {
    case CURLE_COULDNT_CONNECT: case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: case CURLE_OPERATION_TIMEDOUT: case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR: case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2: case CURLE_HTTP2_STREAM: case CURLE_SSL_CONNECT_ERROR:
      return 1;
    default:
      return 0;
  }
}

/* Turns curl's result into an outcome, filling *err for errors. */
static gp__http_outcome_t gp__http_result(gp__http_call_t *c, CURLcode rc, gp_error_t **err) {
  gp__http_outcome_t o = {0, 0};
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && c->error_body_full)) return o;
  if (rc == CURLE_WRITE_ERROR && c->stop_code == GP_ERR_RESPONSE_TOO_LARGE) {
    o.code = gp__http_fail(c, err, GP_ERR_RESPONSE_TOO_LARGE,
                           "the response from %s exceeded the limit of %zu bytes; raise the "
                           "response size limit if this is expected", c->host, c->max_bytes);
    return o;
  }
  if (rc == CURLE_WRITE_ERROR && c->stop_code) {
    o.code = c->stop_code;
    gp_error_t **cb_err = c->req->err;
    if (cb_err && *cb_err) {
      if (err) *err = *cb_err; else gp_error_free(*cb_err);
      *cb_err = NULL;
    } else {
      gp__http_fail(c, err, o.code, "the response from %s was rejected by its reader: %s",
                    c->host, gp_strerror(o.code));
    }
    return o;
  }
  const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
  o.retryable = gp__http_curl_retryable(rc) && !c->delivered;
  if (rc == CURLE_OPERATION_TIMEDOUT) {
    o.code = gp__http_fail(c, err, GP_ERR_TIMEOUT, "could not connect to %s within %lld ms: %s",
                           c->host, (long long)c->connect_ms, why);
  } else if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
    o.code = gp__http_fail(c, err, GP_ERR_INVALID_ARGUMENT, "bad provider URL: %s", why);
  } else {
    o.code = gp__http_fail(c, err, GP_ERR_IO, "HTTP request to %s failed: %s", c->host, why);
  }
  return o;
}

/* The error for an attempt the loop ended from outside curl. */
static gp__http_outcome_t gp__http_stopped(gp__http_call_t *c, gp_error_t **err) {
  gp__http_outcome_t o = {0, 0};
  int reason = c->x.cancel_reason;
  switch (c->x.end) {
    case GP__HTTP_END_CANCEL:
      o.code = gp__http_fail(c, err, reason, "the HTTP request to %s was %s", c->host,
                             reason == GP_ERR_TIMEOUT ? "stopped by a timeout" : "canceled");
      break;
    case GP__HTTP_END_TOTAL:
      o.code = gp__http_fail(c, err, GP_ERR_TIMEOUT,
                             "the HTTP request to %s took longer than its total timeout of %lld ms",
                             c->host, (long long)c->req->total_timeout_ms);
      break;
    case GP__HTTP_END_IDLE:
      o.code = gp__http_fail(c, err, GP_ERR_TIMEOUT,
                             "%s sent nothing for %lld ms (idle timeout); raise the idle timeout "
                             "if the provider is slow", c->host, (long long)c->idle_ms);
      break;
    default:
      o.code = gp_error_set(err, GP_ERR_INTERNAL, "could not start the HTTP transfer");
      break;
  }
  return o;
}

static void gp__http_attempt_reset(gp__http_call_t *c) {
  c->status = 0;
  c->retry_after_ms = c->retry_after_s_ms = -1;
  c->error_body_full = 0;
  c->stop_code = 0;
  c->errbuf[0] = '\0';
  c->x.last_upload = 0;
  c->x.paused = 0;
  c->x.last_activity_ms = gp__mono_ms();
  gp__buf_free(&c->error_body);
  gp__http_response_clear(c->resp);
}

static void gp__http_attempt_fill(gp__http_call_t *c) {
  gp_http_response_t *r = c->resp;
  r->status = c->status;
  r->retry_after_ms = c->retry_after_ms >= 0 ? c->retry_after_ms : c->retry_after_s_ms;
  if (c->status >= 200 && c->status <= 299) {
    gp__buf_free(&c->error_body);
  } else if (c->error_body.len) {
    r->error_body = gp__buf_steal(&c->error_body);
  }
}

static gp__http_outcome_t gp__http_attempt(gp__http_call_t *c, gp_error_t **err) {
  gp__http_attempt_reset(c);
  /* Registered before the transfer is queued: a release from then on reaches the loop. */
  uint64_t flow_id = c->req->flow ? gp__flow_on_release(c->req->flow, gp__http_on_release, &c->x) : 0;
  gp__http_loop_perform(&c->x); /* blocks until the loop has ended the transfer */
  gp__flow_off(c->req->flow, flow_id);
  gp__http_outcome_t o = c->x.end == GP__HTTP_END_DONE ? gp__http_result(c, c->x.result, err)
                                                       : gp__http_stopped(c, err);
  gp__http_attempt_fill(c);
  return o;
}

/* ---- Retries ----------------------------------------------------------------------- */

/* Waits `ms` before the next attempt unless the token fires first; returns its reason
 * (with *err set) or 0. */
static int gp__http_backoff(gp__http_call_t *c, int64_t ms, gp_error_t **err) {
  int reason = 0;
  if (c->req->cancel) reason = gp_cancel_wait(c->req->cancel, ms);
  else gp__sleep_ms(ms);
  if (!reason) return 0;
  return gp__http_fail(c, err, reason, "the HTTP request to %s was %s while waiting to retry",
                       c->host, reason == GP_ERR_TIMEOUT ? "stopped by a timeout" : "canceled");
}

/* The delay before the next attempt, or -1 when there is to be none. */
static int64_t gp__http_next_delay(gp__http_call_t *c, const gp_retry_policy_t *p,
                                   gp__http_outcome_t o) {
  int attempt = c->resp->attempts;
  if (attempt > p->max_retries) return -1;
  int64_t d;
  if (o.code == 0) {
    if (!gp__http_retryable_status(c->resp->status)) return -1;
    d = gp__retry_delay_ms(p, attempt, c->resp->retry_after_ms);
  } else {
    if (!o.retryable || c->delivered) return -1;
    d = gp__retry_delay_ms(p, attempt, -1);
  }
  /* A wait that would outlast the total timeout is pointless: report what we have. */
  if (c->deadline_ms && gp__mono_ms() + d >= c->deadline_ms) return -1;
  return d;
}

static int gp__http_run(gp__http_call_t *c, const gp_retry_policy_t *p, gp_error_t **err) {
  for (;;) {
    c->resp->attempts++;
    gp_error_t *attempt_err = NULL;
    gp__http_outcome_t o = gp__http_attempt(c, &attempt_err);
    int64_t delay = gp__http_next_delay(c, p, o);
    if (delay < 0) {
      if (err) *err = attempt_err; else gp_error_free(attempt_err);
      return o.code;
    }
    gp_error_free(attempt_err);
    int rc = gp__http_backoff(c, delay, err);
    if (rc) return rc;
  }
}

int gp__http_stream(const gp_http_request_t *req, const gp_retry_policy_t *policy,
                   gp_http_response_t *resp, gp_error_t **err) {
  memset(resp, 0, sizeof *resp);
  resp->retry_after_ms = -1;
  if (!req || !req->url) return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "HTTP request without a URL");
  if (gp__http_loop_is_current())
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "an HTTP request was made from the HTTP thread (from a response reader or "
                        "an event sink), where it would wait for itself; make it from another thread");
  gp__http_global_init();
  gp_retry_policy_t def;
  if (!policy) {
    gp__retry_policy_init(&def);
    policy = &def;
  }
  gp__http_call_t c = {.req = req, .resp = resp};
  c.connect_ms = req->connect_timeout_ms > 0 ? req->connect_timeout_ms : GP__HTTP_DEFAULT_CONNECT_MS;
  c.idle_ms = req->idle_timeout_ms > 0 ? req->idle_timeout_ms : GP__HTTP_DEFAULT_IDLE_MS;
  c.max_bytes = req->max_response_bytes ? req->max_response_bytes : GP__HTTP_DEFAULT_MAX_BYTES;
  if (req->total_timeout_ms > 0) c.deadline_ms = gp__mono_ms() + req->total_timeout_ms;
  gp__http_host(&c);
  int reason = gp_cancel_reason(req->cancel);
  if (reason)
    return gp__http_fail(&c, err, reason, "the HTTP request to %s was %s before it started", c.host,
                         reason == GP_ERR_TIMEOUT ? "stopped by a timeout" : "canceled");
  c.easy = curl_easy_init();
  if (!c.easy) return gp_error_set(err, GP_ERR_NOMEM, "could not create an HTTP transfer");
  gp__http_setup(&c);
  gp__http_xfer_init(&c.x);
  c.x.easy = c.easy;
  c.x.idle_ms = c.idle_ms;
  c.x.deadline_ms = c.deadline_ms;
  /* From here a firing token ends the running attempt, or the next one before it starts. */
  uint64_t cancel_id = req->cancel ? gp_cancel_on(req->cancel, gp__http_on_cancel, &c.x) : 0;
  int rc = gp__http_run(&c, policy, err);
  if (cancel_id) gp_cancel_off(req->cancel, cancel_id);
  gp__http_xfer_destroy(&c.x);
  curl_easy_cleanup(c.easy);
  curl_slist_free_all(c.headers);
  gp__buf_free(&c.error_body);
  return rc;
}
