/* Test doubles for one layer at a time: a scripted engine that asks for tool calls a
 * set number of times before answering, and an event recorder sink. Header-only; each
 * test file includes it once. */
#ifndef GP_TEST_SCRIPTED_H
#define GP_TEST_SCRIPTED_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "geppetto/geppetto.h"

typedef struct {
  int tool_iterations;   /* iterations that answer with tool calls */
  int calls_per_iter;
  const char *tool_name;
  int delay_ms;          /* cancellable sleep per inference */
  atomic_int infer_count;
} scripted_t;

__attribute__((unused)) static int scripted_infer(void *impl, gp_infer_ctx_t *ctx, gp_turn_t *turn, gp_error_t **err) {
  scripted_t *s = impl;
  int n = atomic_fetch_add(&s->infer_count, 1) + 1;
  if (s->delay_ms > 0) {
    int r = gp_cancel_wait(ctx->run.cancel, s->delay_ms);
    if (r) return gp_error_set(err, r, "scripted engine interrupted");
  }
  if (ctx->iteration <= s->tool_iterations) {
    for (int k = 0; k < s->calls_per_iter; k++) {
      char id[64];
      snprintf(id, sizeof id, "call_%d_%d", ctx->iteration, k);
      json_t *args = json_pack("{s:i}", "n", k);
      gp_emit(ctx->emitter, GP_EVENT_TOOL_CALL, gp_fields_tool_call(id, s->tool_name, args));
      gp_turn_append(turn, gp_block_new_tool_call(id, s->tool_name, args));
    }
    return 0;
  }
  char *text = gp__xasprintf("done after %d inferences", n);
  gp_emit(ctx->emitter, GP_EVENT_PARTIAL, gp_fields_partial(text, text));
  gp_turn_append(turn, gp_block_new_assistant(text));
  free(text);
  gp_turn_set_meta(turn, GP_META_USAGE, json_pack("{s:i,s:i}", "inputTokens", 3, "outputTokens", 4));
  gp_turn_set_meta(turn, GP_META_STOP_REASON, json_string("stop"));
  return 0;
}

__attribute__((unused)) static const gp_engine_vtable_t scripted_vt = {"scripted", scripted_infer, NULL};

__attribute__((unused)) static gp_engine_t *scripted_engine(scripted_t *s) {
  atomic_init(&s->infer_count, 0);
  return gp_engine_new(&scripted_vt, s, "scripted-1");
}

/* Records event type names in order. */
typedef struct {
  pthread_mutex_t lock;
  int n;
  gp_event_type_t types[4096];
  json_t *last_fields;   /* fields of the last event recorded */
} recorder_t;

__attribute__((unused)) static void recorder_cb(void *ud, gp_event_t *ev) {
  recorder_t *r = ud;
  pthread_mutex_lock(&r->lock);
  if (r->n < 4096) r->types[r->n++] = ev->type;
  json_decref(r->last_fields);
  r->last_fields = json_deep_copy(ev->fields); /* never share a JSON value across threads */
  pthread_mutex_unlock(&r->lock);
}

__attribute__((unused)) static void recorder_free(void *ud) {
  recorder_t *r = ud;
  json_decref(r->last_fields);
  pthread_mutex_destroy(&r->lock);
  free(r);
}

__attribute__((unused)) static gp_sink_t *recorder_new(recorder_t **out) {
  recorder_t *r = calloc(1, sizeof *r);
  pthread_mutex_init(&r->lock, NULL);
  *out = r;
  return gp_sink_new(recorder_cb, r, recorder_free);
}

__attribute__((unused)) static int recorder_count(recorder_t *r, gp_event_type_t t) {
  pthread_mutex_lock(&r->lock);
  int c = 0;
  for (int i = 0; i < r->n; i++) c += r->types[i] == t;
  pthread_mutex_unlock(&r->lock);
  return c;
}

__attribute__((unused)) static int recorder_terminals(recorder_t *r) {
  pthread_mutex_lock(&r->lock);
  int c = 0;
  for (int i = 0; i < r->n; i++) c += gp_event_is_terminal(r->types[i]);
  pthread_mutex_unlock(&r->lock);
  return c;
}

__attribute__((unused)) static gp_event_type_t recorder_last(recorder_t *r) {
  pthread_mutex_lock(&r->lock);
  gp_event_type_t t = r->n ? r->types[r->n - 1] : GP_EVENT_TYPE_COUNT;
  pthread_mutex_unlock(&r->lock);
  return t;
}

#endif
