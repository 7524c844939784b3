/* The HTTP layer (internal, used by the provider engines): a libcurl client that streams
 * a response body through a callback, retries with backoff, and two incremental
 * decoders for what providers stream: Server-Sent Events and NDJSON. Every transfer of
 * the process runs on one shared HTTP thread ("gp-http", loop.h); callers block.
 *
 * libcurl is included only under src/http/. Nothing here logs request headers or bodies:
 * they carry API keys. */
#ifndef GP_HTTP_HTTP_H
#define GP_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/core.h"
#include "geppetto/cancel.h"
#include "geppetto/error.h"

/* ---- Client ------------------------------------------------------------------------ */

/* Called with each piece of a 2xx response body, in order, on the shared HTTP thread
 * (not the thread that called gp__http_stream, which is blocked meanwhile), never
 * concurrently for one request. It must not block: every transfer of the process waits
 * while it runs. gp__http_stream called from it fails at once with INVALID_ARGUMENT. Returns 0 to go on, or a GP_ERR_* code that stops this transfer only;
 * gp__http_stream then returns that code (with the callback's *err, see
 * gp_http_request_t.err). What on_data wrote is visible to the caller once
 * gp__http_stream has returned. */
typedef int (*gp_http_data_cb)(void *ud, const char *data, size_t len);

typedef struct gp_http_request_s {
  const char *method;              /* "POST" (default when NULL) or "GET" */
  const char *url;
  const char *const *headers;      /* "Name: value" strings; NULL-terminated; may be NULL */
  const char *body;                /* request body (JSON); may be NULL */
  size_t body_len;
  int64_t connect_timeout_ms;      /* 0: 10 000 */
  int64_t idle_timeout_ms;         /* no body byte for this long: TIMEOUT. 0: 60 000 */
  int64_t total_timeout_ms;        /* whole transfer incl. retries; 0: none */
  size_t max_response_bytes;       /* body bytes; more: RESPONSE_TOO_LARGE. 0: 64 MiB */
  gp_cancel_t *cancel;             /* may be NULL; firing aborts within 100 ms */
  gp_http_data_cb on_data;         /* 2xx bodies only; may be NULL (body discarded) */
  void *ud;
  gp_error_t **err;                /* where on_data puts its error (may be NULL); when
                                      on_data stops the transfer, gp__http_stream moves
                                      *err from here into its own err argument */
  gp_flow_t *flow;                 /* may be NULL. While held, the transfer stops reading
                                      (what arrived waits in curl's and the kernel's
                                      buffers) and does not time out idle; a release
                                      resumes it where it stopped. Borrowed: must outlive
                                      the call. */
} gp_http_request_t;

typedef struct gp_http_response_s {
  int status;                      /* last HTTP status; 0 when no response arrived */
  char *content_type;              /* heap or NULL */
  char *error_body;                /* non-2xx: the body (first 64 KiB), heap or NULL */
  int64_t retry_after_ms;          /* from retry-after-ms / Retry-After; -1: none */
  size_t body_bytes;               /* 2xx body bytes handed to on_data */
  int attempts;                    /* requests made (1 + retries) */
} gp_http_response_t;

void gp__http_response_clear(gp_http_response_t *r);

typedef struct gp_retry_policy_s {
  int max_retries;                 /* retries after the first attempt; 3 by default */
  int64_t base_backoff_ms;         /* first delay; 500 by default */
  int64_t max_backoff_ms;          /* cap on one delay (also on Retry-After); 30 000 */
} gp_retry_policy_t;

void gp__retry_policy_init(gp_retry_policy_t *p);
/* 1 for 429, 500, 502, 503, 504, 529. */
int gp__http_retryable_status(int status);
/* The delay before retry number `attempt` (from 1): `retry_after_ms` when >= 0 (capped),
 * else base * 2^(attempt-1) with full jitter, capped. */
int64_t gp__retry_delay_ms(const gp_retry_policy_t *p, int attempt, int64_t retry_after_ms);

/* Performs the request, retrying (per `policy`, NULL: defaults) on a retryable status
 * and on connection failures before the first body byte reached on_data; the waits
 * between attempts end early on cancel. Thread-safe; blocks the calling thread until
 * the request has completed (each attempt runs on the shared HTTP thread, the retries
 * and waits on the calling thread).
 *
 * Returns 0 when a response was received completely, whatever its status (read
 * resp->status; non-2xx bodies are in resp->error_body), or an error with *err set:
 * CANCELED / TIMEOUT (the token's reason, or connect/idle/total timeouts), IO (could
 * not connect, connection reset; message from curl, no secrets), INVALID_ARGUMENT (a
 * malformed URL or a scheme other than http/https), RESPONSE_TOO_LARGE, or the code
 * on_data returned. A non-2xx body over 64 KiB is cut there and the response counts as
 * received. A retryable status whose Retry-After would outlast total_timeout_ms ends
 * the retries with that response (0 returned). `resp` is overwritten (not freed first)
 * and filled in every case: free it with gp__http_response_clear. Never logs; error
 * messages carry neither request headers nor the URL's query. */
int gp__http_stream(const gp_http_request_t *req, const gp_retry_policy_t *policy,
                   gp_http_response_t *resp, gp_error_t **err);

/* Global libcurl initialisation (idempotent, thread-safe); gp__http_stream calls it. */
void gp__http_global_init(void);
/* libcurl's version string ("8.5.0"), for process.versions. Any thread. */
const char *gp__http_curl_version(void);

/* Header values to milliseconds to wait (-1: absent or unparsable). Internal to
 * src/http; declared here for the tests. "retry-after-ms: 1500" (fractions allowed);
 * "Retry-After: 120" (seconds) or an HTTP date (0 when it has passed). */
int64_t gp__http_parse_retry_after_ms(const char *v);
int64_t gp__http_parse_retry_after(const char *v);

/* ---- Fetch: one asynchronous request of a script's fetch() ------------------------ */

/* Unlike gp__http_stream, nothing blocks: the request runs on the shared HTTP loop and
 * reports through callbacks that run on the loop thread (never concurrently, never
 * after on_end). They must not block; a script runtime copies what it needs and posts
 * it to its own thread. One attempt, no retries, no redirects followed (the caller
 * decides about a 3xx), every status's body delivered. */
typedef struct gp_http_fetch_s gp_http_fetch_t;

typedef struct gp_http_fetch_head_s {
  int status;
  const char *status_text;         /* the reason phrase ("" for HTTP/2 and later) */
  const char *const *headers;      /* name0, value0, name1, value1, ... in arrival order */
  size_t n_headers;                /* pairs */
  const char *url;                 /* the URL requested (after curl's normalisation) */
  int http_version;                /* 10, 11, 20 or 30 */
} gp_http_fetch_head_t;

typedef struct gp_http_fetch_end_s {
  int code;                        /* 0 (complete), GP_ERR_IO, GP_ERR_TIMEOUT, GP_ERR_CANCELED */
  const char *cause;               /* for IO/TIMEOUT: a Node-style code ("ECONNREFUSED",
                                      "ENOTFOUND", "ETIMEDOUT", "ECONNRESET",
                                      "DEPTH_ZERO_SELF_SIGNED_CERT", ...); else NULL */
  const char *message;             /* what happened, for people */
} gp_http_fetch_end_t;

typedef struct gp_http_fetch_req_s {
  const char *method;              /* any token; NULL: GET */
  const char *url;                 /* http or https */
  const char *const *headers;      /* "Name: value", NULL-terminated; may be NULL */
  const char *body;                /* copied; may be NULL (no body) */
  size_t body_len;
  int64_t connect_timeout_ms;      /* 0: 10 000 */
  int64_t idle_timeout_ms;         /* nothing from the server for this long while it is
                                      awaited (not while the reader holds the body):
                                      ETIMEDOUT. 0: 300 000 */
  size_t high_water;               /* body bytes delivered and not yet consumed before the
                                      transfer pauses. 0: 1 MiB */
  /* Loop thread: the response's head (once, before any body), each piece of the body
   * (the bytes are valid during the call), and the end (exactly once, also after an
   * abort or a failure before any head). */
  void (*on_head)(void *ud, const gp_http_fetch_head_t *head);
  void (*on_body)(void *ud, const char *data, size_t len);
  void (*on_end)(void *ud, const gp_http_fetch_end_t *end);
  void *ud;                        /* must stay valid until on_end has returned */
} gp_http_fetch_req_t;

/* Starts the request. NULL with *err (INVALID_ARGUMENT, NOMEM) when it cannot; then no
 * callback runs. Otherwise the caller holds one reference (gp__http_fetch_release). */
gp_http_fetch_t *gp__http_fetch_start(const gp_http_fetch_req_t *req, gp_error_t **err);
/* Any thread: the reader has consumed n bytes of what on_body delivered; a transfer
 * paused for back-pressure resumes when less than half the high-water mark is left. */
void gp__http_fetch_consumed(gp_http_fetch_t *f, size_t n);
/* Any thread: ends the transfer (on_end follows with CANCELED unless it ended already);
 * the connection is closed, not reused. */
void gp__http_fetch_abort(gp_http_fetch_t *f);
/* Any thread: drops the caller's reference (the transfer goes on until it ends). */
void gp__http_fetch_release(gp_http_fetch_t *f);

/* ---- Server-Sent Events (WHATWG "event stream" parsing) --------------------------- */

typedef struct gp_sse_event_s {
  const char *type;                /* the `event` field, "message" when absent */
  const char *data;                /* data lines joined by "\n" (trailing "\n" removed) */
  size_t data_len;
  const char *id;                  /* last event id seen so far ("" when none) */
  int64_t retry_ms;                /* the `retry` field of this event, -1 when absent */
} gp_sse_event_t;

/* Called for each dispatched event; the strings are valid during the call only.
 * Returns 0 to go on or a GP_ERR_* code to stop the decoder (returned by feed). */
typedef int (*gp_sse_cb)(void *ud, const gp_sse_event_t *ev);

typedef struct gp_sse_s gp_sse_t;
gp_sse_t *gp__sse_new(gp_sse_cb cb, void *ud);
/* Feeds bytes, split anywhere (also inside a CRLF or a UTF-8 sequence). A leading BOM
 * is skipped; lines end at CR, LF or CRLF; ":" lines are comments; a blank line
 * dispatches. As WHATWG says, a block without any data field dispatches nothing
 * ("event: ping" alone is dropped), while "data:" alone gives an event with empty data.
 * Returns 0 or the callback's code; after a nonzero code the decoder stays stopped and
 * every later feed returns that code. */
int gp__sse_feed(gp_sse_t *s, const char *data, size_t len);
/* End of stream: an unterminated last block is discarded (no event). */
void gp__sse_finish(gp_sse_t *s);
void gp__sse_free(gp_sse_t *s);

/* ---- NDJSON --------------------------------------------------------------------- */

/* Called with each parsed line (borrowed). Returns 0 or a GP_ERR_* code to stop. */
typedef int (*gp_ndjson_cb)(void *ud, json_t *value);

typedef struct gp_ndjson_s gp_ndjson_t;
/* max_line: longest accepted line in bytes (0: 16 MiB). */
gp_ndjson_t *gp__ndjson_new(gp_ndjson_cb cb, void *ud, size_t max_line);
/* Feeds bytes split anywhere; blank (whitespace-only) lines and CR before LF are
 * ignored. Returns 0, the callback's code (*err untouched), or PROVIDER_STREAM
 * (malformed line, line too long) with *err set naming the line number and the problem.
 * After a nonzero return the decoder stays stopped and repeats it. */
int gp__ndjson_feed(gp_ndjson_t *n, const char *data, size_t len, gp_error_t **err);
/* End of stream: a last line without a newline is parsed. Same returns as feed. */
int gp__ndjson_finish(gp_ndjson_t *n, gp_error_t **err);
void gp__ndjson_free(gp_ndjson_t *n);

#endif
