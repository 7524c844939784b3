/* Fixture files: loading and checking them, and picking the response for a request
 * (first match in command-line order whose `times` is not used up). The responses are
 * read-only after loading; the lock guards the `times` counters and every read of the
 * fixture JSON, so no jansson value is ever read from two threads at once. */
#include "mock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

typedef struct {
  json_t *resp;       /* the fixture response object */
  long times;         /* 0: unlimited */
  long used;          /* guarded by gp__lock */
} gp__entry_t;

static gp__entry_t *gp__entries;
static size_t gp__n;
static json_t *gp__files; /* the loaded documents, kept alive */
static pthread_mutex_t gp__lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- checking a response when loading --------------------------------------------- */

typedef enum { K_STRING, K_COUNT, K_OBJECT, K_ARRAY, K_ANY } gp__kind_t;

static const struct {
  const char *key;
  gp__kind_t kind;
} gp__keys[] = {
    {"match", K_OBJECT},   {"expect", K_OBJECT},       {"text", K_STRING},
    {"reasoning", K_STRING}, {"signature", K_STRING},  {"tool_calls", K_ARRAY},
    {"usage", K_OBJECT},   {"stop_reason", K_STRING},  {"tokens", K_COUNT},
    {"chunk_bytes", K_COUNT}, {"delay_ms", K_COUNT},   {"first_byte_delay_ms", K_COUNT},
    {"times", K_COUNT},    {"fault", K_OBJECT},        {"huge_bytes", K_COUNT},
    {"events", K_ARRAY},   {"raw", K_STRING},          {"status", K_COUNT},
    {"headers", K_OBJECT}, {"body", K_ANY},            {"id", K_STRING},
    {"comment", K_ANY},    {"name", K_ANY},            {"gzip", K_ANY},
    {"output", K_ANY},     {"output_text", K_STRING},  {"fragment_bytes", K_COUNT},
};

static int gp__kind_ok(json_t *v, gp__kind_t k) {
  switch (k) {
  case K_STRING: return json_is_string(v);
  case K_COUNT: return json_is_integer(v) && json_integer_value(v) >= 0;
  case K_OBJECT: return json_is_object(v);
  case K_ARRAY: return json_is_array(v);
  default: return 1;
  }
}

static const char *gp__kind_name(gp__kind_t k) {
  static const char *names[] = {"a string", "a non-negative integer", "an object", "an array", "any"};
  return names[k];
}

static int gp__check_fault(json_t *fault, char **why) {
  const char *kind = json_string_value(json_object_get(fault, "kind"));
  json_t *after = json_object_get(fault, "after_events");
  if (after && !gp__kind_ok(after, K_COUNT)) {
    *why = gp__xstrdup("fault.after_events must be a non-negative integer");
    return -1;
  }
  static const char *kinds[] = {"reset", "stall", "error_event", "malformed", "truncate"};
  for (size_t i = 0; kind && i < sizeof kinds / sizeof *kinds; i++)
    if (strcmp(kind, kinds[i]) == 0) return 0;
  *why = gp__xstrdup("fault.kind must be one of reset, stall, error_event, malformed, truncate");
  return -1;
}

static int gp__check_events(json_t *events, char **why) {
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    json_t *name = json_object_get(e, "event");
    if (!json_is_object(e) || !json_object_get(e, "data") || (name && !json_is_string(name))) {
      *why = gp__xasprintf("events[%zu] must be {\"event\"?: string, \"data\": string or JSON}", i);
      return -1;
    }
  }
  return 0;
}

static int gp__check_headers(json_t *headers, char **why) {
  const char *k;
  json_t *v;
  json_object_foreach(headers, k, v) {
    if (json_is_string(v)) continue;
    *why = gp__xasprintf("headers.%s must be a string", k);
    return -1;
  }
  return 0;
}

static int gp__check_calls(json_t *calls, char **why) {
  size_t i;
  json_t *c;
  json_array_foreach(calls, i, c) {
    if (!json_is_string(json_object_get(c, "name"))) {
      *why = gp__xasprintf("tool_calls[%zu] needs a string \"name\"", i);
      return -1;
    }
  }
  return 0;
}

/* Checks one response; warns about keys it does not know (typos), fails on wrong types. */
static int gp__check_response(json_t *r, const char *where, char **why) {
  if (!json_is_object(r)) {
    *why = gp__xstrdup("a response must be a JSON object");
    return -1;
  }
  const char *key;
  json_t *v;
  json_object_foreach(r, key, v) {
    size_t i, n = sizeof gp__keys / sizeof *gp__keys;
    for (i = 0; i < n && strcmp(gp__keys[i].key, key) != 0; i++) {}
    if (i == n) {
      if (key[0] != '_') fprintf(stderr, "geppetto-mock: %s: unknown key \"%s\" ignored\n", where, key);
      continue;
    }
    if (!gp__kind_ok(v, gp__keys[i].kind)) {
      *why = gp__xasprintf("\"%s\" must be %s", key, gp__kind_name(gp__keys[i].kind));
      return -1;
    }
  }
  json_t *fault = json_object_get(r, "fault");
  if (fault && gp__check_fault(fault, why) != 0) return -1;
  json_t *calls = json_object_get(r, "tool_calls");
  if (calls && gp__check_calls(calls, why) != 0) return -1;
  json_t *events = json_object_get(r, "events");
  if (events && gp__check_events(events, why) != 0) return -1;
  json_t *headers = json_object_get(r, "headers");
  if (headers && gp__check_headers(headers, why) != 0) return -1;
  json_t *status = json_object_get(r, "status");
  if (status && (json_integer_value(status) < 100 || json_integer_value(status) > 599)) {
    *why = gp__xstrdup("\"status\" must be an HTTP status (100-599)");
    return -1;
  }
  return 0;
}

/* ---- loading ------------------------------------------------------------------------ */

static int gp__load_file(const char *path) {
  json_error_t je;
  json_t *doc = json_load_file(path, 0, &je);
  if (!doc) {
    if (je.line > 0) fprintf(stderr, "geppetto-mock: %s:%d: %s\n", path, je.line, je.text);
    else fprintf(stderr, "geppetto-mock: %s\n", je.text);
    return -1;
  }
  json_array_append_new(gp__files, doc);
  json_t *list = json_is_array(doc) ? doc : json_object_get(doc, "responses");
  if (!json_is_array(list)) {
    fprintf(stderr, "geppetto-mock: %s: expected {\"responses\": [...]} or an array of responses\n", path);
    return -1;
  }
  size_t i;
  json_t *r;
  json_array_foreach(list, i, r) {
    char where[512], *why = NULL;
    snprintf(where, sizeof where, "%s: responses[%zu]", path, i);
    if (gp__check_response(r, where, &why) != 0) {
      fprintf(stderr, "geppetto-mock: %s: %s\n", where, why);
      free(why);
      return -1;
    }
    gp__entries = gp__xrealloc(gp__entries, (gp__n + 1) * sizeof *gp__entries);
    gp__entries[gp__n++] = (gp__entry_t){
        .resp = r, .times = (long)json_integer_value(json_object_get(r, "times"))};
  }
  return 0;
}

int gp_mock_fixtures_load(char *const *paths, int n) {
  gp__files = json_array();
  for (int i = 0; i < n; i++)
    if (gp__load_file(paths[i]) != 0) return -1;
  return 0;
}

void gp_mock_fixtures_free(void) {
  free(gp__entries);
  gp__entries = NULL;
  gp__n = 0;
  json_decref(gp__files);
  gp__files = NULL;
}

size_t gp_mock_fixtures_count(void) { return gp__n; }

/* ---- matching ----------------------------------------------------------------------- */

static int gp__contains(json_t *want, const gp_mock_req_t *req) {
  if (json_is_string(want)) return strstr(req->body, json_string_value(want)) != NULL;
  size_t i;
  json_t *s;
  json_array_foreach(want, i, s) if (!json_is_string(s) || !strstr(req->body, json_string_value(s))) return 0;
  return json_is_array(want);
}

/* Every given key of `match` holds for the request. */
static int gp__matches(json_t *match, const gp_mock_req_t *req) {
  json_t *v;
  if ((v = json_object_get(match, "protocol")) &&
      (!json_is_string(v) || strcmp(json_string_value(v), gp_mock_proto_name(req->proto)) != 0))
    return 0;
  if ((v = json_object_get(match, "model")) &&
      (!json_is_string(v) || strcmp(json_string_value(v), req->model) != 0))
    return 0;
  if ((v = json_object_get(match, "tool_results")) &&
      (!json_is_integer(v) || json_integer_value(v) != req->tool_results))
    return 0;
  if ((v = json_object_get(match, "contains")) && !gp__contains(v, req)) return 0;
  return 1;
}

json_t *gp_mock_fixtures_pick(const gp_mock_req_t *req, int *index) {
  json_t *copy = NULL;
  *index = -1;
  pthread_mutex_lock(&gp__lock);
  for (size_t i = 0; i < gp__n; i++) {
    gp__entry_t *e = &gp__entries[i];
    if (e->times > 0 && e->used >= e->times) continue;
    if (!gp__matches(json_object_get(e->resp, "match"), req)) continue;
    e->used++;
    *index = (int)i;
    copy = json_deep_copy(e->resp);
    break;
  }
  pthread_mutex_unlock(&gp__lock);
  return copy;
}

void gp_mock_fixtures_reset(void) {
  pthread_mutex_lock(&gp__lock);
  for (size_t i = 0; i < gp__n; i++) gp__entries[i].used = 0;
  pthread_mutex_unlock(&gp__lock);
}
