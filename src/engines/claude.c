/* Anthropic Messages (`claude`, alias `anthropic`): builds the streaming request from a
 * turn (top-level system, alternating user/assistant messages with tool_use and
 * tool_result blocks) and decodes the event stream: message_start, content_block_start/
 * delta/stop (text, input_json, thinking and signature deltas), message_delta (stop
 * reason, usage), message_stop, ping and error. A thinking block's signature is kept in
 * the reasoning block's metadata ("signature") so the block can be sent back, as the
 * API requires when tools are used with extended thinking. */
#include "engines/provider_internal.h"

#include <stdlib.h>
#include <string.h>

#define GP__CLAUDE_DEFAULT_MAX_TOKENS 4096

/* ---- request ----------------------------------------------------------------------- */

/* Appends a content block to the last message when it has `role`, else to a new one:
 * the API wants roles to alternate, so consecutive blocks of a role share a message. */
static void gp__push(json_t *messages, const char *role, json_t *block) {
  size_t n = json_array_size(messages);
  json_t *last = n ? json_array_get(messages, n - 1) : NULL;
  const char *last_role = json_string_value(json_object_get(last, "role"));
  if (!last_role || strcmp(last_role, role) != 0) {
    last = json_pack("{s:s, s:[]}", "role", role, "content");
    json_array_append_new(messages, last);
  }
  json_array_append_new(json_object_get(last, "content"), block);
}

static json_t *gp__text_block(const char *text) {
  return json_pack("{s:s, s:s}", "type", "text", "text", text);
}

static void gp__push_reasoning(json_t *messages, const gp_block_t *b) {
  const char *sig = json_string_value(json_object_get(b->metadata, "signature"));
  const char *redacted = json_string_value(json_object_get(b->metadata, "redacted_data"));
  if (sig) {
    gp__push(messages, "assistant", json_pack("{s:s, s:s, s:s}", "type", "thinking", "thinking",
                                              gp_block_text(b), "signature", sig));
  } else if (redacted) {
    gp__push(messages, "assistant",
             json_pack("{s:s, s:s}", "type", "redacted_thinking", "data", redacted));
  } /* reasoning from other providers has no signature: the API would refuse it */
}

static void gp__push_tool_call(json_t *messages, const gp_block_t *b) {
  json_t *args = gp_block_tool_args(b);
  json_t *input = json_is_object(args) ? json_deep_copy(args) : json_pack("{s:O}", "value", args);
  gp__push(messages, "assistant",
           json_pack("{s:s, s:s, s:s, s:o}", "type", "tool_use", "id", gp_block_call_id(b),
                     "name", gp_block_tool_name(b), "input", input));
}

static void gp__push_tool_result(json_t *messages, const gp_block_t *b) {
  const char *error = gp_block_tool_error(b);
  char *content = error ? gp__xstrdup(error) : gp__result_text(gp_block_tool_result(b));
  json_t *r = json_pack("{s:s, s:s, s:s}", "type", "tool_result", "tool_use_id",
                        gp_block_call_id(b), "content", content);
  if (error) json_object_set_new(r, "is_error", json_true());
  free(content);
  gp__push(messages, "user", r);
}

/* Messages from the turn; system blocks are gathered into `system` (joined by a blank
 * line). Empty text blocks are skipped: the API refuses them. */
static json_t *gp__claude_messages(const gp_turn_t *turn, gp_buf_t *system) {
  json_t *messages = json_array();
  for (size_t i = 0; i < turn->nblocks; i++) {
    const gp_block_t *b = turn->blocks[i];
    const char *text = gp_block_text(b);
    switch (b->kind) {
      case GP_BLOCK_SYSTEM:
        gp__system_append(system, text);
        break;
      case GP_BLOCK_USER:
        if (*text) gp__push(messages, "user", gp__text_block(text));
        break;
      case GP_BLOCK_LLM_TEXT:
        if (*text) gp__push(messages, "assistant", gp__text_block(text));
        break;
      case GP_BLOCK_REASONING: gp__push_reasoning(messages, b); break;
      case GP_BLOCK_TOOL_CALL: gp__push_tool_call(messages, b); break;
      case GP_BLOCK_TOOL_USE: gp__push_tool_result(messages, b); break;
      default: break;
    }
  }
  return messages;
}

static json_t *gp__claude_tools(const json_t *defs) {
  json_t *tools = json_array();
  size_t i;
  json_t *def;
  json_array_foreach(defs, i, def) {
    json_array_append_new(tools, gp__tool_decl(def, NULL, "input_schema", gp__tool_schema(def)));
  }
  return tools;
}

/* "auto" | "none" | "required" -> the API's tool_choice object. */
static json_t *gp__claude_tool_choice(const char *choice) {
  const char *type = "auto";
  if (choice && strcmp(choice, "none") == 0) type = "none";
  if (choice && strcmp(choice, "required") == 0) type = "any";
  return json_pack("{s:s}", "type", type);
}

static json_t *gp__claude_build(const gp_prov_t *p, const gp_infer_ctx_t *ctx,
                                const gp_turn_t *turn) {
  gp_buf_t system = {0};
  json_t *messages = gp__claude_messages(turn, &system);
  int64_t max_tokens = p->max_tokens > 0 ? p->max_tokens : GP__CLAUDE_DEFAULT_MAX_TOKENS;
  json_t *body = json_pack("{s:s, s:I, s:o, s:b}", "model", p->model, "max_tokens",
                           (json_int_t)max_tokens, "messages", messages, "stream", 1);
  if (system.len) json_object_set_new(body, "system", json_string(system.data));
  gp__buf_free(&system);
  if (p->has_temperature) json_object_set_new(body, "temperature", json_real(p->temperature));
  if (p->has_top_p) json_object_set_new(body, "top_p", json_real(p->top_p));
  if (p->nstop > 0) {
    json_t *stop = json_array();
    for (size_t i = 0; i < p->nstop; i++) json_array_append_new(stop, json_string(p->stop[i]));
    json_object_set_new(body, "stop_sequences", stop);
  }
  json_t *format = gp__output_format(ctx, 0);
  if (format) json_object_set_new(body, "output_config", json_pack("{s:o}", "format", format));
  if (ctx && json_array_size(ctx->tool_defs) > 0) {
    json_object_set_new(body, "tools", gp__claude_tools(ctx->tool_defs));
    json_object_set_new(body, "tool_choice", gp__claude_tool_choice(ctx->tool_choice));
  }
  return body;
}

/* ---- stream ------------------------------------------------------------------------ */

/* Usage: inputTokens counts every input token (uncached + cache reads + cache writes,
 * which the API reports apart), cachedTokens the cache reads. */
static void gp__claude_usage(gp_pstream_t *s, json_t *u) {
  if (!json_is_object(u)) return;
  int64_t in = gp__json_int(u, "input_tokens");
  int64_t read = gp__json_int(u, "cache_read_input_tokens");
  int64_t created = gp__json_int(u, "cache_creation_input_tokens");
  if (in >= 0) in += (read > 0 ? read : 0) + (created > 0 ? created : 0);
  gp__pstream_usage(s, in, gp__json_int(u, "output_tokens"), in >= 0 ? read : -1);
}

static void gp__claude_block_start(gp_pstream_t *s, int64_t index, json_t *cb) {
  const char *type = json_string_value(json_object_get(cb, "type"));
  if (!type) type = "";
  if (strcmp(type, "text") == 0) {
    gp__pstream_set_kind(s, index, GP_PK_TEXT);
    json_t *t = json_object_get(cb, "text");
    gp__pstream_text(s, json_string_value(t), json_string_length(t));
  } else if (strcmp(type, "thinking") == 0 || strcmp(type, "redacted_thinking") == 0) {
    gp__pstream_set_kind(s, index, GP_PK_THINKING);
    gp__pstream_thinking_close(s);
    gp__pstream_thinking_open(s);
    s->signature.len = 0;
    const char *data = json_string_value(json_object_get(cb, "data"));
    if (data) gp__pstream_thinking_meta(s, "redacted_data", json_string(data));
    json_t *t = json_object_get(cb, "thinking");
    gp__pstream_thinking(s, json_string_value(t), json_string_length(t));
  } else if (strcmp(type, "tool_use") == 0) {
    gp__pstream_set_kind(s, index, GP_PK_CALL);
    gp_pcall_t *c = gp__pstream_call_new(s, index, json_string_value(json_object_get(cb, "id")),
                                        json_string_value(json_object_get(cb, "name")));
    json_t *input = json_object_get(cb, "input");
    if (json_is_object(input) && json_object_size(input) > 0) c->input = json_deep_copy(input);
  } else {
    gp__pstream_set_kind(s, index, GP_PK_OTHER); /* server tools, ...: not ours to run */
  }
}

static void gp__claude_block_delta(gp_pstream_t *s, int64_t index, json_t *d) {
  const char *type = json_string_value(json_object_get(d, "type"));
  if (!type) return;
  json_t *v;
  if (strcmp(type, "text_delta") == 0 && json_is_string(v = json_object_get(d, "text"))) {
    gp__pstream_text(s, json_string_value(v), json_string_length(v));
  } else if (strcmp(type, "thinking_delta") == 0 &&
             json_is_string(v = json_object_get(d, "thinking"))) {
    gp__pstream_thinking(s, json_string_value(v), json_string_length(v));
  } else if (strcmp(type, "signature_delta") == 0 &&
             json_is_string(v = json_object_get(d, "signature"))) {
    gp__buf_append(&s->signature, json_string_value(v), json_string_length(v));
  } else if (strcmp(type, "input_json_delta") == 0 &&
             json_is_string(v = json_object_get(d, "partial_json"))) {
    gp_pcall_t *c = gp__pstream_call_find(s, index);
    if (c) gp__buf_append(&c->args, json_string_value(v), json_string_length(v));
  }
}

static void gp__claude_block_stop(gp_pstream_t *s, int64_t index) {
  switch (gp__pstream_kind(s, index)) {
    case GP_PK_TEXT: gp__pstream_text_close(s); break;
    case GP_PK_THINKING:
      if (s->signature.len) {
        gp__pstream_thinking_meta(s, "signature", json_stringn(s->signature.data, s->signature.len));
      }
      s->signature.len = 0;
      gp__pstream_thinking_close(s);
      break;
    case GP_PK_CALL: gp__pstream_call_end(s, gp__pstream_call_find(s, index)); break;
    default: break;
  }
}

static int gp__claude_error(gp_pstream_t *s, json_t *msg) {
  json_t *e = json_object_get(msg, "error");
  const char *type = json_string_value(json_object_get(e, "type"));
  const char *text = json_string_value(json_object_get(e, "message"));
  return gp__pstream_fail(s, GP_ERR_PROVIDER_STREAM, "error event in the stream: %s%s%s",
                         type ? type : "error", text ? ": " : "", text ? text : "");
}

/* ---- stream fast path: content_block_delta read in place -------------------------- */

/* delta: {type, text | thinking | partial_json}; *which says which (GP__DELTA_*). */
static int gp__cl_fast_delta(gp_jscan_t *j, int *which, gp_jscan_str_t *v) {
  if (!gp__jscan_obj_begin(j)) return -1;
  gp_jscan_str_t k, type = {0}, text = {0}, thinking = {0}, partial = {0};
  int seen = 0, r;
  while ((r = gp__jscan_obj_next(j, &k)) == 1) {
    if (k.escaped) return -1;
    if (gp__jscan_key_is(&k, "type")) {
      if (!gp__jscan_once(&seen, 1) || gp__jscan_str(j, &type) != 1) return -1;
    } else if (gp__jscan_key_is(&k, "text")) {
      if (!gp__jscan_once(&seen, 2) || gp__jscan_str(j, &text) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "thinking")) {
      if (!gp__jscan_once(&seen, 4) || gp__jscan_str(j, &thinking) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "partial_json")) {
      if (!gp__jscan_once(&seen, 8) || gp__jscan_str(j, &partial) < 0) return -1;
    } else if (gp__jscan_skip(j) < 0) {
      return -1;
    }
  }
  if (r < 0 || !type.s) return -1;
  if (gp__jscan_key_is(&type, "text_delta")) *which = GP__DELTA_TEXT, *v = text;
  else if (gp__jscan_key_is(&type, "thinking_delta")) *which = GP__DELTA_THINKING, *v = thinking;
  else if (gp__jscan_key_is(&type, "input_json_delta")) *which = GP__DELTA_ARGS, *v = partial;
  else return -1; /* signature_delta and others: the jansson path */
  return 0;
}

/* The delta object of a content_block_delta, read in place (gp__pstream_scan_delta). */
typedef struct {
  int which;                      /* GP__DELTA_TEXT, _THINKING or _ARGS once read */
  gp_jscan_str_t v;               /* its text, thinking or partial_json */
} gp__cl_delta_t;

static int gp__cl_read_delta(gp_jscan_t *j, void *ud) {
  gp__cl_delta_t *d = ud;
  return gp__cl_fast_delta(j, &d->which, &d->v);
}

/* A content_block_delta of text, thinking or tool input: 1 when it was applied exactly
 * as the jansson path would, 0 to leave it to that path untouched. */
static int gp__claude_fast(gp_pstream_t *s, const gp_sse_event_t *ev) {
  gp__cl_delta_t d = {0};
  gp_jscan_str_t type = {0};
  int64_t index;
  if (!gp__pstream_scan_delta_at(ev, "index", gp__cl_read_delta, &d, &type, &index) || !d.which)
    return 0;
  if (!gp__jscan_key_is(&type, "content_block_delta")) return 0;
  /* a delta that is not a string: the jansson path ignores it too */
  gp_pcall_t *c = d.which == GP__DELTA_ARGS && d.v.s ? gp__pstream_call_find(s, index) : NULL;
  gp__pstream_apply_delta(s, d.which, &d.v, c);
  return 1;
}

static int gp__claude_event(gp_pstream_t *s, const gp_sse_event_t *ev) {
  if (strcmp(ev->type, "ping") == 0) return 0;
  if (gp__pstream_fast && gp__claude_fast(s, ev)) {
    s->nfast++;
    return 0;
  }
  json_t *msg = gp__pstream_parse(s, ev);
  if (!msg) return GP_ERR_PROVIDER_STREAM;
  const char *type = json_string_value(json_object_get(msg, "type"));
  if (!type) type = ev->type;
  int64_t index = gp__json_int(msg, "index");
  int rc = 0;
  if (strcmp(type, "message_start") == 0) {
    gp__claude_usage(s, json_object_get(json_object_get(msg, "message"), "usage"));
  } else if (strcmp(type, "content_block_start") == 0) {
    gp__claude_block_start(s, index, json_object_get(msg, "content_block"));
  } else if (strcmp(type, "content_block_delta") == 0) {
    gp__claude_block_delta(s, index, json_object_get(msg, "delta"));
  } else if (strcmp(type, "content_block_stop") == 0) {
    gp__claude_block_stop(s, index);
  } else if (strcmp(type, "message_delta") == 0) {
    gp__pstream_stop_reason(
        s, json_string_value(json_object_get(json_object_get(msg, "delta"), "stop_reason")));
    gp__claude_usage(s, json_object_get(msg, "usage"));
  } else if (strcmp(type, "message_stop") == 0) {
    s->finished = 1;
  } else if (strcmp(type, "error") == 0) {
    rc = gp__claude_error(s, msg);
  }
  json_decref(msg);
  return rc;
}

static char *gp__claude_auth(const char *key) { return gp__xasprintf("x-api-key: %s", key); }

const gp_proto_t gp__proto_claude = {
    .provider = "claude",
    .path = "/messages",
    .final_event = "message_stop",
    .build = gp__claude_build,
    .on_event = gp__claude_event,
    .auth = gp__claude_auth,
    .extra_header = "anthropic-version: 2023-06-01",
};

/* ---- structured output as a forced tool (the fallback) ----------------------------- */

void gp__claude_force_output_tool(json_t *body, const gp_infer_ctx_t *ctx) {
  json_object_del(body, "output_config");
  json_t *tools = json_object_get(body, "tools");
  if (!json_is_array(tools)) {
    tools = json_array();
    json_object_set_new(body, "tools", tools);
  }
  int others = json_array_size(tools) > 0 && !(ctx->tool_choice && !strcmp(ctx->tool_choice, "none"));
  json_array_append_new(tools, json_pack("{s:s, s:s, s:O}", "name", GP__OUTPUT_TOOL, "description",
                                         others ? "Give the final answer: once you have what you need "
                                                  "from the other tools, call this with the answer "
                                                  "as the input."
                                                : "Give the final answer: call this with it as the input.",
                                         "input_schema", gp__output_schema(ctx)));
  json_object_set_new(body, "tool_choice", others ? json_pack("{s:s}", "type", "any")
                                                  : json_pack("{s:s, s:s}", "type", "tool", "name", GP__OUTPUT_TOOL));
}

void gp__claude_output_tool_to_text(gp_turn_t *turn, size_t first) {
  for (size_t i = first; i < turn->nblocks; i++) {
    gp_block_t *b = turn->blocks[i];
    if (b->kind != GP_BLOCK_TOOL_CALL || strcmp(gp_block_tool_name(b), GP__OUTPUT_TOOL) != 0) continue;
    char *text = gp__args_text(gp_block_tool_args(b));
    gp_block_t *t = gp_block_new_assistant(text);
    free(text);
    gp_block_free(b);
    turn->blocks[i] = t;
  }
}
