/* The HTTP side of geppetto-mock: libmicrohttpd with one thread per connection (so a
 * delay or a stall only ever holds its own connection), routing, the provider request
 * path (parse, log, match, expect, answer) and the control routes. */
#include "mock.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

#define GP__MAX_BODY (64u << 20) /* bytes; larger requests get 413 */

/* One request on a connection; freed when libmicrohttpd reports it complete. Touched
 * only by that connection's thread. */
typedef struct {
  gp_buf_t body;
  int too_big;
  gp_mock_req_t req;
  gp_mock_entry_t *log;      /* NULL for control routes */
  gp_mock_stream_t *stream;  /* a 200 stream being played */
  uint64_t plain_bytes;      /* body size of a plain (non-stream) answer */
  int closed;                /* the client left during first_byte_delay_ms */
  int64_t closed_ms;
} gp__conn_t;

/* Gemini: /v1beta/models/MODEL:streamGenerateContent (also without /v1beta); the model
 * goes to `model` (at most 255 bytes). */
static int gp__gemini_route(const char *url, char model[256]) {
  if (strncmp(url, "/v1beta/", 8) == 0) url += 7;
  static const char verb[] = ":streamGenerateContent";
  if (strncmp(url, "/models/", 8) != 0) return 0;
  const char *m = url + 8, *colon = strrchr(m, ':');
  if (!colon || strcmp(colon, verb) != 0 || colon == m || colon - m > 255 || memchr(m, '/', (size_t)(colon - m)))
    return 0;
  memcpy(model, m, (size_t)(colon - m));
  model[colon - m] = '\0';
  return 1;
}

static gp_mock_proto_t gp__route(const char *url, char model[256]) {
  if (gp__gemini_route(url, model)) return GP_MOCK_GEMINI;
  if (strncmp(url, "/v1/", 4) == 0) url += 3;
  if (strcmp(url, "/chat/completions") == 0) return GP_MOCK_OPENAI;
  if (strcmp(url, "/messages") == 0) return GP_MOCK_ANTHROPIC;
  if (strcmp(url, "/responses") == 0) return GP_MOCK_RESPONSES;
  return GP_MOCK_NONE;
}

/* ---- answering --------------------------------------------------------------------- */

static void gp__add_headers(struct MHD_Response *r, json_t *headers) {
  const char *k;
  json_t *v;
  json_object_foreach(headers, k, v) {
    if (json_is_string(v)) MHD_add_response_header(r, k, json_string_value(v));
  }
}

static int gp__has_header(json_t *headers, const char *name) {
  const char *k;
  json_t *v;
  json_object_foreach(headers, k, v) if (strcasecmp(k, name) == 0) return 1;
  return 0;
}

/* Queues a plain answer; takes `body`. */
static enum MHD_Result gp__send(struct MHD_Connection *c, gp__conn_t *x, int status, char *body,
                                json_t *headers) {
  size_t len = strlen(body);
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (!gp__has_header(headers, "content-type")) MHD_add_response_header(r, "Content-Type", "application/json");
  gp__add_headers(r, headers);
  x->plain_bytes = len;
  if (x->log) gp_mock_log_set(x->log, "status", json_integer(status));
  enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ret;
}

/* An error of the mock itself, {"error": {"type", "message"}} (Anthropic adds its
 * top-level "type": "error"). */
static enum MHD_Result gp__fail(struct MHD_Connection *c, gp__conn_t *x, int status, const char *type,
                                const char *message) {
  gp_mock_proto_t p = x->req.proto == GP_MOCK_NONE ? GP_MOCK_OPENAI : x->req.proto;
  return gp__send(c, x, status, gp_mock_error_body(p, status, type, message), NULL);
}

/* A non-200 `status` from the fixture: its `body` (JSON, or a string as is) or the
 * protocol's error body for that status. */
static enum MHD_Result gp__send_status(struct MHD_Connection *c, gp__conn_t *x, json_t *resp, int status) {
  json_t *body = json_object_get(resp, "body");
  char *text;
  if (json_is_string(body)) text = gp__xstrdup(json_string_value(body));
  else if (body) text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
  else text = gp_mock_error_body(x->req.proto, status, NULL, NULL);
  return gp__send(c, x, status, text, json_object_get(resp, "headers"));
}

static enum MHD_Result gp__send_stream(struct MHD_Connection *c, gp__conn_t *x, json_t *resp, int fd) {
  char *err = NULL;
  x->stream = gp_mock_stream_new(resp, &x->req, fd, &err);
  if (!x->stream) {
    enum MHD_Result ret = gp__fail(c, x, 500, "mock_fixture_error", err);
    free(err);
    return ret;
  }
  struct MHD_Response *r =
      MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, gp_mock_stream_read, x->stream, NULL);
  json_t *headers = json_object_get(resp, "headers");
  if (!gp__has_header(headers, "content-type")) MHD_add_response_header(r, "Content-Type", "text/event-stream");
  MHD_add_response_header(r, "Cache-Control", "no-cache");
  if (json_is_true(json_object_get(resp, "gzip"))) MHD_add_response_header(r, "Content-Encoding", "gzip");
  gp__add_headers(r, headers);
  gp_mock_log_set(x->log, "status", json_integer(200));
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

/* ---- the request log ----------------------------------------------------------------- */

static enum MHD_Result gp__collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                          const char *value) {
  json_t *h = cls;
  char *name = gp__xstrdup(key);
  for (char *p = name; *p; p++) *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
  const char *prev = json_string_value(json_object_get(h, name));
  json_object_set_new(h, name, prev ? json_sprintf("%s, %s", prev, value ? value : "") : json_string(value ? value : ""));
  free(name);
  return MHD_YES;
}

static json_t *gp__redacted(json_t *headers) {
  json_t *out = json_deep_copy(headers);
  static const char *secret[] = {"authorization", "x-api-key", "api-key"};
  for (size_t i = 0; i < sizeof secret / sizeof *secret; i++) {
    const char *v = json_string_value(json_object_get(out, secret[i]));
    if (v) json_object_set_new(out, secret[i], json_sprintf("<redacted:%zu chars>", strlen(v)));
  }
  return out;
}

/* Records the request in the log and fills x->req's headers and JSON body. */
static void gp__log_start(struct MHD_Connection *c, gp__conn_t *x, gp_mock_proto_t proto,
                          const char *url, const char *method) {
  x->req.proto = proto;
  x->req.body = x->body.data ? x->body.data : "";
  x->req.body_len = x->body.len;
  x->req.headers = json_object();
  MHD_get_connection_values(c, MHD_HEADER_KIND, gp__collect_header, x->req.headers);
  x->req.json = json_loadb(x->req.body, x->req.body_len, 0, NULL);
  json_t *f = json_object();
  json_object_set_new(f, "seq", json_null()); /* first; numbered by the log */
  const char *pname = gp_mock_proto_name(proto);
  json_object_set_new(f, "protocol", pname ? json_string(pname) : json_null());
  json_object_set_new(f, "method", json_string(method));
  json_object_set_new(f, "path", json_string(url));
  json_object_set_new(f, "model", json_null());
  json_object_set_new(f, "tool_results", json_null());
  json_object_set_new(f, "headers", gp__redacted(x->req.headers));
  json_object_set_new(f, "body", x->req.json ? json_deep_copy(x->req.json) : json_stringn_nocheck(x->req.body, x->req.body_len));
  json_object_set_new(f, "matched", json_null());
  json_object_set_new(f, "status", json_null());
  json_object_set_new(f, "expectation_error", json_null());
  json_object_set_new(f, "started_ms", json_integer(gp__now_ms()));
  x->log = gp_mock_log_add(f, &x->req.seq);
}

/* ---- the provider routes ------------------------------------------------------------ */

static enum MHD_Result gp__provider(struct MHD_Connection *c, gp__conn_t *x) {
  gp_mock_req_t *req = &x->req;
  if (x->too_big) return gp__fail(c, x, 413, NULL, "request body over 64 MiB");
  if (!json_is_object(req->json))
    return gp__fail(c, x, 400, "invalid_request_error", "the request body is not a JSON object");
  gp_mock_req_derive(req);
  gp_mock_log_set(x->log, "model", json_string(req->model));
  gp_mock_log_set(x->log, "tool_results", json_integer(req->tool_results));
  if (json_is_false(json_object_get(req->json, "stream")))
    return gp__fail(c, x, 400, "invalid_request_error",
                    "\"stream\": false is not supported: geppetto-mock only streams (send \"stream\": true)");
  char *refused = gp_mock_strict_check(req);
  if (refused) {
    gp_mock_log_set(x->log, "expectation_error", json_string(refused));
    enum MHD_Result ret = gp__fail(c, x, 400, "invalid_request_error", refused);
    free(refused);
    return ret;
  }
  int index;
  json_t *resp = gp_mock_fixtures_pick(req, &index);
  if (!resp) {
    char *msg = gp__xasprintf("no fixture response matches this request (protocol %s, model \"%s\", "
                             "tool_results %d; %zu responses loaded)",
                             gp_mock_proto_name(req->proto), req->model, req->tool_results,
                             gp_mock_fixtures_count());
    enum MHD_Result ret = gp__fail(c, x, 404, "mock_no_match", msg);
    free(msg);
    return ret;
  }
  gp_mock_log_set(x->log, "matched", json_integer(index));
  enum MHD_Result ret;
  char *why = gp_mock_expect_check(json_object_get(resp, "expect"), req);
  if (!why) why = gp_mock_output_check(resp, req);
  int fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD)->connect_fd;
  int delay = (int)json_integer_value(json_object_get(resp, "first_byte_delay_ms"));
  int status = json_is_integer(json_object_get(resp, "status")) ? (int)json_integer_value(json_object_get(resp, "status")) : 200;
  int w = 0;
  if (why) {
    gp_mock_log_set(x->log, "expectation_error", json_string(why));
    ret = gp__fail(c, x, 422, "mock_expectation_failed", why);
  } else if (delay > 0 && (w = gp_mock_wait(fd, delay)) != 0) {
    x->closed = w == 1;
    x->closed_ms = gp__now_ms();
    ret = MHD_NO; /* nothing sent: drop the connection */
  } else if (status != 200) {
    ret = gp__send_status(c, x, resp, status);
  } else {
    ret = gp__send_stream(c, x, resp, fd);
  }
  free(why);
  json_decref(resp);
  return ret;
}

/* An embeddings request: answered from the input texts, no fixture involved. */
static enum MHD_Result gp__embed(struct MHD_Connection *c, gp__conn_t *x, int kind, const char *url,
                                 const char *method) {
  gp__log_start(c, x, GP_MOCK_NONE, url, method);
  if (strcmp(method, "POST") != 0) return gp__fail(c, x, 405, "invalid_request_error", "use POST");
  if (!json_is_object(x->req.json))
    return gp__fail(c, x, 400, "invalid_request_error", "the request body is not a JSON object");
  const char *model = kind == GP_MOCK_EMBED_GEMINI ? x->req.path_model
                                                   : json_string_value(json_object_get(x->req.json, "model"));
  int delay, status = gp_mock_embed_fault(model, x->body.data, x->body.len, &delay);
  int fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD)->connect_fd;
  if (delay > 0 && gp_mock_wait(fd, delay) != 0) return MHD_NO; /* closed or stopping */
  if (status) {
    json_t *retry = status == 429 ? json_pack("{s:s}", "retry-after", "0") : NULL;
    char *msg = gp__xasprintf("geppetto-mock: HTTP %d asked for by the model name \"%s\"", status, model);
    enum MHD_Result ret = gp__send(c, x, status, gp_mock_error_body(GP_MOCK_OPENAI, status, NULL, msg), retry);
    free(msg);
    json_decref(retry);
    return ret;
  }
  char *body = gp_mock_embed_answer(kind, x->req.path_model, x->req.json, &status);
  return gp__send(c, x, status, body, NULL);
}

/* ---- libmicrohttpd callbacks --------------------------------------------------------- */

static enum MHD_Result gp__control(struct MHD_Connection *c, gp__conn_t *x, const char *url,
                                   const char *method) {
  if (strcmp(url, "/_mock/requests") == 0 && strcmp(method, "GET") == 0)
    return gp__send(c, x, 200, gp_mock_log_dump(), NULL);
  if (strcmp(url, "/_mock/reset") == 0 && strcmp(method, "POST") == 0) {
    gp_mock_log_reset();
    gp_mock_fixtures_reset();
    gp_mock_embed_reset();
    return gp__send(c, x, 200, gp__xstrdup("{\"ok\":true}"), NULL);
  }
  return gp__fail(c, x, 404, "not_found", "unknown control route: GET /_mock/requests, POST /_mock/reset");
}

static enum MHD_Result gp__handle(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
  gp__conn_t *x = *con_cls;
  if (!x) {
    x = gp__xcalloc(1, sizeof *x);
    x->req.proto = GP_MOCK_NONE;
    *con_cls = x;
    return MHD_YES;
  }
  if (*upload_size) {
    if (x->body.len + *upload_size > GP__MAX_BODY) x->too_big = 1;
    else gp__buf_append(&x->body, upload, *upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  if (strncmp(url, "/_mock/", 7) == 0) return gp__control(c, x, url, method);
  int embed = gp_mock_embed_route(url, x->req.path_model);
  if (embed) return gp__embed(c, x, embed, url, method);
  gp_mock_proto_t proto = gp__route(url, x->req.path_model);
  gp__log_start(c, x, proto, url, method);
  if (proto == GP_MOCK_NONE) {
    char *msg = gp__xasprintf("no route %s %s: geppetto-mock serves POST /v1/chat/completions, "
                             "/v1/messages, /v1/responses and /v1beta/models/MODEL:streamGenerateContent", method, url);
    enum MHD_Result ret = gp__fail(c, x, 404, "not_found", msg);
    free(msg);
    return ret;
  }
  if (strcmp(method, "POST") != 0) return gp__fail(c, x, 405, "invalid_request_error", "use POST");
  return gp__provider(c, x);
}

static void gp__completed(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode toe) {
  gp__conn_t *x = *con_cls;
  if (!x) return;
  if (x->log) {
    int64_t when = x->closed ? x->closed_ms : gp__now_ms();
    int ended_badly = toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && !gp_mock_stopping();
    int closed = x->closed;
    uint64_t bytes = x->plain_bytes;
    if (x->stream) {
      bytes = gp_mock_stream_bytes(x->stream);
      closed = gp_mock_stream_client_closed(x->stream, &when) || (ended_badly && !gp_mock_stream_done(x->stream));
    } else if (!x->closed) {
      closed = ended_badly;
    }
    gp_mock_log_finish(x->log, closed, bytes, when);
    gp_mock_log_release(x->log);
  }
  gp_mock_stream_free(x->stream);
  json_decref(x->req.json);
  json_decref(x->req.headers);
  gp__buf_free(&x->body);
  free(x);
  *con_cls = NULL;
}

struct MHD_Daemon *gp_mock_server_start(const char *host, int port, int *bound) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
  if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
    fprintf(stderr, "geppetto-mock: --host %s: not an IPv4 address\n", host);
    return NULL;
  }
#if defined(GP_SANITIZE_ADDRESS) || defined(GP_SANITIZE_THREAD)
  size_t stack = 1u << 20;   /* instrumented frames are larger */
#else
  size_t stack = 256u << 10; /* 1000 connections: 1000 threads */
#endif
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
  struct MHD_Daemon *d = MHD_start_daemon(
      flags, (uint16_t)port, NULL, NULL, gp__handle, NULL, MHD_OPTION_SOCK_ADDR, &sa,
      MHD_OPTION_NOTIFY_COMPLETED, gp__completed, NULL, MHD_OPTION_CONNECTION_LIMIT, 16384u,
      MHD_OPTION_CONNECTION_TIMEOUT, 0u, MHD_OPTION_THREAD_STACK_SIZE, stack,
      MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64u << 10),
      MHD_OPTION_END);
  if (!d) {
    fprintf(stderr, "geppetto-mock: cannot listen on %s:%d (port in use?)\n", host, port);
    return NULL;
  }
  *bound = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
  return d;
}
