/* Shared plumbing of the provider engines (openai.c, claude.c, responses.c): the
 * engine's immutable configuration, the protocol table each wire format fills in, the
 * stream accumulator that turns decoded deltas into blocks and events, and helpers for
 * secrets and provider error bodies. Internal; exposed to the unit tests so request
 * building and stream parsing can be checked without HTTP. */
#ifndef GP_ENGINES_PROVIDER_INTERNAL_H
#define GP_ENGINES_PROVIDER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/core.h"
#include "engines/jscan.h"
#include "geppetto/engine.h"
#include "geppetto/providers.h"
#include "http/http.h"

typedef struct gp_proto_s gp_proto_t;
typedef struct gp_pstream_s gp_pstream_t;

/* One provider engine's configuration. Immutable after gp_engine_from_config, so runs on
 * several threads read it without a lock; `no_output_config` alone changes, atomically. */
typedef struct gp_prov_s {
  const gp_proto_t *proto;      /* wire format */
  char *model;                  /* heap */
  char *base_url;               /* heap, no trailing '/' */
  char *shown_url;              /* base_url with its userinfo as *** (logs, errors) */
  char *userinfo;               /* base_url's "user:key" or NULL: redacted from errors */
  char *api_key;                /* heap secret or NULL (keyless local server); never logged */
  int official_host;            /* 1: base_url is api.openai.com / api.anthropic.com */
  int has_temperature;
  double temperature;
  int has_top_p;
  double top_p;
  int64_t max_tokens;           /* 0: provider default */
  char **stop;                  /* heap array of heap strings */
  size_t nstop;
  int64_t timeout_ms;           /* whole request incl. retries */
  int64_t idle_timeout_ms;
  int64_t connect_timeout_ms;
  int max_retries;
  size_t max_response_bytes;
  char **headers;               /* heap "Name: value" strings, extra request headers */
  size_t nheaders;
  int no_output_config;         /* atomic: 1 once the model refused Anthropic's
                                 * output_config; later requests use the forced tool */
} gp_prov_t;

/* A wire format. `build` returns the request body (new reference); `on_event` consumes
 * one SSE event and returns 0 or a GP_ERR_* code with s->err set; `auth` formats the
 * authentication header for a key (heap). */
struct gp_proto_s {
  const char *provider;         /* metadata/engine provider name: "openai", "claude", ... */
  const char *path;             /* appended to base_url: "/chat/completions", ... */
  const char *final_event;      /* what ends a complete stream, for error messages */
  json_t *(*build)(const gp_prov_t *p, const gp_infer_ctx_t *ctx, const gp_turn_t *turn);
  int (*on_event)(gp_pstream_t *s, const gp_sse_event_t *ev);
  char *(*auth)(const char *key);
  const char *extra_header;     /* a constant header every request carries, or NULL */
  int finish_completes;         /* 1: a stream that gave its stop reason is complete even
                                 * when it ends without final_event (OpenAI chat: the
                                 * SDKs accept a body that stops after finish_reason) */
  char *(*url)(const gp_prov_t *p); /* the request URL (heap) when it is not base_url + path
                                 * (Gemini puts the model in it); NULL: base_url + path */
};

extern const gp_proto_t gp__proto_openai;
extern const gp_proto_t gp__proto_claude;
extern const gp_proto_t gp__proto_responses;
extern const gp_proto_t gp__proto_gemini;

/* A schema rewritten into Gemini's OpenAPI-style Schema object (gemini_schema.c): $refs
 * inlined, const as enum, type lists as nullable. Takes `schema`; new reference. */
json_t *gp__gemini_schema(json_t *schema);
/* Anthropic's fallback for structured output (claude.c): the request asks for a call of
 * a tool whose input schema is the output schema, instead of output_config: that tool
 * forced when the run offers no other tool, else tool_choice "any" (the model may call
 * the run's tools first, then answers through the output tool);
 * after the answer, that call (blocks from `first` on) becomes an llm_text block holding
 * its input as JSON text, so the tool loop validates it as any answer. */
#define GP__OUTPUT_TOOL "structured_output"
void gp__claude_force_output_tool(json_t *body, const gp_infer_ctx_t *ctx);
void gp__claude_output_tool_to_text(gp_turn_t *turn, size_t first);
/* 1 when OpenAI's strict mode accepts `schema` (openai_strict.c: the root an object,
 * every object closed with all its properties required); 0 with the reason in `why`. */
int gp__openai_strict_ok(const json_t *schema, char *why, size_t n);
/* The JSON Schema of the run's structured output (ctx->output.schema), or NULL. */
const json_t *gp__output_schema(const gp_infer_ctx_t *ctx);
/* {type: "json_schema", name?, schema, strict?} for the run's output (name "output" and
 * strict true unless the option says otherwise; `named` 0 leaves both out), or NULL
 * when the run asks for none. New reference. */
json_t *gp__output_format(const gp_infer_ctx_t *ctx, int named);

/* ---- stream accumulator (provider_stream.c) ------------------------------------- */

typedef struct gp_pcall_s {
  int64_t key;                  /* the protocol's index for the call (index, output_index) */
  char *id;                     /* heap, "" until known */
  char *name;                   /* heap, "" until known */
  gp_buf_t args;                /* argument JSON text received so far */
  json_t *input;                /* arguments given whole (Anthropic's start `input`), or NULL */
  int done;                     /* 1 once its block was appended */
} gp_pcall_t;

/* What one streamed response has produced so far. Text and thinking accumulate in one
 * buffer each for the whole response (the `completion` of partial events); a block's
 * text is the slice of that buffer from where it opened, set when it closes, so the
 * cost stays linear in the response size. Blocks are appended to the turn when they
 * open (text, reasoning) or finish (tool calls), which keeps the provider's order. */
struct gp_pstream_s {
  const gp_prov_t *prov;
  gp_turn_t *turn;              /* borrowed: the turn being extended */
  gp_emitter_t *em;             /* borrowed, may be NULL */
  gp_text_t *text;              /* all output text of this response, or NULL */
  gp_text_t *thinking;          /* all reasoning text of this response, or NULL */
  gp_block_t *text_block;       /* open llm_text block (in turn) or NULL */
  size_t text_start;            /* its first byte in `text` */
  gp_block_t *think_block;      /* open reasoning block (in turn) or NULL */
  size_t think_start;
  gp_pcall_t *calls;            /* tool calls, in order of first appearance */
  size_t ncalls, capcalls;
  size_t calls_done;            /* calls[0..calls_done) are all done */
  char **ids;                   /* call ids in the turn (hash set, heap strings), made at
                                 * the first call's end; NULL before */
  size_t nids, capids;          /* entries used, slots (a power of 2) */
  json_t *usage;                /* {inputTokens, outputTokens, cachedTokens?} or NULL */
  char *stop_reason;            /* heap or NULL */
  int finished;                 /* 1 once the protocol's final event arrived */
  gp_error_t *err;              /* the error on_event reported (the client may take it) */
  int failed;                   /* 1 once on_event reported an error */
  int *kinds;                   /* protocol index -> what it streams (GP_PK_*), heap */
  size_t nkinds;
  gp_buf_t signature;           /* Anthropic thinking signature being received */
  gp_buf_t scratch;             /* an escaped string of a fast-path chunk, decoded */
  size_t nfast;                 /* events the fast path applied (the tests check it runs) */
};

/* What a protocol-level index (Anthropic content block, Responses output item) holds. */
enum { GP_PK_NONE, GP_PK_TEXT, GP_PK_THINKING, GP_PK_CALL, GP_PK_OTHER };
void gp__pstream_set_kind(gp_pstream_t *s, int64_t index, int kind);
int gp__pstream_kind(const gp_pstream_t *s, int64_t index); /* GP_PK_NONE when unknown */

void gp__pstream_init(gp_pstream_t *s, const gp_prov_t *prov, gp_emitter_t *em, gp_turn_t *turn);
/* Closes open blocks; `ok` 1: unfinished tool calls are completed, 0: they are dropped
 * (a call whose arguments did not fully arrive must not run). Sets usage and stop_reason
 * metadata when known. Then frees the accumulator's memory (not the turn). */
void gp__pstream_finish(gp_pstream_t *s, int ok);

/* Appends text to the open llm_text block (opening one if needed); emits `partial`. */
void gp__pstream_text(gp_pstream_t *s, const char *delta, size_t n);
void gp__pstream_text_close(gp_pstream_t *s);
/* Appends reasoning; emits `partial-thinking`. */
void gp__pstream_thinking(gp_pstream_t *s, const char *delta, size_t n);
/* Opens a reasoning block now (Anthropic: a thinking block may carry only a signature). */
void gp__pstream_thinking_open(gp_pstream_t *s);
/* metadata[key] = value (stolen) on the open reasoning block, opening one if needed. */
void gp__pstream_thinking_meta(gp_pstream_t *s, const char *key, json_t *value);
void gp__pstream_thinking_close(gp_pstream_t *s);

/* The open (not done) call with `key`, or NULL. */
gp_pcall_t *gp__pstream_call_find(gp_pstream_t *s, int64_t key);
/* A new call; id/name may be NULL. */
gp_pcall_t *gp__pstream_call_new(gp_pstream_t *s, int64_t key, const char *id, const char *name);
/* Sets the id (a later non-empty id replaces it) and the name (kept once set); either
 * may be NULL. */
void gp__pstream_call_set(gp_pcall_t *c, const char *id, const char *name);
/* Parses the arguments, appends the tool_call block and emits `tool-call`. Arguments
 * that are not valid JSON become {"_raw": TEXT} and a warn `log` event names the call. */
void gp__pstream_call_end(gp_pstream_t *s, gp_pcall_t *c);
void gp__pstream_calls_end_all(gp_pstream_t *s);

/* Usage from provider counts (< 0: absent). */
void gp__pstream_usage(gp_pstream_t *s, int64_t input, int64_t output, int64_t cached);
void gp__pstream_stop_reason(gp_pstream_t *s, const char *reason);
/* Sets s->err (PROVIDER_STREAM unless `code` says otherwise) and returns the code. */
int gp__pstream_fail(gp_pstream_t *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Parses ev->data as a JSON object; on failure sets s->err (PROVIDER_STREAM, naming the
 * event and the parse error) and returns NULL. */
json_t *gp__pstream_parse(gp_pstream_t *s, const gp_sse_event_t *ev);

/* The hot delta events (text, reasoning and tool-argument fragments) are read in place
 * with gp_jscan by each protocol's fast path; any chunk it is not sure of (other
 * events, unexpected shapes, malformed text) goes to the jansson path unchanged. It also
 * lets gp__jscan_json build parsed chunks and tool arguments in place of jansson's parser.
 * 1 by default; the differential tests turn it off to compare (set it before any run). */
extern int gp__pstream_fast;
/* A fast-path string's text: the slice itself, or its decoded copy in s->scratch (valid
 * until the next call). */
const char *gp__pstream_unescape(gp_pstream_t *s, const gp_jscan_str_t *str, size_t *n);
/* The reader of a delta event's "delta" member: < 0 to give up. */
typedef int (*gp__delta_read_cb)(gp_jscan_t *j, void *ud);
/* Reads a delta event's object in place: "type" (a string), the index key (an integer,
 * or null: -1) and "delta" (read by `read`), each at most once; any other member is
 * skipped. 1 when the whole object was read so, 0 when anything was unusual (escaped
 * keys, repeated members, bad values, trailing text): the jansson path then takes the
 * event. Inline: it runs once per streamed delta, and inlined at each call its key and
 * reader are constants (as a call it cost ~2 % of the decoding rate). */
static inline int gp__pstream_scan_delta(const gp_sse_event_t *ev, const char *index_key,
                                         size_t index_len, gp__delta_read_cb read, void *ud,
                                         gp_jscan_str_t *type, int64_t *index) {
  gp_jscan_t j;
  gp_jscan_str_t k;
  int seen = 0, r;
  *index = -1;
  gp__jscan_init(&j, ev->data, ev->data_len);
  if (!gp__jscan_obj_begin(&j)) return 0;
  while ((r = gp__jscan_obj_next(&j, &k)) == 1) {
    if (k.escaped) return 0;
    if (gp__jscan_key_is(&k, "type")) {
      if (!gp__jscan_once(&seen, 1) || gp__jscan_str(&j, type) != 1) return 0;
    } else if (gp__jscan_key_eq(&k, index_key, index_len)) {
      if (!gp__jscan_once(&seen, 2) || gp__jscan_int(&j, index) < 0) return 0; /* null: -1 */
    } else if (gp__jscan_key_is(&k, "delta")) {
      if (!gp__jscan_once(&seen, 4) || read(&j, ud) < 0) return 0;
    } else if (gp__jscan_skip(&j) < 0) {
      return 0; /* ids, sequence numbers...: not read by the jansson path either */
    }
  }
  return r == 0 && gp__jscan_done(&j) >= 0;
}

/* The same with the index key a string literal (its length known at the call). */
#define gp__pstream_scan_delta_at(ev, lit, read, ud, type, index) \
  gp__pstream_scan_delta((ev), "" lit, sizeof(lit) - 1, (read), (ud), (type), (index))
/* What a delta read in place carries. */
enum { GP__DELTA_NONE, GP__DELTA_TEXT, GP__DELTA_THINKING, GP__DELTA_ARGS };
/* Applies such a delta `v` (nothing when v->s is NULL): text, thinking, or arguments
 * appended to `call` (NULL: dropped). */
void gp__pstream_apply_delta(gp_pstream_t *s, int kind, const gp_jscan_str_t *v, gp_pcall_t *call);

/* ---- shared helpers (provider.c) ------------------------------------------------ */

/* Replaces every occurrence of `key` in `s` (heap) with "[REDACTED]"; returns the
 * (possibly new) heap string. `key` NULL or shorter than 4 bytes: `s` unchanged. */
char *gp__redact(char *s, const char *key);
/* `url` with its userinfo (user:key before @) shown as three stars. Heap string. */
char *gp__url_shown(const char *url);
/* The environment as engine construction reads it (API keys, $GEPPETTO_PROFILE(S),
 * $XDG_CONFIG_HOME, $HOME). A caller may stand a lookup in for getenv on its own thread
 * while it makes engines (the script runtime answers from the script's process.env):
 * `get` returns 1 with *value (NULL: not set; valid until the hook is removed), or 0 to
 * fall back to getenv. */
typedef struct gp__env_hook {
  int (*get)(void *data, const char *name, const char **value);
  void *data;
} gp__env_hook_t;
/* Installs `hook` (NULL: none) on the calling thread; returns the previous one. */
const gp__env_hook_t *gp__env_hook_set(const gp__env_hook_t *hook);
/* getenv through the calling thread's hook; NULL when unset. */
const char *gp__getenv(const char *name);
/* The length of API key `key` without one trailing "\n" or "\r\n" (a key pasted as a
 * YAML block scalar, or read from a file saved with a newline). */
size_t gp__key_len(const char *key);
/* The provider's own error message from an error body (JSON `error.message`,
 * `error` string, `message`), else the body's first 500 bytes. Heap; never NULL. */
char *gp__provider_error_message(const char *body);
/* A tool result as text for the wire: strings as they are, other values compact JSON. */
char *gp__result_text(const json_t *result);
/* A tool call's arguments as JSON text for the wire; {"_raw": S} gives S back. */
char *gp__args_text(const json_t *args);
/* A tool definition's parameters schema (new reference); providers want an object
 * schema even when the tool takes no parameters. */
json_t *gp__tool_schema(const json_t *def);
/* A tool's declaration for the wire: {type? (when not NULL), name, description (when
 * not empty), schema_key: schema} (new reference; `schema` is taken over). */
json_t *gp__tool_decl(const json_t *def, const char *type, const char *schema_key, json_t *schema);
/* Appends a system block's text to the system prompt being gathered, a blank line
 * between blocks (the protocols that take the system prompt apart from the messages). */
void gp__system_append(gp_buf_t *system, const char *text);
/* An integer member of a JSON object, or -1 when it is missing or not an integer. */
int64_t gp__json_int(const json_t *o, const char *key);
/* The request body for `turn` with this engine's protocol (new reference). */
json_t *gp__prov_build(const gp_prov_t *p, const gp_infer_ctx_t *ctx, const gp_turn_t *turn);
/* The configuration behind a provider engine (what gp_engine_from_config wraps): same
 * checks and errors. gp__prov_free accepts NULL. */
gp_prov_t *gp__prov_new(const gp_engine_config_t *c, gp_error_t **err);
void gp__prov_free(gp_prov_t *p);
/* 1 when `key` is one of the script's engine options (provider_config.c). */
int gp__engine_key_known(const char *key);
/* INVALID_ARGUMENT "WHAT: unknown key "KEY"; known keys: ..."; returns the code. */
int gp__engine_key_error(const char *what, const char *key, gp_error_t **err);
/* INVALID_ARGUMENT "WHAT: KEY must be WANT; known keys: ..." (a value of the wrong type);
 * returns the code. */
int gp__engine_value_error(const char *what, const char *key, const char *want, gp_error_t **err);

#endif
