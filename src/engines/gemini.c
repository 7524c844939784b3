/* Gemini API (`gemini`, SPEC §7): builds the streamGenerateContent request from a turn
 * (systemInstruction, alternating user/model contents with functionCall and
 * functionResponse parts, functionDeclarations) and decodes its SSE chunks, each a
 * GenerateContentResponse: candidates[0].content.parts (text, thought text,
 * functionCall), usageMetadata and finishReason. Gemini has no closing event: a stream
 * that gave its finishReason is complete. A part's thoughtSignature is kept in the
 * block's metadata ("thoughtSignature") and sent back with that part, as the API asks
 * for function calling with thinking models. */
#include "engines/provider_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- request ----------------------------------------------------------------------- */

/* Appends a part to the last content when it has `role`, else to a new one. */
static void gp__push(json_t *contents, const char *role, json_t *part) {
  size_t n = json_array_size(contents);
  json_t *last = n ? json_array_get(contents, n - 1) : NULL;
  const char *last_role = json_string_value(json_object_get(last, "role"));
  if (!last_role || strcmp(last_role, role) != 0) {
    last = json_pack("{s:s, s:[]}", "role", role, "parts");
    json_array_append_new(contents, last);
  }
  json_array_append_new(json_object_get(last, "parts"), part);
}

static void gp__sign(json_t *part, const gp_block_t *b) {
  json_t *sig = json_object_get(b->metadata, "thoughtSignature");
  if (json_is_string(sig)) json_object_set(part, "thoughtSignature", sig);
}

/* The name of the tool call `id` answers (functionResponse needs it). */
static const char *gp__call_name(const gp_turn_t *turn, const char *id) {
  for (size_t i = 0; i < turn->nblocks; i++) {
    const gp_block_t *b = turn->blocks[i];
    if (b->kind == GP_BLOCK_TOOL_CALL && id && strcmp(gp_block_call_id(b), id) == 0)
      return gp_block_tool_name(b);
  }
  return "unknown";
}

static void gp__push_call(json_t *contents, const gp_block_t *b) {
  json_t *args = gp_block_tool_args(b);
  json_t *a = json_is_object(args) ? json_deep_copy(args) : json_pack("{s:O}", "value", args);
  json_t *part = json_pack("{s:{s:s, s:o}}", "functionCall", "name", gp_block_tool_name(b), "args", a);
  gp__sign(part, b);
  gp__push(contents, "model", part);
}

/* A tool result: {result: VALUE} (an object result as it is), or {error: TEXT}. */
static void gp__push_result(json_t *contents, const gp_turn_t *turn, const gp_block_t *b) {
  const char *error = gp_block_tool_error(b);
  json_t *result = gp_block_tool_result(b);
  json_t *resp;
  if (error) resp = json_pack("{s:s}", "error", error);
  else if (json_is_object(result)) resp = json_deep_copy(result);
  else resp = json_pack("{s:O}", "result", result ? result : json_null());
  gp__push(contents, "user", json_pack("{s:{s:s, s:o}}", "functionResponse", "name",
                                       gp__call_name(turn, gp_block_call_id(b)), "response", resp));
}

/* Contents from the turn; system blocks are gathered into `system`. Reasoning is not
 * sent back (the API keeps thoughts to itself; their signatures ride on the parts). */
static json_t *gp__gemini_contents(const gp_turn_t *turn, gp_buf_t *system) {
  json_t *contents = json_array();
  for (size_t i = 0; i < turn->nblocks; i++) {
    const gp_block_t *b = turn->blocks[i];
    const char *text = gp_block_text(b);
    json_t *part;
    switch (b->kind) {
      case GP_BLOCK_SYSTEM:
        gp__system_append(system, text);
        break;
      case GP_BLOCK_USER:
        if (*text) gp__push(contents, "user", json_pack("{s:s}", "text", text));
        break;
      case GP_BLOCK_LLM_TEXT:
        if (!*text) break;
        part = json_pack("{s:s}", "text", text);
        gp__sign(part, b);
        gp__push(contents, "model", part);
        break;
      case GP_BLOCK_TOOL_CALL: gp__push_call(contents, b); break;
      case GP_BLOCK_TOOL_USE: gp__push_result(contents, turn, b); break;
      default: break;
    }
  }
  return contents;
}

static json_t *gp__gemini_tools(const json_t *defs) {
  json_t *decls = json_array();
  size_t i;
  json_t *def;
  json_array_foreach(defs, i, def) {
    json_array_append_new(decls, gp__tool_decl(def, NULL, "parameters",
                                               gp__gemini_schema(gp__tool_schema(def))));
  }
  return json_pack("[{s:o}]", "functionDeclarations", decls);
}

static json_t *gp__gemini_tool_config(const char *choice) {
  const char *mode = "AUTO";
  if (choice && strcmp(choice, "none") == 0) mode = "NONE";
  if (choice && strcmp(choice, "required") == 0) mode = "ANY";
  return json_pack("{s:{s:s}}", "functionCallingConfig", "mode", mode);
}

static json_t *gp__gemini_generation(const gp_prov_t *p, const gp_infer_ctx_t *ctx) {
  json_t *g = json_object();
  if (p->has_temperature) json_object_set_new(g, "temperature", json_real(p->temperature));
  if (p->has_top_p) json_object_set_new(g, "topP", json_real(p->top_p));
  if (p->max_tokens > 0) json_object_set_new(g, "maxOutputTokens", json_integer(p->max_tokens));
  if (p->nstop > 0) {
    json_t *stop = json_array();
    for (size_t i = 0; i < p->nstop; i++) json_array_append_new(stop, json_string(p->stop[i]));
    json_object_set_new(g, "stopSequences", stop);
  }
  const json_t *schema = ctx ? gp__output_schema(ctx) : NULL;
  if (schema) {
    json_object_set_new(g, "responseMimeType", json_string("application/json"));
    json_object_set_new(g, "responseSchema", gp__gemini_schema(json_deep_copy(schema)));
  }
  return g;
}

static json_t *gp__gemini_build(const gp_prov_t *p, const gp_infer_ctx_t *ctx,
                                const gp_turn_t *turn) {
  gp_buf_t system = {0};
  json_t *body = json_pack("{s:o}", "contents", gp__gemini_contents(turn, &system));
  if (system.len) {
    json_object_set_new(body, "systemInstruction",
                        json_pack("{s:[{s:s}]}", "parts", "text", system.data));
  }
  gp__buf_free(&system);
  json_t *gen = gp__gemini_generation(p, ctx);
  if (json_object_size(gen)) json_object_set_new(body, "generationConfig", gen);
  else json_decref(gen);
  if (ctx && json_array_size(ctx->tool_defs) > 0) {
    json_object_set_new(body, "tools", gp__gemini_tools(ctx->tool_defs));
    json_object_set_new(body, "toolConfig", gp__gemini_tool_config(ctx->tool_choice));
  }
  return body;
}

/* {base}/models/{model}:streamGenerateContent?alt=sse; a model given as "models/x" is
 * not prefixed twice. */
static char *gp__gemini_url(const gp_prov_t *p) {
  const char *m = p->model;
  if (strncmp(m, "models/", 7) == 0) m += 7;
  return gp__xasprintf("%s/models/%s:streamGenerateContent?alt=sse", p->base_url, m);
}

/* ---- stream ------------------------------------------------------------------------ */

/* outputTokens counts the answer and the thoughts (billed alike); inputTokens the
 * prompt, cached tokens included. */
static void gp__gemini_usage(gp_pstream_t *s, json_t *u) {
  if (!json_is_object(u)) return;
  int64_t out = gp__json_int(u, "candidatesTokenCount");
  int64_t thoughts = gp__json_int(u, "thoughtsTokenCount");
  if (thoughts > 0) out = (out > 0 ? out : 0) + thoughts;
  gp__pstream_usage(s, gp__json_int(u, "promptTokenCount"), out, gp__json_int(u, "cachedContentTokenCount"));
}

/* The signature of a part goes on the block the part made (the turn's last block). */
static void gp__keep_signature(gp_pstream_t *s, json_t *part) {
  json_t *sig = json_object_get(part, "thoughtSignature");
  if (!json_is_string(sig) || s->turn->nblocks == 0) return;
  gp_block_t *b = s->turn->blocks[s->turn->nblocks - 1];
  if (!b->metadata) b->metadata = json_object();
  json_object_set(b->metadata, "thoughtSignature", sig);
}

static void gp__gemini_call(gp_pstream_t *s, json_t *fc) {
  gp__pstream_text_close(s);
  gp__pstream_thinking_close(s);
  gp_pcall_t *c = gp__pstream_call_new(s, (int64_t)s->ncalls, json_string_value(json_object_get(fc, "id")),
                                      json_string_value(json_object_get(fc, "name")));
  json_t *args = json_object_get(fc, "args");
  c->input = json_is_object(args) ? json_deep_copy(args) : json_object();
  gp__pstream_call_end(s, c);
}

static void gp__gemini_part(gp_pstream_t *s, json_t *part) {
  json_t *text = json_object_get(part, "text");
  json_t *fc = json_object_get(part, "functionCall");
  if (json_is_object(fc)) {
    gp__gemini_call(s, fc);
  } else if (json_is_string(text) && json_is_true(json_object_get(part, "thought"))) {
    gp__pstream_text_close(s);
    gp__pstream_thinking(s, json_string_value(text), json_string_length(text));
  } else if (json_is_string(text)) {
    gp__pstream_thinking_close(s);
    gp__pstream_text(s, json_string_value(text), json_string_length(text));
  } else {
    return; /* executableCode, inlineData, ...: not ours */
  }
  gp__keep_signature(s, part);
}

static int gp__gemini_error(gp_pstream_t *s, json_t *e) {
  const char *status = json_string_value(json_object_get(e, "status"));
  const char *msg = json_string_value(json_object_get(e, "message"));
  return gp__pstream_fail(s, GP_ERR_PROVIDER_STREAM, "error in the stream: %s%s%s",
                         status ? status : "error", msg ? ": " : "", msg ? msg : "");
}

static int gp__gemini_event(gp_pstream_t *s, const gp_sse_event_t *ev) {
  json_t *chunk = gp__pstream_parse(s, ev);
  if (!chunk) return GP_ERR_PROVIDER_STREAM;
  int rc = 0;
  json_t *e = json_object_get(chunk, "error");
  if (e) {
    rc = gp__gemini_error(s, e);
  } else {
    json_t *cand = json_array_get(json_object_get(chunk, "candidates"), 0);
    size_t i;
    json_t *part;
    json_array_foreach(json_object_get(json_object_get(cand, "content"), "parts"), i, part) {
      gp__gemini_part(s, part);
    }
    gp__gemini_usage(s, json_object_get(chunk, "usageMetadata"));
    const char *finish = json_string_value(json_object_get(cand, "finishReason"));
    if (finish) gp__pstream_stop_reason(s, finish);
    const char *blocked = json_string_value(
        json_object_get(json_object_get(chunk, "promptFeedback"), "blockReason"));
    if (blocked) rc = gp__pstream_fail(s, GP_ERR_PROVIDER_STREAM, "the prompt was blocked (%s)", blocked);
  }
  json_decref(chunk);
  return rc;
}

static char *gp__gemini_auth(const char *key) { return gp__xasprintf("x-goog-api-key: %s", key); }

const gp_proto_t gp__proto_gemini = {
    .provider = "gemini",
    .path = "/models/{model}:streamGenerateContent?alt=sse",
    .final_event = "a chunk with finishReason",
    .build = gp__gemini_build,
    .on_event = gp__gemini_event,
    .auth = gp__gemini_auth,
    .url = gp__gemini_url,
    .finish_completes = 1,
};
