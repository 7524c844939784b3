/* Helpers shared by the provider engine tests (header-only; include once per test after
 * cmocka): an event capture sink, an inference context with its token and emitter,
 * provider configurations, fixture reading, and a decoder that feeds recorded SSE bytes
 * through the real SSE parser and a protocol's event handler, without HTTP. */
#ifndef GP_TEST_PROVIDER_UTIL_H
#define GP_TEST_PROVIDER_UTIL_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "engines/provider_internal.h"
#include "geppetto/geppetto.h"
#include "geppetto/providers.h"

#define PU_UNUSED __attribute__((unused))
#define PU_MAX_EVENTS 8192

/* ---- event capture ---- */

typedef struct {
  pthread_mutex_t lock;
  size_t n;
  gp_event_type_t types[PU_MAX_EVENTS];
  json_t *all;                 /* array of every event's wire JSON (deep copies) */
} pu_cap_t;

PU_UNUSED static void pu_cap_publish(void *ud, gp_event_t *ev) {
  pu_cap_t *c = ud;
  pthread_mutex_lock(&c->lock);
  if (c->n < PU_MAX_EVENTS) c->types[c->n++] = ev->type;
  json_array_append_new(c->all, gp_event_to_json(ev));
  pthread_mutex_unlock(&c->lock);
}

PU_UNUSED static size_t pu_cap_count(pu_cap_t *c, gp_event_type_t t) {
  pthread_mutex_lock(&c->lock);
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++) k += c->types[i] == t;
  pthread_mutex_unlock(&c->lock);
  return k;
}

/* The k-th event of type t (wire JSON, borrowed), or NULL. k < 0 counts from the end. */
PU_UNUSED static json_t *pu_cap_get(pu_cap_t *c, gp_event_type_t t, long k) {
  pthread_mutex_lock(&c->lock);
  long total = 0;
  for (size_t i = 0; i < c->n; i++) total += c->types[i] == t;
  long want = k < 0 ? total + k : k;
  json_t *out = NULL;
  long seen = 0;
  for (size_t i = 0; i < c->n && !out; i++) {
    if (c->types[i] != t) continue;
    if (seen++ == want) out = json_array_get(c->all, i);
  }
  pthread_mutex_unlock(&c->lock);
  return out;
}

/* ---- an inference context ---- */

typedef struct {
  pu_cap_t cap;
  gp_sink_t *sink;
  gp_emitter_t *em;
  gp_cancel_t *cancel;
  json_t *tags;
  json_t *tool_defs;
  gp_infer_ctx_t ctx;
} pu_ctx_t;

/* tool_defs: stolen; NULL: none. */
PU_UNUSED static pu_ctx_t *pu_ctx_new(json_t *tool_defs) {
  pu_ctx_t *c = calloc(1, sizeof *c);
  pthread_mutex_init(&c->cap.lock, NULL);
  c->cap.all = json_array();
  c->sink = gp_sink_new(pu_cap_publish, &c->cap, NULL);
  c->em = gp_emitter_new("sess-1", "inf-1", "turn-1");
  gp_emitter_add_sink(c->em, c->sink);
  c->cancel = gp_cancel_new(NULL);
  c->tags = json_object();
  c->tool_defs = tool_defs ? tool_defs : json_array();
  c->ctx.run.session_id = "sess-1";
  c->ctx.run.run_id = "inf-1";
  c->ctx.run.tags = c->tags;
  c->ctx.run.cancel = c->cancel;
  c->ctx.emitter = c->em;
  c->ctx.tool_defs = c->tool_defs;
  c->ctx.tool_choice = "auto";
  c->ctx.iteration = 1;
  return c;
}

PU_UNUSED static void pu_ctx_free(pu_ctx_t *c) {
  if (!c) return;
  gp_emitter_free(c->em);
  gp_sink_unref(c->sink);
  gp_cancel_unref(c->cancel);
  json_decref(c->tags);
  json_decref(c->tool_defs);
  json_decref(c->cap.all);
  pthread_mutex_destroy(&c->cap.lock);
  free(c);
}

/* [{name, description, parameters}] for two tools. */
PU_UNUSED static json_t *pu_weather_tools(void) {
  return json_pack("[{s:s, s:s, s:{s:s, s:{s:{s:s}}, s:[s]}}, {s:s, s:s, s:{}}]", "name",
                   "get_weather", "description", "Weather for a city", "parameters", "type",
                   "object", "properties", "city", "type", "string", "required", "city", "name",
                   "get_time", "description", "", "parameters");
}

/* ---- configurations ---- */

PU_UNUSED static gp_prov_t *pu_prov(const char *api_type, const char *base_url, const char *key) {
  gp_engine_config_t c;
  gp_engine_config_init(&c);
  c.api_type = api_type;
  c.model = "test-model";
  c.base_url = base_url;
  c.api_key = key;
  gp_error_t *err = NULL;
  gp_prov_t *p = gp__prov_new(&c, &err);
  if (!p) {
    fprintf(stderr, "pu_prov: %s\n", err ? err->message : "?");
    gp_error_free(err);
  }
  return p;
}

/* ---- fixtures ---- */

/* The bytes of GP_FIXTURES/providers/NAME (heap, NUL-terminated); *len its size. */
PU_UNUSED static char *pu_fixture(const char *name, size_t *len) {
  char *path = gp__xasprintf("%s/providers/%s", GP_FIXTURES, name);
  FILE *f = fopen(path, "rb");
  free(path);
  if (!f) return NULL;
  gp_buf_t b = {0};
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) gp__buf_append(&b, chunk, n);
  fclose(f);
  if (len) *len = b.len;
  return gp__buf_steal(&b);
}

PU_UNUSED static char *pu_fixture_path(const char *name) {
  return gp__xasprintf("%s/providers/%s", GP_FIXTURES, name);
}

/* ---- decoding recorded streams ---- */

static int pu__on_sse(void *ud, const gp_sse_event_t *ev) {
  gp_pstream_t *s = ud;
  if (s->finished) return 0;
  return s->prov->proto->on_event(s, ev);
}

/* Feeds `data` in pieces of `chunk` bytes (0: whole) through the SSE decoder into `turn`,
 * as the engine does with a response body. Returns 0, the decoder's error, or
 * PROVIDER_STREAM when the protocol's final event never came; *err set on failure. */
PU_UNUSED static int pu_decode(const gp_prov_t *p, gp_emitter_t *em, gp_turn_t *turn,
                               const char *data, size_t len, size_t chunk, gp_error_t **err) {
  gp_pstream_t st;
  gp__pstream_init(&st, p, em, turn);
  gp_sse_t *sse = gp__sse_new(pu__on_sse, &st);
  if (chunk == 0) chunk = len ? len : 1;
  int rc = 0;
  for (size_t off = 0; off < len && rc == 0; off += chunk) {
    size_t n = len - off < chunk ? len - off : chunk;
    rc = gp__sse_feed(sse, data + off, n);
  }
  gp__sse_finish(sse);
  gp__sse_free(sse);
  if (rc != 0) {
    if (err) *err = st.err;
    else gp_error_free(st.err);
    st.err = NULL;
  } else if (!st.finished && !(p->proto->finish_completes && st.stop_reason)) {
    rc = gp_error_set(err, GP_ERR_PROVIDER_STREAM, "stream ended before its final event");
  }
  gp__pstream_finish(&st, rc == 0);
  return rc;
}

/* The text of the first block of `kind` in `t`, or NULL. */
PU_UNUSED static const char *pu_text_of(const gp_turn_t *t, gp_block_kind_t kind) {
  for (size_t i = 0; i < t->nblocks; i++) {
    if (t->blocks[i]->kind == kind) return gp_block_text(t->blocks[i]);
  }
  return NULL;
}

PU_UNUSED static int64_t pu_usage(const gp_turn_t *t, const char *key) {
  json_t *v = json_object_get(gp_turn_get_meta(t, GP_META_USAGE), key);
  return json_is_integer(v) ? json_integer_value(v) : -1;
}

PU_UNUSED static const char *pu_stop(const gp_turn_t *t) {
  return json_string_value(gp_turn_get_meta(t, GP_META_STOP_REASON));
}

/* A turn with the conversation the request-building tests use: system, user, an
 * assistant step (reasoning, text, two tool calls), the two results (one an error),
 * and a follow-up user message. */
PU_UNUSED static gp_turn_t *pu_conversation(void) {
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_system("You are terse."));
  gp_turn_append(t, gp_block_new_user("Weather in Paris and the time?"));
  gp_block_t *r = gp_block_new_reasoning("Two tools needed.");
  r->metadata = json_pack("{s:s}", "signature", "sig-123");
  gp_turn_append(t, r);
  gp_turn_append(t, gp_block_new_assistant("Let me check."));
  gp_turn_append(t, gp_block_new_tool_call("call_1", "get_weather", json_pack("{s:s}", "city", "Paris")));
  gp_turn_append(t, gp_block_new_tool_call("call_2", "get_time", json_object()));
  gp_turn_append(t, gp_block_new_tool_use("call_1", json_pack("{s:i, s:s}", "temp", 21, "sky", "clear"), NULL));
  gp_turn_append(t, gp_block_new_tool_use("call_2", json_null(), "clock unavailable"));
  gp_turn_append(t, gp_block_new_user("Thanks"));
  return t;
}

/* json_equal against a JSON literal; prints both on mismatch. */
PU_UNUSED static int pu_json_is(const json_t *got, const char *want_text) {
  json_error_t e;
  json_t *want = json_loads(want_text, JSON_DECODE_ANY, &e);
  if (!want) {
    fprintf(stderr, "pu_json_is: bad literal: %s\n", e.text);
    return 0;
  }
  int ok = json_equal((json_t *)got, want);
  if (!ok) {
    char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    char *w = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
    fprintf(stderr, "JSON mismatch\n got:  %s\n want: %s\n", g ? g : "(null)", w);
    free(g);
    free(w);
  }
  json_decref(want);
  return ok;
}

#endif
