/* OpenAI Chat Completions (`openai`), the protocol every OpenAI-compatible server
 * speaks: builds the streaming request from a turn and decodes its SSE chunks into
 * blocks. Tool-call deltas merge by `index`; a new `id` at an index already in use
 * starts a new call. `reasoning_content` (or `reasoning`, as some servers name it)
 * becomes a reasoning block. */
#include "engines/provider_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- request ----------------------------------------------------------------------- */

/* The assistant message being gathered from consecutive assistant blocks. */
typedef struct {
  int open;
  gp_buf_t content;          /* llm_text of this step */
  json_t *tool_calls;        /* array or NULL */
} gp__step_t;

static void gp__step_close(gp__step_t *st, json_t *messages) {
  if (!st->open) return;
  json_t *m = json_pack("{s:s}", "role", "assistant");
  json_object_set_new(m, "content", st->content.data ? json_string(st->content.data) : json_null());
  if (st->tool_calls) json_object_set_new(m, "tool_calls", st->tool_calls);
  json_array_append_new(messages, m);
  gp_buf_free(&st->content);
  st->tool_calls = NULL;
  st->open = 0;
}

static void gp__step_text(gp__step_t *st, json_t *messages, const char *text) {
  if (st->open && st->tool_calls) gp__step_close(st, messages); /* text after calls: next step */
  st->open = 1;
  gp_buf_puts(&st->content, text ? text : "");
}

static void gp__step_call(gp__step_t *st, const gp_block_t *b) {
  st->open = 1;
  if (!st->tool_calls) st->tool_calls = json_array();
  char *args = gp__args_text(gp_block_tool_args(b));
  json_array_append_new(st->tool_calls,
                        json_pack("{s:s, s:s, s:{s:s, s:s}}", "id", gp_block_call_id(b), "type",
                                  "function", "function", "name", gp_block_tool_name(b),
                                  "arguments", args));
  free(args);
}

static json_t *gp__tool_message(const gp_block_t *b) {
  const char *error = gp_block_tool_error(b);
  char *content = error ? gp_xstrdup(error) : gp__result_text(gp_block_tool_result(b));
  json_t *m = json_pack("{s:s, s:s, s:s}", "role", "tool", "tool_call_id", gp_block_call_id(b),
                        "content", content);
  free(content);
  return m;
}

/* Chat messages from the turn's blocks; reasoning and `other` blocks are not sent. */
static json_t *gp__openai_messages(const gp_turn_t *turn) {
  json_t *messages = json_array();
  gp__step_t st = {0};
  for (size_t i = 0; i < turn->nblocks; i++) {
    const gp_block_t *b = turn->blocks[i];
    switch (b->kind) {
      case GP_BLOCK_SYSTEM:
      case GP_BLOCK_USER:
        gp__step_close(&st, messages);
        json_array_append_new(messages, json_pack("{s:s, s:s}", "role",
                                                  b->kind == GP_BLOCK_USER ? "user" : "system",
                                                  "content", gp_block_text(b)));
        break;
      case GP_BLOCK_LLM_TEXT: gp__step_text(&st, messages, gp_block_text(b)); break;
      case GP_BLOCK_TOOL_CALL: gp__step_call(&st, b); break;
      case GP_BLOCK_TOOL_USE:
        gp__step_close(&st, messages);
        json_array_append_new(messages, gp__tool_message(b));
        break;
      default: break; /* reasoning stays inside the step; other is not sent */
    }
  }
  gp__step_close(&st, messages);
  return messages;
}

static json_t *gp__openai_tools(const json_t *defs) {
  json_t *tools = json_array();
  size_t i;
  json_t *def;
  json_array_foreach(defs, i, def) {
    json_t *fn = json_pack("{s:s}", "name", json_string_value(json_object_get(def, "name")));
    const char *desc = json_string_value(json_object_get(def, "description"));
    if (desc && *desc) json_object_set_new(fn, "description", json_string(desc));
    json_object_set_new(fn, "parameters", gp__tool_schema(def));
    json_array_append_new(tools, json_pack("{s:s, s:o}", "type", "function", "function", fn));
  }
  return tools;
}

static json_t *gp__openai_build(const gp_prov_t *p, const gp_infer_ctx_t *ctx,
                                const gp_turn_t *turn) {
  json_t *body = json_pack("{s:s, s:o, s:b, s:{s:b}}", "model", p->model, "messages",
                           gp__openai_messages(turn), "stream", 1, "stream_options",
                           "include_usage", 1);
  if (p->has_temperature) json_object_set_new(body, "temperature", json_real(p->temperature));
  if (p->has_top_p) json_object_set_new(body, "top_p", json_real(p->top_p));
  if (p->max_tokens > 0) {
    /* OpenAI itself wants max_completion_tokens (max_tokens is refused by reasoning
     * models); compatible servers widely know only max_tokens. */
    json_object_set_new(body, p->official_host ? "max_completion_tokens" : "max_tokens",
                        json_integer(p->max_tokens));
  }
  if (p->nstop > 0) {
    json_t *stop = json_array();
    for (size_t i = 0; i < p->nstop; i++) json_array_append_new(stop, json_string(p->stop[i]));
    json_object_set_new(body, "stop", stop);
  }
  if (ctx && json_array_size(ctx->tool_defs) > 0) {
    json_object_set_new(body, "tools", gp__openai_tools(ctx->tool_defs));
    json_object_set_new(body, "tool_choice",
                        json_string(ctx->tool_choice ? ctx->tool_choice : "auto"));
  }
  return body;
}

/* ---- stream ------------------------------------------------------------------------ */

static void gp__openai_tool_delta(gp_pstream_t *s, json_t *tc) {
  json_t *jidx = json_object_get(tc, "index");
  int64_t idx = json_is_integer(jidx) ? json_integer_value(jidx) : 0;
  const char *id = json_string_value(json_object_get(tc, "id"));
  json_t *fn = json_object_get(tc, "function");
  const char *name = json_string_value(json_object_get(fn, "name"));
  gp_pcall_t *c = gp_pstream_call_find(s, idx);
  if (c && id && *id && c->id[0] && strcmp(c->id, id) != 0) {
    /* A new id at a used index: a new call, so the calls before it are complete. */
    gp_pstream_calls_end_all(s);
    c = NULL;
  }
  if (!c) c = gp_pstream_call_new(s, idx, id, NULL);
  gp_pstream_call_set(c, id, name);
  json_t *args = json_object_get(fn, "arguments");
  if (json_is_string(args)) {
    gp_buf_append(&c->args, json_string_value(args), json_string_length(args));
  } else if (args && !json_is_null(args)) {
    char *text = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY); /* some servers send objects */
    if (text) gp_buf_puts(&c->args, text);
    free(text);
  }
}

static void gp__openai_usage(gp_pstream_t *s, json_t *u) {
  if (!json_is_object(u)) return;
  json_t *in = json_object_get(u, "prompt_tokens");
  json_t *out = json_object_get(u, "completion_tokens");
  json_t *cached = json_object_get(json_object_get(u, "prompt_tokens_details"), "cached_tokens");
  gp_pstream_usage(s, json_is_integer(in) ? json_integer_value(in) : -1,
                   json_is_integer(out) ? json_integer_value(out) : -1,
                   json_is_integer(cached) ? json_integer_value(cached) : -1);
}

static void gp__openai_choice(gp_pstream_t *s, json_t *choice) {
  json_t *delta = json_object_get(choice, "delta");
  json_t *reasoning = json_object_get(delta, "reasoning_content");
  if (!json_is_string(reasoning)) reasoning = json_object_get(delta, "reasoning");
  if (json_is_string(reasoning)) {
    gp_pstream_thinking(s, json_string_value(reasoning), json_string_length(reasoning));
  }
  json_t *content = json_object_get(delta, "content");
  if (json_is_string(content)) {
    gp_pstream_text(s, json_string_value(content), json_string_length(content));
  }
  size_t i;
  json_t *tc;
  json_array_foreach(json_object_get(delta, "tool_calls"), i, tc) gp__openai_tool_delta(s, tc);
  const char *finish = json_string_value(json_object_get(choice, "finish_reason"));
  if (finish) {
    gp_pstream_stop_reason(s, finish);
    gp_pstream_calls_end_all(s);
  }
}

static int gp__openai_event(gp_pstream_t *s, const gp_sse_event_t *ev) {
  if (ev->data_len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
    s->finished = 1;
    return 0;
  }
  json_t *chunk = gp_pstream_parse(s, ev);
  if (!chunk) return GP_ERR_PROVIDER_STREAM;
  json_t *error = json_object_get(chunk, "error");
  if (error && !json_is_null(error)) {
    char *text = json_dumps(chunk, JSON_COMPACT);
    char *msg = gp__provider_error_message(text);
    free(text);
    json_decref(chunk);
    int rc = gp_pstream_fail(s, GP_ERR_PROVIDER_STREAM, "error in the stream: %s", msg);
    free(msg);
    return rc;
  }
  size_t i;
  json_t *choice;
  json_array_foreach(json_object_get(chunk, "choices"), i, choice) {
    json_t *jidx = json_object_get(choice, "index");
    if (json_is_integer(jidx) && json_integer_value(jidx) != 0) continue; /* n > 1: first only */
    gp__openai_choice(s, choice);
  }
  gp__openai_usage(s, json_object_get(chunk, "usage"));
  json_decref(chunk);
  return 0;
}

static char *gp__openai_auth(const char *key) {
  return gp_xasprintf("Authorization: Bearer %s", key);
}

const gp_proto_t gp__proto_openai = {
    .provider = "openai",
    .path = "/chat/completions",
    .final_event = "data: [DONE]",
    .build = gp__openai_build,
    .on_event = gp__openai_event,
    .auth = gp__openai_auth,
    .extra_header = NULL,
};
