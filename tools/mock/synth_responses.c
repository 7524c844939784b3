/* OpenAI Responses streams: semantic events, each "event: TYPE" with data carrying the
 * same "type" and a sequence_number counting from 0. response.created and
 * response.in_progress, then one output item per part (reasoning with a summary, the
 * message with its output_text, one function_call per call), each opened by
 * response.output_item.added and closed by response.output_item.done, and
 * response.completed (or response.incomplete) with the usage. */
#include "mock.h"

#include <stdlib.h>
#include <string.h>

#include "core/core.h"

typedef struct {
  const gp_mock_answer_t *a;
  gp_mock_events_t *ev;
  long seq;        /* next sequence_number */
  json_t *output;  /* the finished items, for the final response object */
} gp__rs_t;

static void gp__emit(gp__rs_t *r, const char *type, json_t *data, int final) {
  json_t *e = json_pack("{s:s, s:I}", "type", type, "sequence_number", (json_int_t)r->seq++);
  json_object_update(e, data);
  json_decref(data);
  gp_mock_events_json(r->ev, type, e, final);
}

/* The response object as it stands; `status` in_progress, completed, incomplete, failed. */
static json_t *gp__response(const gp_mock_answer_t *a, const char *status, json_t *output) {
  json_t *o = json_object();
  json_object_set_new(o, "id", json_sprintf("resp_%s", a->tag));
  json_object_set_new(o, "object", json_string("response"));
  json_object_set_new(o, "created_at", json_integer(a->created));
  json_object_set_new(o, "status", json_string(status));
  json_object_set_new(o, "error", json_null());
  json_object_set_new(o, "incomplete_details", json_null());
  json_object_set_new(o, "model", json_string(a->model));
  json_object_set_new(o, "output", output ? output : json_array());
  json_object_set_new(o, "usage", json_null());
  return o;
}

static void gp__item_added(gp__rs_t *r, int index, json_t *item) {
  gp__emit(r, "response.output_item.added", json_pack("{s:i, s:o}", "output_index", index, "item", item), 0);
}

static void gp__item_done(gp__rs_t *r, int index, json_t *item) {
  json_array_append(r->output, item);
  gp__emit(r, "response.output_item.done", json_pack("{s:i, s:o}", "output_index", index, "item", item), 0);
}

static void gp__reasoning(gp__rs_t *r, int index) {
  const gp_mock_answer_t *a = r->a;
  char *id = gp__xasprintf("rs_%s_%d", a->tag, index);
  gp__item_added(r, index, json_pack("{s:s, s:s, s:[]}", "id", id, "type", "reasoning", "summary"));
  gp__emit(r, "response.reasoning_summary_part.added",
           json_pack("{s:s, s:i, s:i, s:{s:s, s:s}}", "item_id", id, "output_index", index,
                     "summary_index", 0, "part", "type", "summary_text", "text", ""), 0);
  for (size_t i = 0; i < a->nreasoning; i++)
    gp__emit(r, "response.reasoning_summary_text.delta",
             json_pack("{s:s, s:i, s:i, s:s}", "item_id", id, "output_index", index, "summary_index", 0,
                       "delta", a->reasoning[i]), 0);
  gp__emit(r, "response.reasoning_summary_text.done",
           json_pack("{s:s, s:i, s:i, s:s}", "item_id", id, "output_index", index, "summary_index", 0,
                     "text", a->reasoning_all), 0);
  gp__emit(r, "response.reasoning_summary_part.done",
           json_pack("{s:s, s:i, s:i, s:{s:s, s:s}}", "item_id", id, "output_index", index,
                     "summary_index", 0, "part", "type", "summary_text", "text", a->reasoning_all), 0);
  gp__item_done(r, index, json_pack("{s:s, s:s, s:[{s:s, s:s}]}", "id", id, "type", "reasoning", "summary",
                                    "type", "summary_text", "text", a->reasoning_all));
  free(id);
}

static json_t *gp__text_part(const char *text) {
  return json_pack("{s:s, s:s, s:[]}", "type", "output_text", "text", text, "annotations");
}

static void gp__message(gp__rs_t *r, int index) {
  const gp_mock_answer_t *a = r->a;
  char *id = gp__xasprintf("msg_%s_%d", a->tag, index);
  gp__item_added(r, index, json_pack("{s:s, s:s, s:s, s:s, s:[]}", "id", id, "type", "message", "status",
                                     "in_progress", "role", "assistant", "content"));
  gp__emit(r, "response.content_part.added",
           json_pack("{s:s, s:i, s:i, s:o}", "item_id", id, "output_index", index, "content_index", 0,
                     "part", gp__text_part("")), 0);
  for (size_t i = 0; i < a->ntext; i++)
    gp__emit(r, "response.output_text.delta",
             json_pack("{s:s, s:i, s:i, s:s, s:[]}", "item_id", id, "output_index", index,
                       "content_index", 0, "delta", a->text[i], "logprobs"), 0);
  gp__emit(r, "response.output_text.done",
           json_pack("{s:s, s:i, s:i, s:s, s:[]}", "item_id", id, "output_index", index, "content_index", 0,
                     "text", a->text_all, "logprobs"), 0);
  gp__emit(r, "response.content_part.done",
           json_pack("{s:s, s:i, s:i, s:o}", "item_id", id, "output_index", index, "content_index", 0,
                     "part", gp__text_part(a->text_all)), 0);
  gp__item_done(r, index, json_pack("{s:s, s:s, s:s, s:s, s:[o]}", "id", id, "type", "message", "status",
                                    "completed", "role", "assistant", "content", gp__text_part(a->text_all)));
  free(id);
}

static json_t *gp__call_item(const char *id, const struct gp_mock_call_s *k, const char *status,
                             const char *args) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id", id, "type", "function_call", "status", status,
                   "arguments", args, "call_id", k->id, "name", k->name);
}

static void gp__call(gp__rs_t *r, int index, const struct gp_mock_call_s *k) {
  char *id = gp__xasprintf("fc_%s_%d", r->a->tag, index);
  gp__item_added(r, index, gp__call_item(id, k, "in_progress", ""));
  for (size_t f = 0; f < k->nfrags; f++)
    gp__emit(r, "response.function_call_arguments.delta",
             json_pack("{s:s, s:i, s:s}", "item_id", id, "output_index", index, "delta", k->frags[f]), 0);
  gp__emit(r, "response.function_call_arguments.done",
           json_pack("{s:s, s:i, s:s, s:s}", "item_id", id, "output_index", index, "name", k->name,
                     "arguments", k->args), 0);
  gp__item_done(r, index, gp__call_item(id, k, "completed", k->args));
  free(id);
}

static json_t *gp__usage(const gp_mock_answer_t *a) {
  return json_pack("{s:I, s:{s:I}, s:I, s:{s:i}, s:I}", "input_tokens", (json_int_t)a->input_tokens,
                   "input_tokens_details", "cached_tokens", (json_int_t)a->cached_tokens, "output_tokens",
                   (json_int_t)a->output_tokens, "output_tokens_details", "reasoning_tokens", 0,
                   "total_tokens", (json_int_t)(a->input_tokens + a->output_tokens));
}

void gp_mock_synth_responses(const gp_mock_answer_t *a, gp_mock_events_t *ev) {
  gp__rs_t r = {.a = a, .ev = ev, .output = json_array()};
  int index = 0;
  gp__emit(&r, "response.created", json_pack("{s:o}", "response", gp__response(a, "in_progress", NULL)), 0);
  gp__emit(&r, "response.in_progress", json_pack("{s:o}", "response", gp__response(a, "in_progress", NULL)), 0);
  if (a->nreasoning) gp__reasoning(&r, index++);
  if (a->ntext) gp__message(&r, index++);
  for (size_t c = 0; c < a->ncalls; c++) gp__call(&r, index++, &a->calls[c]);
  /* The stop reason is the final status: "completed" unless the fixture says
   * "incomplete" (the output-token budget ran out). */
  int incomplete = a->stop_reason && strcmp(a->stop_reason, "incomplete") == 0;
  json_t *resp = gp__response(a, incomplete ? "incomplete" : "completed", r.output);
  if (incomplete) json_object_set_new(resp, "incomplete_details", json_pack("{s:s}", "reason", "max_output_tokens"));
  json_object_set_new(resp, "usage", gp__usage(a));
  gp__emit(&r, incomplete ? "response.incomplete" : "response.completed", json_pack("{s:o}", "response", resp), 1);
}
