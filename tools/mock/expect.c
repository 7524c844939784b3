/* Expectations: checks a fixture response's `expect` against what the client sent, so a
 * test learns exactly which header, tool or body part its client got wrong. */
#include "mock.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"

/* Secrets are shown by length only, as in the request log. */
static int gp__secret(const char *name) {
  return strcasecmp(name, "authorization") == 0 || strcasecmp(name, "x-api-key") == 0 ||
         strcasecmp(name, "api-key") == 0;
}

static char *gp__show(const char *name, const char *value) {
  if (!value) return gp__xstrdup("nothing (header absent)");
  if (gp__secret(name)) return gp__xasprintf("<redacted:%zu chars>", strlen(value));
  return gp__xasprintf("\"%s\"", value);
}

static char *gp__check_headers(json_t *want, const gp_mock_req_t *req) {
  const char *name;
  json_t *v;
  json_object_foreach(want, name, v) {
    char lower[256];
    size_t i;
    for (i = 0; name[i] && i + 1 < sizeof lower; i++) lower[i] = (char)(name[i] | ((name[i] >= 'A' && name[i] <= 'Z') ? 0x20 : 0));
    lower[i] = '\0';
    const char *got = json_string_value(json_object_get(req->headers, lower));
    const char *exp = json_string_value(v);
    if (exp && got && strcmp(exp, got) == 0) continue;
    char *want_s = gp__show(lower, exp), *got_s = gp__show(lower, got);
    char *msg = gp__xasprintf("expect.header %s: expected %s, got %s", lower, want_s, got_s);
    free(want_s);
    free(got_s);
    return msg;
  }
  return NULL;
}

static char *gp__check_tools(json_t *want, const gp_mock_req_t *req) {
  size_t i;
  json_t *v;
  json_array_foreach(want, i, v) {
    const char *name = json_string_value(v);
    if (name && gp_mock_req_offers_tool(req, name)) continue;
    char *offered = json_dumps(json_object_get(req->json, "tools"), JSON_COMPACT);
    char *msg = gp__xasprintf("expect.tools: tool \"%s\" is not offered (tools: %s)",
                             name ? name : "?", offered ? offered : "none");
    free(offered);
    return msg;
  }
  return NULL;
}

static char *gp__check_stream(json_t *want, const gp_mock_req_t *req) {
  json_t *got = json_object_get(req->json, "stream");
  if (json_is_boolean(got) && json_is_true(got) == json_is_true(want)) return NULL;
  return gp__xasprintf("expect.stream: expected %s, got %s", json_is_true(want) ? "true" : "false",
                      !got ? "nothing" : json_is_true(got) ? "true" : json_is_false(got) ? "false" : "a non-boolean");
}

static char *gp__check_body(json_t *want, const gp_mock_req_t *req) {
  if (json_is_string(want)) {
    if (strstr(req->body, json_string_value(want))) return NULL;
    return gp__xasprintf("expect.body_contains: the body does not contain \"%s\"", json_string_value(want));
  }
  size_t i;
  json_t *v;
  json_array_foreach(want, i, v) {
    const char *s = json_string_value(v);
    if (s && strstr(req->body, s)) continue;
    return gp__xasprintf("expect.body_contains: the body does not contain \"%s\"", s ? s : "?");
  }
  return NULL;
}

/* Where a `json` expectation first failed. */
typedef struct {
  gp_buf_t path;   /* e.g. body.messages[0].role */
  json_t *want;    /* the expected value there (borrowed) */
  json_t *got;     /* what the request has there, NULL when absent (borrowed) */
} gp__miss_t;

/* `want` holds inside `got`: objects key by key, arrays position by position (the
 * request's array may be longer), anything else equal. */
static int gp__json_holds(json_t *want, json_t *got, gp__miss_t *miss) {
  size_t mark = miss->path.len;
  if (json_is_object(want) && json_is_object(got)) {
    const char *k;
    json_t *v;
    json_object_foreach(want, k, v) {
      gp__buf_printf(&miss->path, ".%s", k);
      if (!gp__json_holds(v, json_object_get(got, k), miss)) return 0;
      miss->path.len = mark;
      miss->path.data[mark] = '\0';
    }
    return 1;
  }
  if (json_is_array(want) && json_is_array(got) && json_array_size(got) >= json_array_size(want)) {
    size_t i;
    json_t *v;
    json_array_foreach(want, i, v) {
      gp__buf_printf(&miss->path, "[%zu]", i);
      if (!gp__json_holds(v, json_array_get(got, i), miss)) return 0;
      miss->path.len = mark;
      miss->path.data[mark] = '\0';
    }
    return 1;
  }
  /* Numbers by value, so 1 and 1.0 agree. */
  if (json_is_number(want) && json_is_number(got) && json_number_value(want) == json_number_value(got)) return 1;
  if (!json_is_object(want) && !json_is_array(want) && got && json_equal(want, got)) return 1;
  miss->want = want;
  miss->got = got;
  return 0;
}

static char *gp__check_json(json_t *want, const gp_mock_req_t *req) {
  gp__miss_t miss = {0};
  gp__buf_puts(&miss.path, "body");
  if (gp__json_holds(want, req->json, &miss)) {
    gp__buf_free(&miss.path);
    return NULL;
  }
  char *w = json_dumps(miss.want, JSON_COMPACT | JSON_ENCODE_ANY);
  char *g = miss.got ? json_dumps(miss.got, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  char *msg = gp__xasprintf("expect.json: at %s expected %.300s, got %.300s", miss.path.data,
                           w ? w : "?", g ? g : "nothing");
  free(w);
  free(g);
  gp__buf_free(&miss.path);
  return msg;
}

char *gp_mock_expect_check(json_t *expect, const gp_mock_req_t *req) {
  if (!expect) return NULL;
  json_t *v;
  char *msg = NULL;
  if (!msg && (v = json_object_get(expect, "header"))) msg = gp__check_headers(v, req);
  if (!msg && (v = json_object_get(expect, "tools"))) msg = gp__check_tools(v, req);
  if (!msg && (v = json_object_get(expect, "stream"))) msg = gp__check_stream(v, req);
  if (!msg && (v = json_object_get(expect, "body_contains"))) msg = gp__check_body(v, req);
  if (!msg && (v = json_object_get(expect, "json"))) msg = gp__check_json(v, req);
  return msg;
}
