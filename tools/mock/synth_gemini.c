/* Gemini streamGenerateContent streams (alt=sse): unnamed `data:` chunks, each a
 * GenerateContentResponse with candidates[0].content {role: "model", parts}. One chunk
 * per reasoning piece (a part with "thought": true), per text piece, one per function
 * call (the whole `args` object at once, as the service sends it), then a last chunk
 * with finishReason and usageMetadata. Gemini has no closing event after that. */
#include "mock.h"

#include <string.h>

#include "core/core.h"

static json_t *gp__chunk(const gp_mock_answer_t *a, json_t *parts, const char *finish) {
  json_t *cand = json_pack("{s:{s:s, s:o}, s:i}", "content", "role", "model", "parts", parts,
                           "index", 0);
  if (finish) json_object_set_new(cand, "finishReason", json_string(finish));
  json_t *c = json_pack("{s:[o]}", "candidates", cand);
  json_object_set_new(c, "modelVersion", json_string(a->model));
  json_object_set_new(c, "responseId", json_string(a->tag));
  return c;
}

static json_t *gp__usage(const gp_mock_answer_t *a) {
  json_t *u = json_pack("{s:I, s:I, s:I}", "promptTokenCount", (json_int_t)a->input_tokens,
                        "candidatesTokenCount", (json_int_t)a->output_tokens, "totalTokenCount",
                        (json_int_t)(a->input_tokens + a->output_tokens));
  if (a->cached_tokens > 0)
    json_object_set_new(u, "cachedContentTokenCount", json_integer(a->cached_tokens));
  return u;
}

/* A call's `args`: its arguments when they are a JSON object, else the text as a
 * string (a fixture's broken arguments still reach the client). */
static json_t *gp__args(const struct gp_mock_call_s *k) {
  json_t *v = json_loads(k->args, JSON_DECODE_ANY, NULL);
  if (json_is_object(v)) return v;
  json_decref(v);
  return json_string(k->args);
}

void gp_mock_synth_gemini(const gp_mock_answer_t *a, gp_mock_events_t *ev) {
  for (size_t i = 0; i < a->nreasoning; i++) {
    json_t *part = json_pack("{s:s, s:b}", "text", a->reasoning[i], "thought", 1);
    gp_mock_events_json(ev, NULL, gp__chunk(a, json_pack("[o]", part), NULL), 0);
  }
  for (size_t i = 0; i < a->ntext; i++)
    gp_mock_events_json(ev, NULL, gp__chunk(a, json_pack("[{s:s}]", "text", a->text[i]), NULL), 0);
  for (size_t i = 0; i < a->ncalls; i++) {
    const struct gp_mock_call_s *k = &a->calls[i];
    json_t *part = json_pack("{s:{s:s, s:o}}", "functionCall", "name", k->name, "args", gp__args(k));
    if (k->explicit_id) json_object_set_new(json_object_get(part, "functionCall"), "id", json_string(k->id));
    gp_mock_events_json(ev, NULL, gp__chunk(a, json_pack("[o]", part), NULL), 0);
  }
  json_t *last = gp__chunk(a, json_pack("[{s:s}]", "text", ""), a->stop_reason ? a->stop_reason : "STOP");
  json_object_set_new(last, "usageMetadata", gp__usage(a));
  gp_mock_events_json(ev, NULL, last, 1);
}
