/* Anthropic Messages streams: message_start, then one content block per part (thinking
 * with its signature, text, one tool_use per call) as content_block_start / _delta /
 * _stop, a ping after the first block starts, message_delta with the stop reason and
 * output tokens, and message_stop. Every event is "event: TYPE" plus its data. */
#include "mock.h"

#include <stdlib.h>

#include "core/core.h"

static void gp__emit(gp_mock_events_t *ev, json_t *data, int final) {
  const char *type = json_string_value(json_object_get(data, "type"));
  char *name = gp__xstrdup(type);
  gp_mock_events_json(ev, name, data, final);
  free(name);
}

static void gp__block_start(gp_mock_events_t *ev, int index, json_t *block, int *pinged) {
  gp__emit(ev, json_pack("{s:s, s:i, s:o}", "type", "content_block_start", "index", index,
                         "content_block", block), 0);
  if (!*pinged) {
    gp__emit(ev, json_pack("{s:s}", "type", "ping"), 0);
    *pinged = 1;
  }
}

static void gp__delta(gp_mock_events_t *ev, int index, json_t *delta) {
  gp__emit(ev, json_pack("{s:s, s:i, s:o}", "type", "content_block_delta", "index", index, "delta", delta), 0);
}

static void gp__block_stop(gp_mock_events_t *ev, int index) {
  gp__emit(ev, json_pack("{s:s, s:i}", "type", "content_block_stop", "index", index), 0);
}

static void gp__message_start(const gp_mock_answer_t *a, gp_mock_events_t *ev) {
  json_t *usage = json_pack("{s:I, s:i, s:I, s:i}", "input_tokens", (json_int_t)a->input_tokens,
                            "cache_creation_input_tokens", 0, "cache_read_input_tokens",
                            (json_int_t)a->cached_tokens, "output_tokens", 1);
  json_t *msg = json_object();
  json_object_set_new(msg, "id", json_sprintf("msg_%s", a->tag));
  json_object_set_new(msg, "type", json_string("message"));
  json_object_set_new(msg, "role", json_string("assistant"));
  json_object_set_new(msg, "model", json_string(a->model));
  json_object_set_new(msg, "content", json_array());
  json_object_set_new(msg, "stop_reason", json_null());
  json_object_set_new(msg, "stop_sequence", json_null());
  json_object_set_new(msg, "usage", usage);
  gp__emit(ev, json_pack("{s:s, s:o}", "type", "message_start", "message", msg), 0);
}

void gp_mock_synth_anthropic(const gp_mock_answer_t *a, gp_mock_events_t *ev) {
  int index = 0, pinged = 0;
  gp__message_start(a, ev);
  if (a->nreasoning) {
    gp__block_start(ev, index, json_pack("{s:s, s:s, s:s}", "type", "thinking", "thinking", "", "signature", ""), &pinged);
    for (size_t i = 0; i < a->nreasoning; i++)
      gp__delta(ev, index, json_pack("{s:s, s:s}", "type", "thinking_delta", "thinking", a->reasoning[i]));
    gp__delta(ev, index, json_pack("{s:s, s:s}", "type", "signature_delta", "signature", a->signature));
    gp__block_stop(ev, index++);
  }
  if (a->ntext) {
    gp__block_start(ev, index, json_pack("{s:s, s:s}", "type", "text", "text", ""), &pinged);
    for (size_t i = 0; i < a->ntext; i++)
      gp__delta(ev, index, json_pack("{s:s, s:s}", "type", "text_delta", "text", a->text[i]));
    gp__block_stop(ev, index++);
  }
  for (size_t c = 0; c < a->ncalls; c++) {
    const struct gp_mock_call_s *k = &a->calls[c];
    gp__block_start(ev, index, json_pack("{s:s, s:s, s:s, s:{}}", "type", "tool_use", "id", k->id, "name", k->name, "input"), &pinged);
    /* The service opens every tool input with an empty fragment. */
    gp__delta(ev, index, json_pack("{s:s, s:s}", "type", "input_json_delta", "partial_json", ""));
    for (size_t f = 0; f < k->nfrags; f++)
      gp__delta(ev, index, json_pack("{s:s, s:s}", "type", "input_json_delta", "partial_json", k->frags[f]));
    gp__block_stop(ev, index++);
  }
  if (!pinged) gp__emit(ev, json_pack("{s:s}", "type", "ping"), 0);
  const char *stop = a->stop_reason ? a->stop_reason : a->ncalls ? "tool_use" : "end_turn";
  gp__emit(ev, json_pack("{s:s, s:{s:s, s:n}, s:{s:I}}", "type", "message_delta", "delta", "stop_reason",
                         stop, "stop_sequence", "usage", "output_tokens", (json_int_t)a->output_tokens), 1);
  gp__emit(ev, json_pack("{s:s}", "type", "message_stop"), 1);
}
