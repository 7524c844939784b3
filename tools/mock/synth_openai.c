/* OpenAI Chat Completions streams: `data:` chunks of chat.completion.chunk objects, the
 * role first, then reasoning_content, content and tool_calls deltas, a chunk with the
 * finish_reason, the usage chunk when stream_options.include_usage asked for it, and
 * `data: [DONE]`. */
#include "mock.h"

#include <string.h>

#include "core/core.h"

/* One chunk around `delta` (stolen). With include_usage every chunk carries
 * "usage": null, as the real service sends. */
static json_t *gp__chunk(const gp_mock_answer_t *a, json_t *delta, const char *finish) {
  json_t *choice = json_pack("{s:i, s:o, s:n, s:o}", "index", 0, "delta", delta, "logprobs",
                             "finish_reason", finish ? json_string(finish) : json_null());
  json_t *c = json_object();
  json_object_set_new(c, "id", json_sprintf("chatcmpl-%s", a->tag));
  json_object_set_new(c, "object", json_string("chat.completion.chunk"));
  json_object_set_new(c, "created", json_integer(a->created));
  json_object_set_new(c, "model", json_string(a->model));
  json_object_set_new(c, "system_fingerprint", json_string("fp_mock"));
  json_object_set_new(c, "choices", json_pack("[o]", choice));
  if (a->include_usage) json_object_set_new(c, "usage", json_null());
  return c;
}

static void gp__tool_calls(const gp_mock_answer_t *a, gp_mock_events_t *ev) {
  for (size_t i = 0; i < a->ncalls; i++) {
    const struct gp_mock_call_s *k = &a->calls[i];
    json_t *head = json_pack("{s:i, s:s, s:s, s:{s:s, s:s}}", "index", (int)i, "id", k->id, "type",
                             "function", "function", "name", k->name, "arguments", "");
    gp_mock_events_json(ev, NULL, gp__chunk(a, json_pack("{s:[o]}", "tool_calls", head), NULL), 0);
    for (size_t f = 0; f < k->nfrags; f++) {
      json_t *frag = json_pack("{s:i, s:{s:s}}", "index", (int)i, "function", "arguments", k->frags[f]);
      gp_mock_events_json(ev, NULL, gp__chunk(a, json_pack("{s:[o]}", "tool_calls", frag), NULL), 0);
    }
  }
}

static json_t *gp__usage(const gp_mock_answer_t *a) {
  return json_pack("{s:I, s:I, s:I, s:{s:I}, s:{s:i}}", "prompt_tokens", (json_int_t)a->input_tokens,
                   "completion_tokens", (json_int_t)a->output_tokens, "total_tokens",
                   (json_int_t)(a->input_tokens + a->output_tokens), "prompt_tokens_details",
                   "cached_tokens", (json_int_t)a->cached_tokens, "completion_tokens_details",
                   "reasoning_tokens", 0);
}

void gp_mock_synth_openai(const gp_mock_answer_t *a, gp_mock_events_t *ev) {
  gp_mock_events_json(ev, NULL, gp__chunk(a, json_pack("{s:s, s:s}", "role", "assistant", "content", ""), NULL), 0);
  for (size_t i = 0; i < a->nreasoning; i++)
    gp_mock_events_json(ev, NULL, gp__chunk(a, json_pack("{s:s}", "reasoning_content", a->reasoning[i]), NULL), 0);
  for (size_t i = 0; i < a->ntext; i++)
    gp_mock_events_json(ev, NULL, gp__chunk(a, json_pack("{s:s}", "content", a->text[i]), NULL), 0);
  gp__tool_calls(a, ev);
  const char *finish = a->stop_reason ? a->stop_reason : a->ncalls ? "tool_calls" : "stop";
  gp_mock_events_json(ev, NULL, gp__chunk(a, json_object(), finish), 1);
  if (a->include_usage) {
    json_t *c = gp__chunk(a, json_object(), NULL);
    json_object_set_new(c, "choices", json_array());
    json_object_set_new(c, "usage", gp__usage(a));
    gp_mock_events_json(ev, NULL, c, 1);
  }
  gp_mock_events_push(ev, gp__xstrdup("data: [DONE]\n\n"), 1);
}
