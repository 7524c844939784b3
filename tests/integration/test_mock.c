// timeout: 240
/* geppetto-mock (docs/MOCK.md) over raw sockets: a tiny HTTP/1.1 client reads the
 * bytes as sent, so the tests see the real framing. Each protocol's synthesised stream
 * is well-formed SSE with the right event sequence and JSON shapes; multi-step matching;
 * expectations; times with a 429 then 200; every fault; chunking; padding; routes; and
 * many concurrent delayed streams. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "core/core.h"
#include "mock_server.h"
#include "testutil.h"

/* ---- a tiny HTTP client --------------------------------------------------------------- */

typedef struct {
  char *raw;          /* everything received */
  size_t raw_len;
  int status;
  char *head;         /* status line and headers */
  char *body;         /* the decoded body */
  size_t body_len;
  int complete;       /* the body ended properly (chunk terminator / full length) */
  int reset;          /* the read ended with ECONNRESET */
  size_t nchunks;     /* chunks in a chunked body */
  size_t max_chunk;   /* the largest chunk */
} http_resp_t;

static int http_connect(gp_mock_t *m) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  assert_true(fd >= 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)gp_mock_port(m))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  return fd;
}

static char *http_request_text(const char *method, const char *path, const char *body, const char *extra) {
  return gp__xasprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n%s\r\n%s",
                      method, path, body ? strlen(body) : 0, extra ? extra : "", body ? body : "");
}

static void http_send(int fd, const char *method, const char *path, const char *body, const char *extra) {
  char *req = http_request_text(method, path, body, extra);
  size_t len = strlen(req), off = 0;
  while (off < len) {
    ssize_t w = send(fd, req + off, len - off, MSG_NOSIGNAL);
    assert_true(w > 0);
    off += (size_t)w;
  }
  free(req);
}

/* Decodes the body from raw: chunked or by Content-Length. */
static void http_parse(http_resp_t *r) {
  char *sep = r->raw ? strstr(r->raw, "\r\n\r\n") : NULL;
  if (!sep) return;
  r->head = gp__xstrndup(r->raw, (size_t)(sep - r->raw));
  r->status = atoi(r->head + 9);
  const char *p = sep + 4, *end = r->raw + r->raw_len;
  gp_buf_t b = {0};
  gp__buf_append(&b, "", 0);
  if (strcasestr(r->head, "transfer-encoding: chunked")) {
    for (;;) {
      const char *crlf = memmem(p, (size_t)(end - p), "\r\n", 2);
      if (!crlf) break;
      size_t n = strtoul(p, NULL, 16);
      if (n == 0) {
        r->complete = end - crlf >= 4 && memcmp(crlf, "\r\n\r\n", 4) == 0;
        break;
      }
      if ((size_t)(end - (crlf + 2)) < n + 2) {
        gp__buf_append(&b, crlf + 2, (size_t)(end - (crlf + 2)) < n ? (size_t)(end - (crlf + 2)) : n);
        break;
      }
      gp__buf_append(&b, crlf + 2, n);
      r->nchunks++;
      if (n > r->max_chunk) r->max_chunk = n;
      p = crlf + 2 + n + 2;
    }
  } else {
    const char *cl = strcasestr(r->head, "content-length:");
    size_t want = cl ? strtoul(cl + 15, NULL, 10) : (size_t)(end - p);
    size_t have = (size_t)(end - p);
    gp__buf_append(&b, p, have < want ? have : want);
    r->complete = have >= want;
  }
  r->body_len = b.len;
  r->body = gp__buf_steal(&b);
}

/* Reads until the server closes, an error, or `idle_ms` without data (-1: no limit). */
static void http_read(int fd, http_resp_t *r, int idle_ms) {
  gp_buf_t b = {0};
  char tmp[65536];
  for (;;) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int pr = poll(&p, 1, idle_ms);
    if (pr == 0) break;
    ssize_t n = recv(fd, tmp, sizeof tmp, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ECONNRESET) r->reset = 1;
    if (n <= 0) break;
    gp__buf_append(&b, tmp, (size_t)n);
  }
  r->raw_len = b.len;
  r->raw = b.data ? gp__buf_steal(&b) : NULL;
  http_parse(r);
}

static http_resp_t *http_do(gp_mock_t *m, const char *method, const char *path, const char *body,
                            const char *extra) {
  http_resp_t *r = gp__xcalloc(1, sizeof *r);
  int fd = http_connect(m);
  http_send(fd, method, path, body, extra);
  http_read(fd, r, 20000);
  close(fd);
  return r;
}

static http_resp_t *http_post(gp_mock_t *m, const char *path, const char *body) {
  return http_do(m, "POST", path, body, NULL);
}

static void http_free(http_resp_t *r) {
  if (!r) return;
  free(r->raw);
  free(r->head);
  free(r->body);
  free(r);
}

static const char *http_header(http_resp_t *r, const char *name, char *out, size_t cap) {
  char pat[128];
  snprintf(pat, sizeof pat, "\r\n%s:", name);
  const char *h = strcasestr(r->head, pat);
  if (!h) return NULL;
  h += strlen(pat);
  while (*h == ' ') h++;
  size_t n = strcspn(h, "\r\n");
  snprintf(out, cap, "%.*s", (int)n, h);
  return out;
}

/* ---- SSE ------------------------------------------------------------------------------- */

typedef struct {
  char *event;  /* NULL when the event has no name */
  char *data;
  json_t *json; /* NULL when data is not JSON */
} sse_ev_t;

typedef struct {
  sse_ev_t *v;
  size_t n;
  size_t comment_bytes; /* bytes of comment lines and stray blank lines */
} sse_t;

/* Parses a body strictly: events are "event:"/"data:" lines ended by a blank line, ":"
 * lines are comments; the body must end at an event boundary. Fails the test otherwise. */
static sse_t *sse_parse(const char *body) {
  sse_t *s = gp__xcalloc(1, sizeof *s);
  const char *p = body;
  char *event = NULL;
  gp_buf_t data = {0};
  int have_data = 0;
  while (*p) {
    const char *nl = strchr(p, '\n');
    if (!nl) fail_msg("SSE body ends inside a line: \"%.60s\"", p);
    size_t len = (size_t)(nl - p);
    if (len == 0) {
      if (have_data) {
        s->v = gp__xrealloc(s->v, (s->n + 1) * sizeof *s->v);
        sse_ev_t *e = &s->v[s->n++];
        e->event = event;
        e->data = gp__buf_steal(&data);
        e->json = json_loads(e->data, 0, NULL);
        event = NULL;
        have_data = 0;
      } else {
        if (event) fail_msg("SSE event \"%s\" without data", event);
        s->comment_bytes += 1;
      }
    } else if (p[0] == ':') {
      s->comment_bytes += len + 1;
    } else if (len >= 7 && strncmp(p, "event: ", 7) == 0) {
      event = gp__xstrndup(p + 7, len - 7);
    } else if (len >= 6 && strncmp(p, "data: ", 6) == 0) {
      if (have_data) gp__buf_puts(&data, "\n");
      gp__buf_append(&data, p + 6, len - 6);
      have_data = 1;
    } else {
      fail_msg("not an SSE line: \"%.*s\"", (int)(len > 80 ? 80 : len), p);
    }
    p = nl + 1;
  }
  if (have_data || event) fail_msg("SSE body ends inside an event");
  return s;
}

static void sse_free(sse_t *s) {
  for (size_t i = 0; i < s->n; i++) {
    free(s->v[i].event);
    free(s->v[i].data);
    json_decref(s->v[i].json);
  }
  free(s->v);
  free(s);
}

static const char *jstr(json_t *o, const char *path) {
  /* path: dot-separated keys */
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *v = o;
  for (char *save, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save)) v = json_object_get(v, k);
  return json_string_value(v);
}

static json_int_t jint(json_t *o, const char *path) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", path);
  json_t *v = o;
  for (char *save, *k = strtok_r(buf, ".", &save); k && v; k = strtok_r(NULL, ".", &save)) v = json_object_get(v, k);
  if (!json_is_integer(v)) fail_msg("%s is not an integer", path);
  return json_integer_value(v);
}

/* What a stream said, reassembled by a protocol checker. */
typedef struct {
  gp_buf_t text, reasoning;
  char *signature;
  struct {
    char id[64], name[64];
    gp_buf_t args;
  } calls[8];
  size_t ncalls;
  char stop[32];
  json_int_t in_tokens, out_tokens, cached_tokens;
  int has_usage;
} said_t;

static void said_free(said_t *s) {
  gp__buf_free(&s->text);
  gp__buf_free(&s->reasoning);
  free(s->signature);
  for (size_t i = 0; i < s->ncalls; i++) gp__buf_free(&s->calls[i].args);
}

static void buf_cat(gp_buf_t *b, const char *s) {
  assert_non_null(s);
  gp__buf_puts(b, s);
}

/* OpenAI: every event is an unnamed chunk; the role first; tool call heads carry id,
 * type and name, fragments only index and arguments; one finish_reason; the usage chunk
 * (choices: []) when asked; [DONE] last. */
static void check_openai(sse_t *s, int include_usage, said_t *out) {
  assert_true(s->n >= 3);
  assert_string_equal(s->v[s->n - 1].data, "[DONE]");
  size_t last_choice = s->n - (include_usage ? 3 : 2);
  int finishes = 0;
  for (size_t i = 0; i + 1 < s->n; i++) {
    sse_ev_t *e = &s->v[i];
    assert_null(e->event);
    assert_non_null(e->json);
    assert_string_equal(jstr(e->json, "object"), "chat.completion.chunk");
    assert_true(strncmp(jstr(e->json, "id"), "chatcmpl-", 9) == 0);
    assert_true(jint(e->json, "created") > 0);
    assert_non_null(jstr(e->json, "model"));
    assert_int_equal(json_object_get(e->json, "usage") != NULL, include_usage);
    json_t *choices = json_object_get(e->json, "choices");
    if (include_usage && i == s->n - 2) {
      assert_int_equal(json_array_size(choices), 0);
      json_t *u = json_object_get(e->json, "usage");
      out->in_tokens = jint(u, "prompt_tokens");
      out->out_tokens = jint(u, "completion_tokens");
      assert_int_equal(jint(u, "total_tokens"), out->in_tokens + out->out_tokens);
      out->cached_tokens = jint(u, "prompt_tokens_details.cached_tokens");
      out->has_usage = 1;
      continue;
    }
    if (include_usage) assert_true(json_is_null(json_object_get(e->json, "usage")));
    assert_int_equal(json_array_size(choices), 1);
    json_t *c = json_array_get(choices, 0);
    assert_int_equal(jint(c, "index"), 0);
    json_t *d = json_object_get(c, "delta");
    assert_true(json_is_object(d));
    if (i == 0) assert_string_equal(jstr(d, "role"), "assistant");
    else assert_null(json_object_get(d, "role"));
    const char *finish = jstr(c, "finish_reason");
    if (finish) {
      finishes++;
      assert_int_equal(i, last_choice);
      snprintf(out->stop, sizeof out->stop, "%s", finish);
      assert_int_equal(json_object_size(d), 0);
    } else {
      assert_true(json_is_null(json_object_get(c, "finish_reason")));
    }
    if (jstr(d, "reasoning_content")) buf_cat(&out->reasoning, jstr(d, "reasoning_content"));
    if (jstr(d, "content")) buf_cat(&out->text, jstr(d, "content"));
    json_t *tcs = json_object_get(d, "tool_calls");
    if (tcs) {
      assert_int_equal(json_array_size(tcs), 1);
      json_t *tc = json_array_get(tcs, 0);
      size_t idx = (size_t)jint(tc, "index");
      json_t *fn = json_object_get(tc, "function");
      if (idx == out->ncalls) { /* the head of a new call */
        assert_string_equal(jstr(tc, "type"), "function");
        snprintf(out->calls[idx].id, sizeof out->calls[idx].id, "%s", jstr(tc, "id"));
        snprintf(out->calls[idx].name, sizeof out->calls[idx].name, "%s", jstr(fn, "name"));
        assert_string_equal(jstr(fn, "arguments"), "");
        gp__buf_puts(&out->calls[idx].args, "");
        out->ncalls++;
      } else {
        assert_int_equal(idx, out->ncalls - 1);
        assert_int_equal(json_object_size(tc), 2); /* index and function only */
        assert_int_equal(json_object_size(fn), 1);
        buf_cat(&out->calls[idx].args, jstr(fn, "arguments"));
      }
    }
  }
  assert_int_equal(finishes, 1);
}

/* Anthropic: named events whose data "type" is the name; message_start first; blocks
 * opened, filled and closed in index order; a ping; message_delta then message_stop. */
static void check_anthropic(sse_t *s, said_t *out) {
  assert_true(s->n >= 3);
  int open = -1, next = 0, pings = 0;
  const char *open_type = NULL;
  for (size_t i = 0; i < s->n; i++) {
    sse_ev_t *e = &s->v[i];
    assert_non_null(e->event);
    assert_non_null(e->json);
    assert_string_equal(jstr(e->json, "type"), e->event);
    const char *t = e->event;
    if (i == 0) {
      assert_string_equal(t, "message_start");
      json_t *msg = json_object_get(e->json, "message");
      assert_true(strncmp(jstr(msg, "id"), "msg_", 4) == 0);
      assert_string_equal(jstr(msg, "role"), "assistant");
      assert_int_equal(json_array_size(json_object_get(msg, "content")), 0);
      out->in_tokens = jint(msg, "usage.input_tokens");
      out->cached_tokens = jint(msg, "usage.cache_read_input_tokens");
      continue;
    }
    assert_string_not_equal(t, "message_start");
    if (strcmp(t, "ping") == 0) {
      pings++;
    } else if (strcmp(t, "content_block_start") == 0) {
      assert_int_equal(open, -1);
      assert_int_equal(jint(e->json, "index"), next);
      open = next++;
      json_t *b = json_object_get(e->json, "content_block");
      open_type = jstr(b, "type");
      if (strcmp(open_type, "tool_use") == 0) {
        size_t k = out->ncalls++;
        snprintf(out->calls[k].id, sizeof out->calls[k].id, "%s", jstr(b, "id"));
        snprintf(out->calls[k].name, sizeof out->calls[k].name, "%s", jstr(b, "name"));
        assert_true(json_is_object(json_object_get(b, "input")));
        gp__buf_puts(&out->calls[k].args, "");
      }
    } else if (strcmp(t, "content_block_delta") == 0) {
      assert_int_equal(jint(e->json, "index"), open);
      json_t *d = json_object_get(e->json, "delta");
      const char *dt = jstr(d, "type");
      if (strcmp(dt, "text_delta") == 0) {
        assert_string_equal(open_type, "text");
        buf_cat(&out->text, jstr(d, "text"));
      } else if (strcmp(dt, "thinking_delta") == 0) {
        assert_string_equal(open_type, "thinking");
        buf_cat(&out->reasoning, jstr(d, "thinking"));
      } else if (strcmp(dt, "signature_delta") == 0) {
        assert_string_equal(open_type, "thinking");
        out->signature = gp__xstrdup(jstr(d, "signature"));
      } else {
        assert_string_equal(dt, "input_json_delta");
        assert_string_equal(open_type, "tool_use");
        buf_cat(&out->calls[out->ncalls - 1].args, jstr(d, "partial_json"));
      }
    } else if (strcmp(t, "content_block_stop") == 0) {
      assert_int_equal(jint(e->json, "index"), open);
      open = -1;
    } else if (strcmp(t, "message_delta") == 0) {
      assert_int_equal(open, -1);
      assert_int_equal(i, s->n - 2);
      snprintf(out->stop, sizeof out->stop, "%s", jstr(e->json, "delta.stop_reason"));
      out->out_tokens = jint(e->json, "usage.output_tokens");
      out->has_usage = 1;
    } else {
      assert_string_equal(t, "message_stop");
      assert_int_equal(i, s->n - 1);
    }
  }
  assert_int_equal(pings, 1);
  assert_string_equal(s->v[s->n - 1].event, "message_stop");
}

/* Responses: named events, data "type" = name, sequence_number = position; created and
 * in_progress first; items added then done; completed last with the usage. */
static void check_responses(sse_t *s, said_t *out) {
  assert_true(s->n >= 3);
  int open = -1;
  json_int_t next_index = 0;
  gp_buf_t done_text = {0};
  for (size_t i = 0; i < s->n; i++) {
    sse_ev_t *e = &s->v[i];
    assert_non_null(e->event);
    assert_non_null(e->json);
    assert_string_equal(jstr(e->json, "type"), e->event);
    assert_int_equal(jint(e->json, "sequence_number"), (json_int_t)i);
    const char *t = e->event;
    if (i == 0) assert_string_equal(t, "response.created");
    if (strcmp(t, "response.created") == 0 || strcmp(t, "response.in_progress") == 0) {
      assert_true(i < 2);
      assert_string_equal(jstr(e->json, "response.status"), "in_progress");
      assert_true(strncmp(jstr(e->json, "response.id"), "resp_", 5) == 0);
    } else if (strcmp(t, "response.output_item.added") == 0) {
      assert_int_equal(open, -1);
      assert_int_equal(jint(e->json, "output_index"), next_index);
      open = (int)next_index++;
      json_t *item = json_object_get(e->json, "item");
      if (strcmp(jstr(item, "type"), "function_call") == 0) {
        size_t k = out->ncalls++;
        snprintf(out->calls[k].id, sizeof out->calls[k].id, "%s", jstr(item, "call_id"));
        snprintf(out->calls[k].name, sizeof out->calls[k].name, "%s", jstr(item, "name"));
        assert_string_equal(jstr(item, "arguments"), "");
        gp__buf_puts(&out->calls[k].args, "");
      }
    } else if (strcmp(t, "response.output_item.done") == 0) {
      assert_int_equal(jint(e->json, "output_index"), open);
      json_t *item = json_object_get(e->json, "item");
      if (strcmp(jstr(item, "type"), "function_call") == 0)
        assert_string_equal(jstr(item, "arguments"), out->calls[out->ncalls - 1].args.data);
      open = -1;
    } else if (strcmp(t, "response.output_text.delta") == 0) {
      assert_int_equal(jint(e->json, "output_index"), open);
      assert_int_equal(jint(e->json, "content_index"), 0);
      assert_non_null(jstr(e->json, "item_id"));
      buf_cat(&out->text, jstr(e->json, "delta"));
    } else if (strcmp(t, "response.output_text.done") == 0) {
      buf_cat(&done_text, jstr(e->json, "text"));
    } else if (strcmp(t, "response.reasoning_summary_text.delta") == 0) {
      assert_int_equal(jint(e->json, "output_index"), open);
      assert_int_equal(jint(e->json, "summary_index"), 0);
      buf_cat(&out->reasoning, jstr(e->json, "delta"));
    } else if (strcmp(t, "response.function_call_arguments.delta") == 0) {
      assert_int_equal(jint(e->json, "output_index"), open);
      buf_cat(&out->calls[out->ncalls - 1].args, jstr(e->json, "delta"));
    } else if (strcmp(t, "response.function_call_arguments.done") == 0) {
      assert_string_equal(jstr(e->json, "arguments"), out->calls[out->ncalls - 1].args.data);
    } else if (strcmp(t, "response.completed") == 0 || strcmp(t, "response.incomplete") == 0) {
      assert_int_equal(i, s->n - 1);
      assert_int_equal(open, -1);
      json_t *r = json_object_get(e->json, "response");
      snprintf(out->stop, sizeof out->stop, "%s", jstr(r, "status"));
      assert_int_equal(json_array_size(json_object_get(r, "output")), (size_t)next_index);
      out->in_tokens = jint(r, "usage.input_tokens");
      out->out_tokens = jint(r, "usage.output_tokens");
      out->cached_tokens = jint(r, "usage.input_tokens_details.cached_tokens");
      out->has_usage = 1;
    } else {
      /* content_part / reasoning_summary_part events belong to the open item. */
      assert_true(strstr(t, "part.added") || strstr(t, "part.done") || strstr(t, "summary_text.done"));
      assert_int_equal(jint(e->json, "output_index"), open);
    }
  }
  assert_true(strncmp(s->v[s->n - 1].event, "response.completed", 18) == 0 ||
              strcmp(s->v[s->n - 1].event, "response.incomplete") == 0);
  if (out->text.len) assert_string_equal(done_text.data, out->text.data);
  gp__buf_free(&done_text);
}

/* ---- helpers ------------------------------------------------------------------------- */

static gp_mock_t *start1(const char *fixture) {
  char *path = gp__xasprintf("%s/mock/%s", GP_FIXTURES, fixture);
  const char *paths[] = {path};
  gp_mock_t *m = gp_mock_start(paths, 1);
  free(path);
  return m;
}

static const char *OPENAI_STEP1 =
    "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{}}}],"
    "\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"}]}";
static const char *OPENAI_STEP2 =
    "{\"model\":\"gpt-4o-mini\",\"stream\":true,"
    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{}}}],"
    "\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"},"
    "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
    "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},"
    "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"}]}";
static const char *ANTHROPIC_STEP1 =
    "{\"model\":\"claude-x\",\"stream\":true,\"max_tokens\":100,"
    "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{}}],"
    "\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather?\"}]}";
static const char *ANTHROPIC_STEP2 =
    "{\"model\":\"claude-x\",\"stream\":true,\"max_tokens\":100,"
    "\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{}}],"
    "\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather?\"},"
    "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{}}]},"
    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":\"sunny\"}]}]}";
static const char *RESPONSES_STEP1 =
    "{\"model\":\"gpt-5\",\"stream\":true,\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\"}],"
    "\"input\":[{\"role\":\"user\",\"content\":\"What is the weather?\"}]}";
static const char *RESPONSES_STEP2 =
    "{\"model\":\"gpt-5\",\"stream\":true,\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\"}],"
    "\"input\":[{\"role\":\"user\",\"content\":\"What is the weather?\"},"
    "{\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"{}\"},"
    "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"sunny\"}]}";

static sse_t *stream_ok(http_resp_t *r) {
  assert_int_equal(r->status, 200);
  char ct[64];
  assert_non_null(http_header(r, "content-type", ct, sizeof ct));
  assert_string_equal(ct, "text/event-stream");
  assert_true(r->complete);
  return sse_parse(r->body);
}

static void assert_paris_call(said_t *s) {
  assert_int_equal(s->ncalls, 1);
  assert_string_equal(s->calls[0].id, "call_1");
  assert_string_equal(s->calls[0].name, "get_weather");
  assert_string_equal(s->calls[0].args.data, "{\"city\":\"Paris\"}");
}

/* ---- protocol streams ---------------------------------------------------------------- */

static void test_openai_stream(void **state) {
  gp_mock_t *m = start1("weather.json");
  http_resp_t *r = http_post(m, "/v1/chat/completions", OPENAI_STEP1);
  sse_t *s = stream_ok(r);
  said_t said = {0};
  check_openai(s, 1, &said);
  assert_string_equal(said.reasoning.data, "The user wants the weather.");
  assert_string_equal(said.text.data, "Let me check.");
  assert_paris_call(&said);
  assert_string_equal(said.stop, "tool_calls");
  assert_int_equal(said.in_tokens, 12);
  assert_int_equal(said.out_tokens, 7);
  assert_int_equal(said.cached_tokens, 3);
  assert_string_equal(jstr(s->v[0].json, "id"), "chatcmpl-weather1");
  assert_string_equal(jstr(s->v[0].json, "model"), "gpt-4o-mini");
  said_free(&said);
  sse_free(s);
  http_free(r);
  /* Without include_usage: no usage chunk and no "usage" keys (the /chat/completions
   * route without /v1 too). */
  r = http_post(m, "/chat/completions", OPENAI_STEP2);
  s = stream_ok(r);
  said_t said2 = {0};
  check_openai(s, 0, &said2);
  assert_string_equal(said2.text.data, "It is sunny in Paris.");
  assert_int_equal(said2.ncalls, 0);
  assert_string_equal(said2.stop, "stop");
  assert_false(said2.has_usage);
  said_free(&said2);
  sse_free(s);
  http_free(r);
  gp_mock_stop(m);
}

static void test_anthropic_stream(void **state) {
  gp_mock_t *m = start1("weather.json");
  http_resp_t *r = http_post(m, "/v1/messages", ANTHROPIC_STEP1);
  sse_t *s = stream_ok(r);
  said_t said = {0};
  check_anthropic(s, &said);
  assert_string_equal(said.reasoning.data, "The user wants the weather.");
  assert_non_null(said.signature);
  assert_true(strlen(said.signature) > 0);
  assert_string_equal(said.text.data, "Let me check.");
  assert_paris_call(&said);
  assert_string_equal(said.stop, "tool_use");
  assert_int_equal(said.in_tokens, 12);
  assert_int_equal(said.out_tokens, 7);
  assert_int_equal(said.cached_tokens, 3);
  /* Block order: thinking, text, tool_use. */
  assert_string_equal(jstr(s->v[1].json, "content_block.type"), "thinking");
  assert_string_equal(s->v[2].event, "ping");
  said_free(&said);
  sse_free(s);
  http_free(r);
  r = http_post(m, "/messages", ANTHROPIC_STEP2);
  s = stream_ok(r);
  said_t said2 = {0};
  check_anthropic(s, &said2);
  assert_string_equal(said2.text.data, "It is sunny in Paris.");
  assert_string_equal(said2.stop, "end_turn");
  assert_int_equal(said2.ncalls, 0);
  said_free(&said2);
  sse_free(s);
  http_free(r);
  gp_mock_stop(m);
}

static void test_responses_stream(void **state) {
  gp_mock_t *m = start1("weather.json");
  http_resp_t *r = http_post(m, "/v1/responses", RESPONSES_STEP1);
  sse_t *s = stream_ok(r);
  said_t said = {0};
  check_responses(s, &said);
  assert_string_equal(said.reasoning.data, "The user wants the weather.");
  assert_string_equal(said.text.data, "Let me check.");
  assert_paris_call(&said);
  assert_string_equal(said.stop, "completed");
  assert_int_equal(said.in_tokens, 12);
  assert_int_equal(said.out_tokens, 7);
  assert_int_equal(said.cached_tokens, 3);
  assert_string_equal(s->v[1].event, "response.in_progress");
  said_free(&said);
  sse_free(s);
  http_free(r);
  r = http_post(m, "/responses", RESPONSES_STEP2);
  s = stream_ok(r);
  said_t said2 = {0};
  check_responses(s, &said2);
  assert_string_equal(said2.text.data, "It is sunny in Paris.");
  assert_int_equal(said2.ncalls, 0);
  said_free(&said2);
  sse_free(s);
  http_free(r);
  gp_mock_stop(m);
}

/* ---- matching and the log -------------------------------------------------------------- */

static void test_multistep_by_tool_results(void **state) {
  gp_mock_t *m = start1("weather.json");
  const char *bodies[] = {OPENAI_STEP1, OPENAI_STEP2, ANTHROPIC_STEP1, ANTHROPIC_STEP2, RESPONSES_STEP1, RESPONSES_STEP2};
  const char *paths[] = {"/v1/chat/completions", "/v1/chat/completions", "/v1/messages", "/v1/messages",
                         "/v1/responses", "/v1/responses"};
  for (int i = 0; i < 6; i++) {
    http_resp_t *r = http_post(m, paths[i], bodies[i]);
    assert_int_equal(r->status, 200);
    /* Step 1 calls the tool, step 2 answers; matching is stateless, so ask again. */
    assert_int_equal(strstr(r->body, "get_weather") != NULL, i % 2 == 0);
    assert_int_equal(strstr(r->body, "sunny") != NULL, i % 2 == 1);
    http_free(r);
  }
  json_t *log = gp_mock_wait_requests(m, 6, 5000);
  assert_int_equal(json_array_size(log), 6);
  const char *protos[] = {"openai", "anthropic", "responses"};
  for (size_t i = 0; i < 6; i++) {
    json_t *e = json_array_get(log, i);
    assert_string_equal(jstr(e, "protocol"), protos[i / 2]);
    assert_int_equal(jint(e, "tool_results"), (json_int_t)(i % 2));
    assert_int_equal(jint(e, "matched"), (json_int_t)(i % 2));
    assert_int_equal(jint(e, "status"), 200);
    assert_int_equal(jint(e, "seq"), (json_int_t)i + 1);
    assert_true(json_is_false(json_object_get(e, "client_closed")));
    assert_true(jint(e, "bytes_sent") > 100);
    assert_true(jint(e, "ended_ms") >= jint(e, "started_ms"));
    assert_true(json_is_object(json_object_get(e, "body")));
    assert_string_equal(jstr(e, "path"), paths[i]);
  }
  json_decref(log);
  gp_mock_reset(m);
  log = gp_mock_requests(m);
  assert_int_equal(json_array_size(log), 0);
  json_decref(log);
  gp_mock_stop(m);
}

static void test_expectations(void **state) {
  gp_mock_t *m = start1("expect.json");
  const char *body = "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"check-header\"}]}";
  /* The right key passes... */
  http_resp_t *r = http_do(m, "POST", "/v1/chat/completions", body, "Authorization: Bearer sk-test\r\n");
  assert_int_equal(r->status, 200);
  http_free(r);
  /* ...a wrong one is a 422 saying what was expected, without showing the secret. */
  r = http_do(m, "POST", "/v1/chat/completions", body, "Authorization: Bearer sk-wrong-key\r\n");
  assert_int_equal(r->status, 422);
  json_t *err = json_loads(r->body, 0, NULL);
  assert_string_equal(jstr(err, "error.type"), "mock_expectation_failed");
  const char *msg = jstr(err, "error.message");
  assert_non_null(strstr(msg, "authorization"));
  assert_non_null(strstr(msg, "<redacted:19 chars>"));
  assert_null(strstr(msg, "sk-wrong-key"));
  json_decref(err);
  http_free(r);
  /* A missing header. */
  r = http_post(m, "/v1/chat/completions", body);
  assert_int_equal(r->status, 422);
  assert_non_null(strstr(r->body, "header absent"));
  http_free(r);
  /* json: the failing place and both values. */
  r = http_post(m, "/v1/chat/completions",
                "{\"stream\":true,\"temperature\":0,\"messages\":[{\"role\":\"user\",\"content\":\"check-json\"}]}");
  assert_int_equal(r->status, 422);
  err = json_loads(r->body, 0, NULL);
  msg = jstr(err, "error.message");
  assert_non_null(strstr(msg, "body.messages[0].role"));
  assert_non_null(strstr(msg, "expected \"system\", got \"user\""));
  json_decref(err);
  http_free(r);
  /* Numbers compare by value (0 and 0.0); the request's array may be longer. */
  r = http_post(m, "/v1/chat/completions",
                "{\"stream\":true,\"temperature\":0.0,\"messages\":[{\"role\":\"system\",\"content\":\"check-json\"},{\"role\":\"user\"}]}");
  assert_int_equal(r->status, 200);
  http_free(r);
  /* body_contains and stream. */
  r = http_post(m, "/v1/chat/completions", "{\"stream\":true,\"messages\":[{\"content\":\"check-body\"}]}");
  assert_int_equal(r->status, 422);
  assert_non_null(strstr(r->body, "include_usage"));
  http_free(r);
  json_t *log = gp_mock_wait_requests(m, 6, 5000);
  assert_int_equal(json_array_size(log), 6);
  json_t *e = json_array_get(log, 1);
  assert_int_equal(jint(e, "status"), 422);
  assert_non_null(strstr(jstr(e, "expectation_error"), "expect.header"));
  assert_string_equal(jstr(e, "headers.authorization"), "<redacted:19 chars>");
  assert_true(json_is_null(json_object_get(json_array_get(log, 0), "expectation_error")));
  json_decref(log);
  gp_mock_stop(m);
}

static void test_times_429_then_200(void **state) {
  gp_mock_t *m = start1("rate_limit.json");
  const char *body = "{\"model\":\"claude\",\"stream\":true,\"messages\":[]}";
  for (int round = 0; round < 2; round++) {
    http_resp_t *r = http_post(m, "/v1/messages", body);
    assert_int_equal(r->status, 429);
    char v[32];
    assert_string_equal(http_header(r, "retry-after", v, sizeof v), "1");
    assert_string_equal(http_header(r, "retry-after-ms", v, sizeof v), "20");
    json_t *err = json_loads(r->body, 0, NULL);
    assert_string_equal(jstr(err, "type"), "error");
    assert_string_equal(jstr(err, "error.type"), "rate_limit_error");
    json_decref(err);
    http_free(r);
    r = http_post(m, "/v1/messages", body);
    sse_t *s = stream_ok(r);
    said_t said = {0};
    check_anthropic(s, &said);
    assert_string_equal(said.text.data, "Recovered after a retry.");
    said_free(&said);
    sse_free(s);
    http_free(r);
    /* The reset forgets the `times` counters: the 429 comes again. */
    gp_mock_reset(m);
  }
  /* OpenAI's error shape for the same status. */
  http_resp_t *r = http_post(m, "/v1/chat/completions", "{\"stream\":true}");
  assert_int_equal(r->status, 429);
  json_t *err = json_loads(r->body, 0, NULL);
  assert_string_equal(jstr(err, "error.code"), "rate_limit_exceeded");
  json_decref(err);
  http_free(r);
  gp_mock_stop(m);
}

static void test_routes_and_rejections(void **state) {
  gp_mock_t *m = start1("weather.json");
  http_resp_t *r = http_post(m, "/v1/nothing", "{}");
  assert_int_equal(r->status, 404);
  assert_non_null(strstr(r->body, "no route"));
  http_free(r);
  r = http_post(m, "/v1/chat/completions", "{\"model\":\"gpt-4o\",\"stream\":false,\"messages\":[]}");
  assert_int_equal(r->status, 400);
  assert_non_null(strstr(r->body, "stream"));
  http_free(r);
  r = http_post(m, "/v1/chat/completions", "not json");
  assert_int_equal(r->status, 400);
  http_free(r);
  /* No match: the error names the protocol, model and tool-result count. */
  r = http_post(m, "/v1/messages", "{\"model\":\"claude-q\",\"stream\":true,\"messages\":[]}");
  assert_int_equal(r->status, 404);
  json_t *err = json_loads(r->body, 0, NULL);
  assert_string_equal(jstr(err, "error.type"), "mock_no_match");
  const char *msg = jstr(err, "error.message");
  assert_non_null(strstr(msg, "anthropic"));
  assert_non_null(strstr(msg, "claude-q"));
  assert_non_null(strstr(msg, "tool_results 0"));
  json_decref(err);
  http_free(r);
  r = http_do(m, "GET", "/v1/chat/completions", NULL, NULL);
  assert_int_equal(r->status, 405);
  http_free(r);
  json_t *log = gp_mock_wait_requests(m, 5, 5000);
  assert_int_equal(json_array_size(log), 5);
  assert_true(json_is_null(json_object_get(json_array_get(log, 0), "protocol")));
  assert_int_equal(jint(json_array_get(log, 0), "status"), 404);
  assert_string_equal(jstr(json_array_get(log, 2), "body"), "not json");
  json_decref(log);
  gp_mock_stop(m);
}

/* ---- faults ------------------------------------------------------------------------------ */

static const char *fault_body = "{\"model\":\"m\",\"stream\":true,\"messages\":[],\"input\":[]}";
static const char *all_paths[] = {"/v1/chat/completions", "/v1/messages", "/v1/responses"};

static void test_fault_reset(void **state) {
  gp_mock_t *m = start1("reset.json");
  for (int p = 0; p < 3; p++) {
    http_resp_t *r = http_post(m, all_paths[p], fault_body);
    assert_int_equal(r->status, 200);
    assert_false(r->complete); /* no chunk terminator: the body was cut */
    sse_t *s = sse_parse(r->body);
    assert_int_equal(s->n, 2);
    sse_free(s);
    http_free(r);
  }
  json_t *log = gp_mock_wait_requests(m, 3, 5000);
  for (size_t i = 0; i < 3; i++) assert_true(json_is_false(json_object_get(json_array_get(log, i), "client_closed")));
  json_decref(log);
  gp_mock_stop(m);
}

static void test_fault_error_event(void **state) {
  gp_mock_t *m = start1("error_event.json");
  for (int p = 0; p < 3; p++) {
    http_resp_t *r = http_post(m, all_paths[p], fault_body);
    sse_t *s = stream_ok(r); /* the body ends properly after the error */
    assert_int_equal(s->n, 4);
    sse_ev_t *e = &s->v[3];
    assert_non_null(e->json);
    if (p == 0) {
      assert_null(e->event);
      assert_string_equal(jstr(e->json, "error.message"), "Overloaded");
      assert_string_equal(jstr(e->json, "error.type"), "server_error");
    } else if (p == 1) {
      assert_string_equal(e->event, "error");
      assert_string_equal(jstr(e->json, "type"), "error");
      assert_string_equal(jstr(e->json, "error.type"), "overloaded_error");
      assert_string_equal(jstr(e->json, "error.message"), "Overloaded");
    } else {
      assert_string_equal(e->event, "response.failed");
      assert_int_equal(jint(e->json, "sequence_number"), 3);
      assert_string_equal(jstr(e->json, "response.status"), "failed");
      assert_string_equal(jstr(e->json, "response.error.message"), "Overloaded");
    }
    sse_free(s);
    http_free(r);
  }
  gp_mock_stop(m);
}

static void test_fault_malformed(void **state) {
  gp_mock_t *m = start1("malformed.json");
  for (int p = 0; p < 3; p++) {
    http_resp_t *r = http_post(m, all_paths[p], fault_body);
    sse_t *s = stream_ok(r);
    /* SSE framing intact, JSON of the third event broken, the answer continues. */
    assert_non_null(s->v[0].json);
    assert_non_null(s->v[1].json);
    assert_null(s->v[2].json);
    for (size_t i = 3; i < s->n; i++)
      assert_true(s->v[i].json != NULL || strcmp(s->v[i].data, "[DONE]") == 0);
    sse_free(s);
    http_free(r);
  }
  gp_mock_stop(m);
}

static void test_fault_truncate(void **state) {
  gp_mock_t *m = start1("truncate.json");
  const char *finals[] = {"[DONE]", "message_stop", "response.completed"};
  for (int p = 0; p < 3; p++) {
    http_resp_t *r = http_post(m, all_paths[p], fault_body);
    sse_t *s = stream_ok(r);
    assert_true(s->n > 3);
    for (size_t i = 0; i < s->n; i++) {
      assert_null(strstr(s->v[i].data, finals[p]));
      assert_null(strstr(s->v[i].data, "finish_reason\":\"stop"));
      assert_null(strstr(s->v[i].data, "message_delta"));
    }
    /* The text itself came whole. */
    assert_non_null(strstr(r->body, "three"));
    sse_free(s);
    http_free(r);
  }
  gp_mock_stop(m);
}

/* Reads until `events` SSE events arrived; returns the time in ms the data went quiet. */
static void read_events(int fd, int events) {
  gp_buf_t b = {0};
  char tmp[4096];
  int seen = 0;
  while (seen < events) {
    ssize_t n = recv(fd, tmp, sizeof tmp - 1, 0);
    assert_true(n > 0);
    gp__buf_append(&b, tmp, (size_t)n);
    seen = 0;
    for (const char *p = b.data; (p = strstr(p, "\n\n")); p += 2) seen++;
  }
  gp__buf_free(&b);
}

static void test_fault_stall_client_gives_up(void **state) {
  gp_mock_t *m = start1("stall.json");
  int fd = http_connect(m);
  /* Inheritable, like a socket of a client library that does not set close-on-exec:
   * a server started later must not keep it open (its close would go unseen). */
  fcntl(fd, F_SETFD, 0);
  http_send(fd, "POST", "/v1/messages", fault_body, NULL);
  read_events(fd, 2);
  gp_mock_t *other = start1("weather.json");
  /* Nothing more comes. */
  struct pollfd p = {.fd = fd, .events = POLLIN};
  assert_int_equal(poll(&p, 1, 300), 0);
  int64_t closed_at = gp__now_ms();
  close(fd);
  json_t *log = gp_mock_wait_requests(m, 1, 5000);
  json_t *e = json_array_get(log, 0);
  assert_true(json_is_true(json_object_get(e, "client_closed")));
  json_int_t ended = jint(e, "ended_ms");
  assert_true(ended >= closed_at - 5);
  assert_true(ended - closed_at < 1000); /* seen at once, not at a timeout */
  json_decref(log);
  gp_mock_stop(other);
  gp_mock_stop(m);
}

static void test_cancel_mid_stream_is_logged(void **state) {
  gp_mock_t *m = start1("slow.json");
  int fd = http_connect(m);
  http_send(fd, "POST", "/v1/chat/completions", fault_body, NULL);
  read_events(fd, 3);
  int64_t closed_at = gp__now_ms();
  close(fd);
  json_t *log = gp_mock_wait_requests(m, 1, 5000);
  json_t *e = json_array_get(log, 0);
  assert_true(json_is_true(json_object_get(e, "client_closed")));
  assert_true(jint(e, "ended_ms") - closed_at < 1000);
  assert_true(jint(e, "bytes_sent") < 5000); /* far from the 100 words */
  json_decref(log);
  gp_mock_stop(m);
}

/* ---- delivery ------------------------------------------------------------------------------ */

static void test_chunk_bytes_one(void **state) {
  gp_mock_t *m = start1("chunk_bytes.json");
  for (int p = 0; p < 3; p++) {
    http_resp_t *whole = http_post(m, all_paths[p], "{\"model\":\"m\",\"stream\":true,\"x\":\"whole\"}");
    http_resp_t *bytes = http_post(m, all_paths[p], "{\"model\":\"m\",\"stream\":true,\"x\":\"bytewise\"}");
    assert_true(whole->complete && bytes->complete);
    /* Every chunk on the wire was one byte; the stream is otherwise identical. */
    assert_int_equal(bytes->max_chunk, 1);
    assert_int_equal(bytes->nchunks, bytes->body_len);
    assert_true(whole->max_chunk > 1);
    assert_int_equal(whole->body_len, bytes->body_len);
    assert_memory_equal(whole->body, bytes->body, whole->body_len);
    sse_t *s = sse_parse(bytes->body);
    said_t said = {0};
    if (p == 0) check_openai(s, 0, &said);
    else if (p == 1) check_anthropic(s, &said);
    else check_responses(s, &said);
    assert_string_equal(said.text.data, "The same answer, ünïcode included.");
    assert_string_equal(said.calls[0].args.data, "{\"q\":\"ü\"}");
    said_free(&said);
    sse_free(s);
    http_free(whole);
    http_free(bytes);
  }
  gp_mock_stop(m);
}

static void test_huge_bytes(void **state) {
  gp_mock_t *m = start1("huge.json");
  http_resp_t *r = http_post(m, "/v1/chat/completions", fault_body);
  sse_t *s = stream_ok(r);
  assert_int_equal(s->comment_bytes, 100000);
  for (size_t i = 0; i < 100000; i++) assert_true(r->body[i] == ':' || r->body[i] == 'x' || r->body[i] == '\n');
  said_t said = {0};
  check_openai(s, 0, &said);
  assert_string_equal(said.text.data, "After the padding.");
  said_free(&said);
  sse_free(s);
  size_t body_len = r->body_len;
  http_free(r);
  json_t *log = gp_mock_wait_requests(m, 1, 5000);
  assert_int_equal(jint(json_array_get(log, 0), "bytes_sent"), (json_int_t)body_len);
  json_decref(log);
  gp_mock_stop(m);
}

static void test_raw_events_and_body(void **state) {
  gp_mock_t *m = start1("events.json");
  http_resp_t *r = http_post(m, "/v1/messages", "{\"stream\":true,\"x\":\"raw-events\"}");
  assert_int_equal(r->status, 200);
  assert_string_equal(r->body,
                      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_raw\"}}\n\n"
                      "data: plain text\ndata: second line\n\n"
                      "data: [DONE]\n\n");
  http_free(r);
  r = http_post(m, "/v1/chat/completions", "{\"stream\":true,\"x\":\"raw-body\"}");
  assert_string_equal(r->body, "data: {\"hand\":\"written\"}\n\ndata: [DONE]\n\n");
  http_free(r);
  gp_mock_stop(m);
}

static void test_stop_reasons(void **state) {
  gp_mock_t *m = start1("max_tokens.json");
  const char *stops[] = {"length", "max_tokens", "incomplete"};
  for (int p = 0; p < 3; p++) {
    http_resp_t *r = http_post(m, all_paths[p], fault_body);
    sse_t *s = stream_ok(r);
    said_t said = {0};
    if (p == 0) check_openai(s, 0, &said);
    else if (p == 1) check_anthropic(s, &said);
    else check_responses(s, &said);
    assert_string_equal(said.stop, stops[p]);
    assert_string_equal(said.text.data, "Cut short");
    if (p == 2) {
      assert_string_equal(s->v[s->n - 1].event, "response.incomplete");
      assert_string_equal(jstr(s->v[s->n - 1].json, "response.incomplete_details.reason"), "max_output_tokens");
    }
    said_free(&said);
    sse_free(s);
    http_free(r);
  }
  gp_mock_stop(m);
}

static void test_first_byte_delay(void **state) {
  gp_mock_t *m = start1("tokens.json");
  int fd = http_connect(m);
  int64_t t0 = gp__mono_ms();
  http_send(fd, "POST", "/v1/responses", fault_body, NULL);
  char c;
  assert_int_equal(recv(fd, &c, 1, 0), 1);
  int64_t ttfb = gp__mono_ms() - t0;
  assert_true(ttfb >= 19); /* first_byte_delay_ms: 20 */
  close(fd);
  gp_mock_stop(m);
}

/* SIGTERM with streams stalled and paused: the server closes them and exits 0 at once. */
static void test_stop_with_open_streams(void **state) {
  char *paths[2] = {gp__xasprintf("%s/mock/stall.json", GP_FIXTURES), gp__xasprintf("%s/mock/slow.json", GP_FIXTURES)};
  gp_mock_t *m = gp_mock_start((const char *const *)paths, 1);
  int fds[6];
  for (int i = 0; i < 6; i++) {
    fds[i] = http_connect(m);
    http_send(fds[i], "POST", all_paths[i % 3], fault_body, NULL);
    read_events(fds[i], 2);
  }
  int64_t t0 = gp__mono_ms();
  gp_mock_stop(m);
  assert_true(gp__mono_ms() - t0 < 3000);
  t0 = gp__mono_ms();
  for (int i = 0; i < 6; i++) {
    http_resp_t r = {0};
    http_read(fds[i], &r, 5000);
    assert_false(r.complete);
    free(r.raw);
    free(r.head);
    free(r.body);
    close(fds[i]);
  }
  assert_true(gp__mono_ms() - t0 < 4000); /* closed by the server: EOF, not the idle limit */
  m = gp_mock_start((const char *const *)&paths[1], 1);
  int fd = http_connect(m);
  http_send(fd, "POST", "/v1/messages", fault_body, NULL);
  read_events(fd, 2);
  t0 = gp__mono_ms();
  gp_mock_stop(m);
  assert_true(gp__mono_ms() - t0 < 3000);
  close(fd);
  free(paths[0]);
  free(paths[1]);
}

/* Many concurrent delayed streams, driven from one thread with poll(): each connection
 * gets its whole answer, and together they take about as long as one (the server never
 * serialises them). */
static void test_concurrent_delayed_streams(void **state) {
  const char *env = getenv("GP_MOCK_CONCURRENCY");
  int n = env ? atoi(env) : 200;
  gp_test_watchdog("test_concurrent_delayed_streams", 120);
  gp_mock_t *m = start1("tokens.json");
  int *fds = gp__xcalloc((size_t)n, sizeof *fds);
  gp_buf_t *got = gp__xcalloc((size_t)n, sizeof *got);
  struct pollfd *pf = gp__xcalloc((size_t)n, sizeof *pf);
  int64_t t0 = gp__mono_ms();
  for (int i = 0; i < n; i++) {
    fds[i] = http_connect(m);
    http_send(fds[i], "POST", "/v1/chat/completions", fault_body, NULL);
  }
  int open = n;
  while (open > 0) {
    for (int i = 0; i < n; i++) pf[i] = (struct pollfd){.fd = fds[i], .events = POLLIN};
    assert_true(poll(pf, (nfds_t)n, 30000) > 0);
    for (int i = 0; i < n; i++) {
      if (fds[i] < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char tmp[8192];
      ssize_t k = recv(fds[i], tmp, sizeof tmp, 0);
      if (k > 0) {
        gp__buf_append(&got[i], tmp, (size_t)k);
        continue;
      }
      close(fds[i]);
      fds[i] = -1;
      pf[i].fd = -1;
      open--;
    }
  }
  int64_t elapsed = gp__mono_ms() - t0;
  for (int i = 0; i < n; i++) {
    http_resp_t r = {.raw = got[i].data, .raw_len = got[i].len};
    http_parse(&r);
    assert_int_equal(r.status, 200);
    assert_true(r.complete);
    sse_t *s = sse_parse(r.body);
    said_t said = {0};
    check_openai(s, 0, &said);
    assert_string_equal(said.text.data, "w1 w2 w3 w4 w5 w6 w7 w8 w9 w10");
    said_free(&said);
    sse_free(s);
    free(r.head);
    free(r.body);
    gp__buf_free(&got[i]);
  }
  /* One stream takes ~250 ms (20 ms first byte + 11 pauses of 20 ms); serialised, n of
   * them would take n times that. */
  print_message("%d concurrent delayed streams in %lld ms\n", n, (long long)elapsed);
  assert_true(elapsed < 20000);
  free(fds);
  free(got);
  free(pf);
  json_t *log = gp_mock_wait_requests(m, (size_t)n, 10000);
  assert_int_equal(json_array_size(log), (size_t)n);
  json_decref(log);
  gp_mock_stop(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_openai_stream),
      GP_TEST(test_anthropic_stream),
      GP_TEST(test_responses_stream),
      GP_TEST(test_multistep_by_tool_results),
      GP_TEST(test_expectations),
      GP_TEST(test_times_429_then_200),
      GP_TEST(test_routes_and_rejections),
      GP_TEST(test_fault_reset),
      GP_TEST(test_fault_error_event),
      GP_TEST(test_fault_malformed),
      GP_TEST(test_fault_truncate),
      GP_TEST(test_fault_stall_client_gives_up),
      GP_TEST(test_cancel_mid_stream_is_logged),
      GP_TEST(test_chunk_bytes_one),
      GP_TEST(test_huge_bytes),
      GP_TEST(test_raw_events_and_body),
      GP_TEST(test_stop_reasons),
      GP_TEST(test_first_byte_delay),
      GP_TEST(test_stop_with_open_streams),
      GP_TEST(test_concurrent_delayed_streams),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
