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
  gp__buf_free(&st->content);
  st->tool_calls = NULL;
  st->open = 0;
}

static void gp__step_text(gp__step_t *st, json_t *messages, const char *text) {
  if (st->open && st->tool_calls) gp__step_close(st, messages); /* text after calls: next step */
  st->open = 1;
  gp__buf_puts(&st->content, text ? text : "");
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
  char *content = error ? gp__xstrdup(error) : gp__result_text(gp_block_tool_result(b));
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
    json_t *fn = gp__tool_decl(def, NULL, "parameters", gp__tool_schema(def));
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
  json_t *format = gp__output_format(ctx, 1);
  if (format) { /* {type, json_schema: {name, schema, strict}} */
    json_t *rf = json_pack("{s:s, s:o}", "type", "json_schema", "json_schema", format);
    json_object_del(format, "type");
    json_object_set_new(body, "response_format", rf);
  }
  if (ctx && json_array_size(ctx->tool_defs) > 0) {
    json_object_set_new(body, "tools", gp__openai_tools(ctx->tool_defs));
    json_object_set_new(body, "tool_choice",
                        json_string(ctx->tool_choice ? ctx->tool_choice : "auto"));
  }
  return body;
}

/* ---- stream ------------------------------------------------------------------------ */

/* One tool-call fragment: merges by index; a new id at an index in use starts a call. */
static void gp__openai_call_delta(gp_pstream_t *s, int64_t idx, const char *id, const char *name,
                                  const char *args, size_t nargs) {
  gp_pcall_t *c = gp__pstream_call_find(s, idx);
  if (c && id && *id && c->id[0] && strcmp(c->id, id) != 0) {
    /* A new id at a used index: a new call, so the calls before it are complete. */
    gp__pstream_calls_end_all(s);
    c = NULL;
  }
  if (!c) c = gp__pstream_call_new(s, idx, id, NULL);
  gp__pstream_call_set(c, id, name);
  if (nargs) gp__buf_append(&c->args, args, nargs);
}

static void gp__openai_tool_delta(gp_pstream_t *s, json_t *tc) {
  json_t *jidx = json_object_get(tc, "index");
  int64_t idx = json_is_integer(jidx) ? json_integer_value(jidx) : 0;
  const char *id = json_string_value(json_object_get(tc, "id"));
  json_t *fn = json_object_get(tc, "function");
  const char *name = json_string_value(json_object_get(fn, "name"));
  json_t *args = json_object_get(fn, "arguments");
  if (json_is_string(args)) {
    gp__openai_call_delta(s, idx, id, name, json_string_value(args), json_string_length(args));
  } else if (args && !json_is_null(args)) {
    char *text = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY); /* some servers send objects */
    gp__openai_call_delta(s, idx, id, name, text, text ? strlen(text) : 0);
    free(text);
  } else {
    gp__openai_call_delta(s, idx, id, name, NULL, 0);
  }
}

static void gp__openai_usage(gp_pstream_t *s, json_t *u) {
  if (!json_is_object(u)) return;
  json_t *in = json_object_get(u, "prompt_tokens");
  json_t *out = json_object_get(u, "completion_tokens");
  json_t *cached = json_object_get(json_object_get(u, "prompt_tokens_details"), "cached_tokens");
  gp__pstream_usage(s, json_is_integer(in) ? json_integer_value(in) : -1,
                   json_is_integer(out) ? json_integer_value(out) : -1,
                   json_is_integer(cached) ? json_integer_value(cached) : -1);
}

static void gp__openai_choice(gp_pstream_t *s, json_t *choice) {
  json_t *delta = json_object_get(choice, "delta");
  json_t *reasoning = json_object_get(delta, "reasoning_content");
  if (!json_is_string(reasoning)) reasoning = json_object_get(delta, "reasoning");
  if (json_is_string(reasoning)) {
    gp__pstream_thinking(s, json_string_value(reasoning), json_string_length(reasoning));
  }
  json_t *content = json_object_get(delta, "content");
  if (json_is_string(content)) {
    gp__pstream_text(s, json_string_value(content), json_string_length(content));
  }
  size_t i;
  json_t *tc;
  json_array_foreach(json_object_get(delta, "tool_calls"), i, tc) gp__openai_tool_delta(s, tc);
  const char *finish = json_string_value(json_object_get(choice, "finish_reason"));
  if (finish) {
    gp__pstream_stop_reason(s, finish);
    gp__pstream_calls_end_all(s);
  }
}

/* ---- stream fast path: delta chunks read in place ------------------------------- */

/* What a delta chunk carries, gathered before anything is applied: the chunk must be
 * read whole, and found valid, before it may change the stream. A string not given (or
 * null) has s == NULL. */
typedef struct {
  gp_jscan_str_t reasoning_content, reasoning, content;
  const char *tools;         /* the tool_calls array's text, or NULL */
  size_t ntools;
} gp__oa_delta_t;

/* function: {name, arguments}, or null. */
static int gp__oa_fast_fn(gp_jscan_t *j, gp_jscan_str_t *name, gp_jscan_str_t *args) {
  if (gp__jscan_null(j)) return 0;
  if (!gp__jscan_obj_begin(j)) return -1;
  gp_jscan_str_t k;
  int seen = 0, r;
  while ((r = gp__jscan_obj_next(j, &k)) == 1) {
    if (k.escaped) return -1;
    if (gp__jscan_key_is(&k, "name")) {
      if (!gp__jscan_once(&seen, 1) || gp__jscan_str(j, name) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "arguments")) {
      /* Arguments sent as an object are re-serialized by the jansson path. */
      if (!gp__jscan_once(&seen, 2) || gp__jscan_str(j, args) < 0) return -1;
    } else if (gp__jscan_skip(j) < 0) {
      return -1;
    }
  }
  return r;
}

/* One tool_calls element {index, id, function} (other keys are not read by the jansson
 * path): 0, or -1 for what the fast path leaves to jansson. Run twice: to check the
 * chunk (`apply` 0), then to merge the fragment as gp__openai_tool_delta does. */
static int gp__oa_fast_tool(gp_pstream_t *s, gp_jscan_t *j, int apply) {
  gp_jscan_str_t k, id = {0}, name = {0}, args = {0};
  int64_t idx = 0;
  int seen = 0, r;
  if (!gp__jscan_obj_begin(j)) return -1;
  while ((r = gp__jscan_obj_next(j, &k)) == 1) {
    if (k.escaped) return -1;
    if (gp__jscan_key_is(&k, "index")) {
      if (!gp__jscan_once(&seen, 1) || gp__jscan_int(j, &idx) != 1) return -1;
    } else if (gp__jscan_key_is(&k, "id")) {
      if (!gp__jscan_once(&seen, 2) || gp__jscan_str(j, &id) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "function")) {
      if (!gp__jscan_once(&seen, 4) || gp__oa_fast_fn(j, &name, &args) < 0) return -1;
    } else if (gp__jscan_skip(j) < 0) {
      return -1;
    }
  }
  if (r < 0) return -1;
  if (!apply) return 0;
  gp_buf_t idb = {0}, nameb = {0}; /* C strings; present on a call's first fragment only */
  if (id.s) gp__jscan_str_append(&id, &idb);
  if (name.s) gp__jscan_str_append(&name, &nameb);
  size_t n = 0;
  const char *a = args.s ? gp__pstream_unescape(s, &args, &n) : NULL;
  gp__openai_call_delta(s, idx, id.s ? (idb.data ? idb.data : "") : NULL,
                        name.s ? (nameb.data ? nameb.data : "") : NULL, a, n);
  gp__buf_free(&idb);
  gp__buf_free(&nameb);
  return 0;
}

static int gp__oa_fast_delta(gp_pstream_t *s, gp_jscan_t *j, gp__oa_delta_t *d) {
  if (!gp__jscan_obj_begin(j)) return -1;
  gp_jscan_str_t k;
  int seen = 0, r;
  while ((r = gp__jscan_obj_next(j, &k)) == 1) {
    if (k.escaped) return -1;
    if (gp__jscan_key_is(&k, "content")) {
      if (!gp__jscan_once(&seen, 1) || gp__jscan_str(j, &d->content) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "reasoning_content")) {
      if (!gp__jscan_once(&seen, 2) || gp__jscan_str(j, &d->reasoning_content) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "reasoning")) {
      if (!gp__jscan_once(&seen, 4) || gp__jscan_str(j, &d->reasoning) < 0) return -1;
    } else if (gp__jscan_key_is(&k, "tool_calls")) {
      if (!gp__jscan_once(&seen, 8)) return -1;
      if (gp__jscan_null(j)) continue;
      gp__jscan_peek(j);
      d->tools = j->p;
      if (!gp__jscan_arr_begin(j)) return -1;
      while ((r = gp__jscan_arr_next(j)) == 1)
        if (gp__oa_fast_tool(s, j, 0) < 0) return -1;
      if (r < 0) return -1;
      d->ntools = (size_t)(j->p - d->tools);
    } else if (gp__jscan_skip(j) < 0) {
      return -1;
    }
  }
  return r;
}

/* choices: at most one, index 0 (or none), finish_reason null. */
static int gp__oa_fast_choices(gp_pstream_t *s, gp_jscan_t *j, gp__oa_delta_t *d) {
  if (!gp__jscan_arr_begin(j)) return -1;
  int n = 0, r;
  while ((r = gp__jscan_arr_next(j)) == 1) {
    if (n++ > 0 || !gp__jscan_obj_begin(j)) return -1;
    gp_jscan_str_t k;
    int seen = 0;
    int64_t index;
    while ((r = gp__jscan_obj_next(j, &k)) == 1) {
      if (k.escaped) return -1;
      if (gp__jscan_key_is(&k, "index")) {
        if (!gp__jscan_once(&seen, 1) || gp__jscan_int(j, &index) != 1 || index != 0) return -1;
      } else if (gp__jscan_key_is(&k, "delta")) {
        if (!gp__jscan_once(&seen, 2) || gp__oa_fast_delta(s, j, d) < 0) return -1;
      } else if (gp__jscan_key_is(&k, "finish_reason")) {
        if (!gp__jscan_once(&seen, 4) || !gp__jscan_null(j)) return -1;
      } else if (gp__jscan_skip(j) < 0) {
        return -1;
      }
    }
    if (r < 0) return -1;
  }
  return r;
}

/* A chunk carrying only deltas (no error, usage or finish reason): 1 when it was
 * applied exactly as the jansson path would, 0 to leave it to that path untouched. */
static int gp__openai_fast(gp_pstream_t *s, const gp_sse_event_t *ev) {
  gp_jscan_t j;
  gp_jscan_str_t k;
  gp__oa_delta_t d = {0};
  int seen = 0, r;
  gp__jscan_init(&j, ev->data, ev->data_len);
  if (!gp__jscan_obj_begin(&j)) return 0;
  while ((r = gp__jscan_obj_next(&j, &k)) == 1) {
    if (k.escaped) return 0;
    if (gp__jscan_key_is(&k, "choices")) {
      if (!gp__jscan_once(&seen, 1) || gp__oa_fast_choices(s, &j, &d) < 0) return 0;
    } else if (gp__jscan_key_is(&k, "error")) {
      if (!gp__jscan_once(&seen, 2) || !gp__jscan_null(&j)) return 0;
    } else if (gp__jscan_key_is(&k, "usage")) {
      if (!gp__jscan_once(&seen, 4) || !gp__jscan_null(&j)) return 0;
    } else if (gp__jscan_skip(&j) < 0) {
      return 0; /* id, model, created...: not read by the jansson path either */
    }
  }
  if (r < 0 || gp__jscan_done(&j) < 0) return 0;
  /* The jansson path's order: reasoning, text, tool calls. */
  const gp_jscan_str_t *reasoning = d.reasoning_content.s ? &d.reasoning_content
                                    : d.reasoning.s       ? &d.reasoning
                                                          : NULL;
  size_t n;
  const char *text;
  if (reasoning) {
    text = gp__pstream_unescape(s, reasoning, &n);
    gp__pstream_thinking(s, text, n);
  }
  if (d.content.s) {
    text = gp__pstream_unescape(s, &d.content, &n);
    gp__pstream_text(s, text, n);
  }
  if (d.tools) {
    gp_jscan_t t;
    gp__jscan_init(&t, d.tools, d.ntools);
    gp__jscan_arr_begin(&t);
    while (gp__jscan_arr_next(&t) == 1) gp__oa_fast_tool(s, &t, 1);
  }
  return 1;
}

static int gp__openai_event(gp_pstream_t *s, const gp_sse_event_t *ev) {
  if (ev->data_len == 6 && memcmp(ev->data, "[DONE]", 6) == 0) {
    s->finished = 1;
    return 0;
  }
  if (gp__pstream_fast && gp__openai_fast(s, ev)) {
    s->nfast++;
    return 0;
  }
  json_t *chunk = gp__pstream_parse(s, ev);
  if (!chunk) return GP_ERR_PROVIDER_STREAM;
  json_t *error = json_object_get(chunk, "error");
  if (error && !json_is_null(error)) {
    char *text = json_dumps(chunk, JSON_COMPACT);
    char *msg = gp__provider_error_message(text);
    free(text);
    json_decref(chunk);
    int rc = gp__pstream_fail(s, GP_ERR_PROVIDER_STREAM, "error in the stream: %s", msg);
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
  return gp__xasprintf("Authorization: Bearer %s", key);
}

const gp_proto_t gp__proto_openai = {
    .provider = "openai",
    .path = "/chat/completions",
    .final_event = "data: [DONE]",
    .build = gp__openai_build,
    .on_event = gp__openai_event,
    .auth = gp__openai_auth,
    .extra_header = NULL,
    .finish_completes = 1,
};
