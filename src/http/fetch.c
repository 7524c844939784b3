/* Fetch: one asynchronous HTTP request for a script's fetch() (http.h). The transfer runs
 * on the shared HTTP loop (loop.c) like every other; instead of a waiting caller, its
 * end is a callback on the loop thread. The head is reported when its blank line
 * arrives (interim 1xx responses skipped), the body piece by piece, and the transfer
 * pauses while the reader holds more than the high-water mark of delivered, unconsumed
 * bytes: a slow reader holds the server, nothing is buffered without bound.
 *
 * Two references keep a fetch alive: the caller's and the loop's (dropped after on_end),
 * so abort and consumed stay safe to call from the caller's thread at any moment. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "core/core.h"
#include "http/http.h"
#include "geppetto/geppetto.h"
#include "http/loop.h"

#define GP__FETCH_CONNECT_MS 10000
#define GP__FETCH_IDLE_MS 300000
#define GP__FETCH_HIGH_WATER ((size_t)1 << 20)

struct gp_http_fetch_s {
  gp__http_xfer_t x;               /* first: on_done gets &x */
  CURL *easy;
  struct curl_slist *headers;
  atomic_int refs;
  atomic_size_t inflight;          /* delivered and not yet consumed */
  size_t high_water;
  int64_t idle_ms;
  void (*on_head)(void *, const gp_http_fetch_head_t *);
  void (*on_body)(void *, const char *, size_t);
  void (*on_end)(void *, const gp_http_fetch_end_t *);
  void *ud;
  char errbuf[CURL_ERROR_SIZE];
  char where[300];                 /* "host:port" for messages */
  /* The response head being read (loop thread). */
  int status, version, head_sent;
  char *status_text;
  char **pairs;                    /* name, value, ... */
  size_t npairs, cap;
};

static void gp__fetch_unref(gp_http_fetch_t *f) {
  if (atomic_fetch_sub(&f->refs, 1) != 1) return;
  if (f->easy) curl_easy_cleanup(f->easy);
  curl_slist_free_all(f->headers);
  for (size_t i = 0; i < f->npairs * 2; i++) free(f->pairs[i]);
  free(f->pairs);
  free(f->status_text);
  gp__http_xfer_destroy(&f->x);
  free(f);
}

/* ---- The head (loop thread) -------------------------------------------------------- */

static void gp__fetch_reset_head(gp_http_fetch_t *f) {
  for (size_t i = 0; i < f->npairs * 2; i++) free(f->pairs[i]);
  f->npairs = 0;
  free(f->status_text);
  f->status_text = NULL;
  f->status = 0;
}

/* "HTTP/1.1 200 OK", "HTTP/2 200": a new response (an interim one, or the final). */
static void gp__fetch_status_line(gp_http_fetch_t *f, const char *line, size_t n) {
  gp__fetch_reset_head(f);
  while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n')) n--;
  const char *sp = memchr(line, ' ', n);
  const char *ver = line + 5;
  f->version = (ver[0] - '0') * 10 + (n > 7 && ver[1] == '.' ? ver[2] - '0' : 0);
  if (!sp) return;
  f->status = atoi(sp + 1);
  const char *reason = memchr(sp + 1, ' ', (size_t)(line + n - sp - 1));
  f->status_text = reason ? gp__xstrndup(reason + 1, (size_t)(line + n - reason - 1)) : gp__xstrdup("");
}

static void gp__fetch_header_line(gp_http_fetch_t *f, const char *line, size_t n) {
  const char *colon = memchr(line, ':', n);
  if (!colon || colon == line) return;
  const char *v = colon + 1, *end = line + n;
  while (v < end && (*v == ' ' || *v == '\t')) v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t')) end--;
  if (f->npairs == f->cap) {
    f->cap = f->cap ? f->cap * 2 : 16;
    f->pairs = gp__xrealloc(f->pairs, f->cap * 2 * sizeof *f->pairs);
  }
  f->pairs[f->npairs * 2] = gp__xstrndup(line, (size_t)(colon - line));
  f->pairs[f->npairs * 2 + 1] = gp__xstrndup(v, (size_t)(end - v));
  f->npairs++;
}

static void gp__fetch_send_head(gp_http_fetch_t *f) {
  if (f->head_sent) return;
  f->head_sent = 1;
  char *url = NULL;
  curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &url);
  gp_http_fetch_head_t h = {
      .status = f->status, .status_text = f->status_text ? f->status_text : "",
      .headers = (const char *const *)f->pairs, .n_headers = f->npairs,
      .url = url ? url : "", .http_version = f->version};
  f->on_head(f->ud, &h);
}

static size_t gp__fetch_on_header(char *buf, size_t size, size_t nitems, void *ud) {
  gp_http_fetch_t *f = ud;
  size_t n = size * nitems;
  f->x.last_activity_ms = gp__mono_ms();
  if (f->head_sent) return n; /* trailers */
  if (n >= 5 && memcmp(buf, "HTTP/", 5) == 0) gp__fetch_status_line(f, buf, n);
  else if (n <= 2 && (buf[0] == '\r' || buf[0] == '\n')) {
    if (f->status >= 200) gp__fetch_send_head(f); /* 1xx: the final response follows */
  } else gp__fetch_header_line(f, buf, n);
  return n;
}

/* ---- The body (loop thread) -------------------------------------------------------- */

static size_t gp__fetch_on_body(char *data, size_t size, size_t nmemb, void *ud) {
  gp_http_fetch_t *f = ud;
  size_t n = size * nmemb;
  f->x.last_activity_ms = gp__mono_ms();
  gp__fetch_send_head(f);
  /* Back-pressure: curl keeps the data and gives it again on unpause. */
  if (atomic_load(&f->inflight) >= f->high_water) {
    f->x.paused = 1;
    return CURL_WRITEFUNC_PAUSE;
  }
  atomic_fetch_add(&f->inflight, n);
  f->on_body(f->ud, data, n);
  return n;
}

/* ---- The end (loop thread) --------------------------------------------------------- */

/* Node's name for an errno of a failed connection or read. */
static const char *gp__fetch_errno_code(long e) {
  switch (e) {
    case ECONNREFUSED: return "ECONNREFUSED";
    case ECONNRESET: return "ECONNRESET";
    case ECONNABORTED: return "ECONNABORTED";
    case EPIPE: return "EPIPE";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EHOSTUNREACH: return "EHOSTUNREACH";
    case ENETUNREACH: return "ENETUNREACH";
    case ENETDOWN: return "ENETDOWN";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    default: return NULL;
  }
}

/* Node's name for an X.509 verification result (OpenSSL's numbering). */
static const char *gp__fetch_cert_code(long v) {
  switch (v) {
    case 2: return "UNABLE_TO_GET_ISSUER_CERT";
    case 9: return "CERT_NOT_YET_VALID";
    case 10: return "CERT_HAS_EXPIRED";
    case 18: return "DEPTH_ZERO_SELF_SIGNED_CERT";
    case 19: return "SELF_SIGNED_CERT_IN_CHAIN";
    case 20: return "UNABLE_TO_GET_ISSUER_CERT_LOCALLY";
    case 21: return "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
    case 23: return "CERT_REVOKED";
    case 62: return "ERR_TLS_CERT_ALTNAME_INVALID";
    default: return "CERT_VERIFICATION_FAILED";
  }
}

static const char *gp__fetch_cause(gp_http_fetch_t *f, CURLcode rc) {
  long os = 0;
  curl_easy_getinfo(f->easy, CURLINFO_OS_ERRNO, &os);
  const char *byerrno = gp__fetch_errno_code(os);
  switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_RESOLVE_PROXY: return "ENOTFOUND";
    case CURLE_OPERATION_TIMEDOUT: return "ETIMEDOUT";
    case CURLE_COULDNT_CONNECT: return byerrno ? byerrno : "ECONNREFUSED";
    case CURLE_PEER_FAILED_VERIFICATION: {
      long v = 0;
      curl_easy_getinfo(f->easy, CURLINFO_SSL_VERIFYRESULT, &v);
      return gp__fetch_cert_code(v);
    }
    case CURLE_SSL_CONNECT_ERROR: return byerrno ? byerrno : "ERR_SSL_HANDSHAKE_FAILED";
    case CURLE_BAD_CONTENT_ENCODING: return "ERR_CONTENT_DECODING_FAILED";
    case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE:
      return byerrno ? byerrno : "ECONNRESET"; /* the server closed the connection early */
    default: return byerrno ? byerrno : "ERR_NETWORK";
  }
}

static void gp__fetch_done(gp__http_xfer_t *x) {
  gp_http_fetch_t *f = (gp_http_fetch_t *)x;
  gp_http_fetch_end_t end = {0, NULL, ""};
  char msg[CURL_ERROR_SIZE + 400];
  switch (x->end) {
    case GP__HTTP_END_DONE:
      if (x->result == CURLE_OK) {
        gp__fetch_send_head(f);
        break;
      }
      end.code = x->result == CURLE_OPERATION_TIMEDOUT ? GP_ERR_TIMEOUT : GP_ERR_IO;
      end.cause = gp__fetch_cause(f, x->result);
      snprintf(msg, sizeof msg, "%s %s: %s", end.cause, f->where,
               f->errbuf[0] ? f->errbuf : curl_easy_strerror(x->result));
      end.message = msg;
      break;
    case GP__HTTP_END_CANCEL:
      end.code = GP_ERR_CANCELED;
      end.message = "the request was aborted";
      break;
    case GP__HTTP_END_IDLE: case GP__HTTP_END_TOTAL:
      end.code = GP_ERR_TIMEOUT;
      end.cause = "ETIMEDOUT";
      snprintf(msg, sizeof msg, "ETIMEDOUT %s: nothing received for %lld ms", f->where,
               (long long)f->idle_ms);
      end.message = msg;
      break;
    default:
      end.code = GP_ERR_IO;
      end.cause = "ERR_NETWORK";
      end.message = "the HTTP loop could not take the request";
      break;
  }
  f->on_end(f->ud, &end);
  gp__fetch_unref(f);
}

/* ---- The caller's side ------------------------------------------------------------- */

static void gp__fetch_where(gp_http_fetch_t *f, const char *url) {
  snprintf(f->where, sizeof f->where, "the server");
  CURLU *u = curl_url();
  char *host = NULL, *port = NULL;
  if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
    snprintf(f->where, sizeof f->where, "%s:%s", host, port);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
}

static void gp__fetch_method(gp_http_fetch_t *f, const gp_http_fetch_req_t *r) {
  CURL *e = f->easy;
  const char *m = r->method ? r->method : "GET";
  if (strcmp(m, "GET") == 0 && !r->body) curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  else if (strcmp(m, "HEAD") == 0) curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  else curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
  if (r->body || strcmp(m, "POST") == 0) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(r->body ? r->body_len : 0));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, r->body ? r->body : "");
  }
}

/* The request headers as given, keeping curl from adding its own Content-Type (for a
 * body), Expect (no 100-continue round trip) or an Accept-Encoding the script set. */
static void gp__fetch_headers(gp_http_fetch_t *f, const gp_http_fetch_req_t *r) {
  int has_ct = 0, has_expect = 0, has_ua = 0;
  for (const char *const *h = r->headers; h && *h; h++) {
    f->headers = curl_slist_append(f->headers, *h);
    if (strncasecmp(*h, "content-type:", 13) == 0) has_ct = 1;
    if (strncasecmp(*h, "expect:", 7) == 0) has_expect = 1;
    if (strncasecmp(*h, "user-agent:", 11) == 0) has_ua = 1;
  }
  if (!has_ct) f->headers = curl_slist_append(f->headers, "Content-Type:");
  if (!has_expect) f->headers = curl_slist_append(f->headers, "Expect:");
  if (!has_ua) f->headers = curl_slist_append(f->headers, "User-Agent: geppetto/" GEPPETTO_VERSION);
}

gp_http_fetch_t *gp__http_fetch_start(const gp_http_fetch_req_t *r, gp_error_t **err) {
  if (!r->url || !r->on_head || !r->on_body || !r->on_end) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "fetch: a URL and three callbacks are needed");
    return NULL;
  }
  gp__http_global_init();
  gp_http_fetch_t *f = gp__xcalloc(1, sizeof *f);
  gp__http_xfer_init(&f->x);
  atomic_init(&f->refs, 2); /* the caller's and the loop's */
  atomic_init(&f->inflight, 0);
  f->high_water = r->high_water ? r->high_water : GP__FETCH_HIGH_WATER;
  f->idle_ms = r->idle_timeout_ms > 0 ? r->idle_timeout_ms : GP__FETCH_IDLE_MS;
  f->on_head = r->on_head;
  f->on_body = r->on_body;
  f->on_end = r->on_end;
  f->ud = r->ud;
  f->easy = curl_easy_init();
  if (!f->easy) {
    atomic_store(&f->refs, 1);
    gp__fetch_unref(f);
    gp_error_set(err, GP_ERR_NOMEM, "fetch: could not create an HTTP transfer");
    return NULL;
  }
  gp__fetch_where(f, r->url);
  gp__fetch_headers(f, r);
  CURL *e = f->easy;
  gp__http_easy_setup(
      e, &(gp__http_easy_opts_t){
             .url = r->url,
             .connect_ms = (long)(r->connect_timeout_ms > 0 ? r->connect_timeout_ms : GP__FETCH_CONNECT_MS),
             .headers = f->headers,
             .on_header = gp__fetch_on_header,
             .on_body = gp__fetch_on_body,
             .ud = f,
             .errbuf = f->errbuf});
  gp__fetch_method(f, r);
  f->x.easy = e;
  f->x.idle_ms = f->idle_ms;
  f->x.last_activity_ms = gp__mono_ms();
  f->x.on_done = gp__fetch_done;
  gp__http_loop_start(&f->x);
  return f;
}

void gp__http_fetch_consumed(gp_http_fetch_t *f, size_t n) {
  size_t before = atomic_fetch_sub(&f->inflight, n);
  size_t low = f->high_water / 2;
  /* Crossing below the low mark: a transfer paused at the high mark may go on. The
   * loop unpauses it only if its body callback did pause it. */
  if (before >= low && before - n < low) gp__http_loop_resume(&f->x);
}

void gp__http_fetch_abort(gp_http_fetch_t *f) { gp__http_loop_cancel(&f->x, GP_ERR_CANCELED); }

void gp__http_fetch_release(gp_http_fetch_t *f) {
  if (f) gp__fetch_unref(f);
}
