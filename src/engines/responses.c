/* OpenAI Responses (`openai-responses`): builds the streaming request's `input` items
 * from a turn (messages, function_call, function_call_output) and decodes the
 * `response.*` events: output text, function-call arguments, reasoning text and
 * summaries, and the terminal response.completed / response.incomplete (usage, status)
 * or response.failed. The API has no stop sequences: `stop` is not sent. Reasoning
 * blocks are not sent back (the API would need its own encrypted items). */
#include "engines/provider_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- request ----------------------------------------------------------------------- */

static json_t *gp__message_item(const char *role, const char *text) {
  return json_pack("{s:s, s:s, s:s}", "type", "message", "role", role, "content", text);
}

static json_t *gp__responses_input(const gp_turn_t *turn) {
  json_t *input = json_array();
  for (size_t i = 0; i < turn->nblocks; i++) {
    const gp_block_t *b = turn->blocks[i];
    json_t *item = NULL;
    switch (b->kind) {
      case GP_BLOCK_SYSTEM: item = gp__message_item("system", gp_block_text(b)); break;
      case GP_BLOCK_USER: item = gp__message_item("user", gp_block_text(b)); break;
      case GP_BLOCK_LLM_TEXT:
        if (*gp_block_text(b)) item = gp__message_item("assistant", gp_block_text(b));
        break;
      case GP_BLOCK_TOOL_CALL: {
        char *args = gp__args_text(gp_block_tool_args(b));
        item = json_pack("{s:s, s:s, s:s, s:s}", "type", "function_call", "call_id",
                         gp_block_call_id(b), "name", gp_block_tool_name(b), "arguments", args);
        free(args);
        break;
      }
      case GP_BLOCK_TOOL_USE: {
        const char *error = gp_block_tool_error(b);
        char *out = error ? gp__xstrdup(error) : gp__result_text(gp_block_tool_result(b));
        item = json_pack("{s:s, s:s, s:s}", "type", "function_call_output", "call_id",
                         gp_block_call_id(b), "output", out);
        free(out);
        break;
      }
      default: break;
    }
    if (item) json_array_append_new(input, item);
  }
  return input;
}

static json_t *gp__responses_tools(const json_t *defs) {
  json_t *tools = json_array();
  size_t i;
  json_t *def;
  json_array_foreach(defs, i, def) {
    json_array_append_new(tools, gp__tool_decl(def, "function", "parameters", gp__tool_schema(def)));
  }
  return tools;
}

static json_t *gp__responses_build(const gp_prov_t *p, const gp_infer_ctx_t *ctx,
                                   const gp_turn_t *turn) {
  json_t *body = json_pack("{s:s, s:o, s:b}", "model", p->model, "input",
                           gp__responses_input(turn), "stream", 1);
  if (p->has_temperature) json_object_set_new(body, "temperature", json_real(p->temperature));
  if (p->has_top_p) json_object_set_new(body, "top_p", json_real(p->top_p));
  if (p->max_tokens > 0) json_object_set_new(body, "max_output_tokens", json_integer(p->max_tokens));
  json_t *format = gp__output_format(ctx, 1);
  if (format) json_object_set_new(body, "text", json_pack("{s:o}", "format", format));
  if (ctx && json_array_size(ctx->tool_defs) > 0) {
    json_object_set_new(body, "tools", gp__responses_tools(ctx->tool_defs));
    json_object_set_new(body, "tool_choice",
                        json_string(ctx->tool_choice ? ctx->tool_choice : "auto"));
  }
  return body;
}

/* ---- stream ------------------------------------------------------------------------ */

static int64_t gp__index(json_t *ev) {
  json_t *v = json_object_get(ev, "output_index");
  return json_is_integer(v) ? json_integer_value(v) : -1;
}

static void gp__item_added(gp_pstream_t *s, int64_t index, json_t *item) {
  const char *type = json_string_value(json_object_get(item, "type"));
  if (!type) return;
  if (strcmp(type, "message") == 0) {
    gp__pstream_set_kind(s, index, GP_PK_TEXT);
  } else if (strcmp(type, "reasoning") == 0) {
    gp__pstream_set_kind(s, index, GP_PK_THINKING);
    gp__pstream_thinking_close(s);
  } else if (strcmp(type, "function_call") == 0) {
    gp__pstream_set_kind(s, index, GP_PK_CALL);
    gp__pstream_call_new(s, index, json_string_value(json_object_get(item, "call_id")),
                        json_string_value(json_object_get(item, "name")));
  } else {
    gp__pstream_set_kind(s, index, GP_PK_OTHER);
  }
}

/* The call at `index`, created when the stream skipped output_item.added. */
static gp_pcall_t *gp__call_at(gp_pstream_t *s, int64_t index) {
  gp_pcall_t *c = gp__pstream_call_find(s, index);
  return c ? c : gp__pstream_call_new(s, index, NULL, NULL);
}

/* The complete arguments replace the fragments: they are authoritative. */
static void gp__call_args_whole(gp_pcall_t *c, json_t *args) {
  if (!json_is_string(args)) return;
  c->args.len = 0;
  gp__buf_append(&c->args, json_string_value(args), json_string_length(args));
}

static void gp__item_done(gp_pstream_t *s, int64_t index, json_t *item) {
  switch (gp__pstream_kind(s, index)) {
    case GP_PK_TEXT: gp__pstream_text_close(s); break;
    case GP_PK_THINKING: gp__pstream_thinking_close(s); break;
    case GP_PK_CALL: {
      gp_pcall_t *c = gp__call_at(s, index);
      gp__pstream_call_set(c, json_string_value(json_object_get(item, "call_id")),
                          json_string_value(json_object_get(item, "name")));
      gp__call_args_whole(c, json_object_get(item, "arguments"));
      gp__pstream_call_end(s, c);
      break;
    }
    default: break;
  }
}

static void gp__responses_final(gp_pstream_t *s, json_t *resp) {
  json_t *u = json_object_get(resp, "usage");
  if (json_is_object(u)) {
    json_t *in = json_object_get(u, "input_tokens");
    json_t *out = json_object_get(u, "output_tokens");
    json_t *cached = json_object_get(json_object_get(u, "input_tokens_details"), "cached_tokens");
    gp__pstream_usage(s, json_is_integer(in) ? json_integer_value(in) : -1,
                     json_is_integer(out) ? json_integer_value(out) : -1,
                     json_is_integer(cached) ? json_integer_value(cached) : -1);
  }
  const char *status = json_string_value(json_object_get(resp, "status"));
  const char *why = json_string_value(
      json_object_get(json_object_get(resp, "incomplete_details"), "reason"));
  gp__pstream_stop_reason(s, status && strcmp(status, "incomplete") == 0 && why ? why : status);
}

static int gp__responses_failed(gp_pstream_t *s, json_t *ev) {
  json_t *resp = json_object_get(ev, "response");
  json_t *e = resp ? json_object_get(resp, "error") : ev;
  const char *code = json_string_value(json_object_get(e, "code"));
  const char *msg = json_string_value(json_object_get(e, "message"));
  if (resp) gp__responses_final(s, resp);
  return gp__pstream_fail(s, GP_ERR_PROVIDER_STREAM, "the response failed: %s%s%s",
                         code ? code : "error", msg ? ": " : "", msg ? msg : "");
}

static int gp__is(const char *type, const char *name) { return strcmp(type, name) == 0; }

/* ---- stream fast path: *.delta events read in place --------------------------------- */

static int gp__rs_delta_kind(const gp_jscan_str_t *type) {
  if (gp__jscan_key_is(type, "response.output_text.delta") ||
      gp__jscan_key_is(type, "response.refusal.delta"))
    return GP__DELTA_TEXT;
  if (gp__jscan_key_is(type, "response.reasoning_summary_text.delta") ||
      gp__jscan_key_is(type, "response.reasoning_text.delta"))
    return GP__DELTA_THINKING;
  if (gp__jscan_key_is(type, "response.function_call_arguments.delta")) return GP__DELTA_ARGS;
  return GP__DELTA_NONE;
}

static int gp__rs_read_delta(gp_jscan_t *j, void *ud) { return gp__jscan_str(j, ud); }

/* A text, reasoning or function-arguments delta: 1 when it was applied exactly as the
 * jansson path would, 0 to leave it to that path untouched. */
static int gp__responses_fast(gp_pstream_t *s, const gp_sse_event_t *ev) {
  gp_jscan_str_t type = {0}, delta = {0};
  int64_t index;
  if (!gp__pstream_scan_delta_at(ev, "output_index", gp__rs_read_delta, &delta, &type, &index) || !type.s)
    return 0;
  int kind = gp__rs_delta_kind(&type);
  if (kind == GP__DELTA_NONE) return 0;
  /* null or absent: the jansson path does nothing either */
  gp_pcall_t *c = kind == GP__DELTA_ARGS && delta.s ? gp__call_at(s, index) : NULL;
  gp__pstream_apply_delta(s, kind, &delta, c);
  return 1;
}

static int gp__responses_event(gp_pstream_t *s, const gp_sse_event_t *ev) {
  if (gp__pstream_fast && gp__responses_fast(s, ev)) {
    s->nfast++;
    return 0;
  }
  json_t *e = gp__pstream_parse(s, ev);
  if (!e) return GP_ERR_PROVIDER_STREAM;
  const char *type = json_string_value(json_object_get(e, "type"));
  if (!type) type = ev->type;
  int64_t index = gp__index(e);
  json_t *delta = json_object_get(e, "delta");
  int rc = 0;
  if (gp__is(type, "response.output_item.added")) {
    gp__item_added(s, index, json_object_get(e, "item"));
  } else if (gp__is(type, "response.output_text.delta") || gp__is(type, "response.refusal.delta")) {
    gp__pstream_text(s, json_string_value(delta), json_string_length(delta));
  } else if (gp__is(type, "response.reasoning_summary_text.delta") ||
             gp__is(type, "response.reasoning_text.delta")) {
    gp__pstream_thinking(s, json_string_value(delta), json_string_length(delta));
  } else if (gp__is(type, "response.function_call_arguments.delta")) {
    if (json_is_string(delta)) {
      gp__buf_append(&gp__call_at(s, index)->args, json_string_value(delta),
                    json_string_length(delta));
    }
  } else if (gp__is(type, "response.function_call_arguments.done")) {
    gp__call_args_whole(gp__call_at(s, index), json_object_get(e, "arguments"));
  } else if (gp__is(type, "response.output_item.done")) {
    gp__item_done(s, index, json_object_get(e, "item"));
  } else if (gp__is(type, "response.completed") || gp__is(type, "response.incomplete")) {
    gp__responses_final(s, json_object_get(e, "response"));
    s->finished = 1;
  } else if (gp__is(type, "response.failed") || gp__is(type, "error")) {
    rc = gp__responses_failed(s, e);
  }
  json_decref(e);
  return rc;
}

static char *gp__responses_auth(const char *key) {
  return gp__xasprintf("Authorization: Bearer %s", key);
}

const gp_proto_t gp__proto_responses = {
    .provider = "openai-responses",
    .path = "/responses",
    .final_event = "response.completed",
    .build = gp__responses_build,
    .on_event = gp__responses_event,
    .auth = gp__responses_auth,
    .extra_header = NULL,
};
