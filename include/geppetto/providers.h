/* Provider engines over HTTP (SPEC §4.2, §7) and profiles (SPEC §6).
 *
 * Every provider streams: OpenAI Chat Completions (`openai`, also every
 * OpenAI-compatible server), Anthropic Messages (`claude`, alias `anthropic`), OpenAI
 * Responses (`openai-responses`) and Gemini (`gemini`, streamGenerateContent with
 * alt=sse; the key in x-goog-api-key, from $GEMINI_API_KEY by default; a stream is
 * complete once a chunk gave its finishReason; call ids are made up when Gemini sends
 * none). An engine appends llm_text, reasoning and tool_call
 * blocks to the turn as they stream, publishing partial, partial-thinking and tool-call
 * events, and sets the turn metadata provider, model, usage and stop_reason. On failure
 * what was streamed stays in the turn (the partial turn).
 *
 * API keys never appear in logs, events, errors, turn metadata or statistics: they are
 * sent only in the request's auth header, and any provider message quoting the key is
 * redacted ("[REDACTED]") before it becomes an error.
 *
 * What the engines do, for every protocol:
 * - Metadata: `usage` {inputTokens, outputTokens, cachedTokens?} where inputTokens counts
 *   every input token, cached ones included (Anthropic reports cache reads and writes
 *   apart from input_tokens; they are added), and cachedTokens, present when the
 *   provider reports it, is the part read from a cache. `stop_reason` is the protocol's
 *   own value (openai: finish_reason "stop", "tool_calls", "length"; claude:
 *   "end_turn", "tool_use", "max_tokens"; openai-responses: the response status
 *   "completed", or the incomplete_details reason such as "max_output_tokens"; gemini:
 *   finishReason "STOP", "MAX_TOKENS", "SAFETY", ...).
 * - Structured output (gp_infer_ctx_t.output, SPEC §4.10): openai sends response_format
 *   {type: "json_schema", json_schema: {name, schema, strict}}, openai-responses
 *   text.format, claude output_config.format (a model that refuses it with a 400 naming
 *   output_config is asked again with a forced tool whose input is the answer), gemini
 *   generationConfig responseMimeType + responseSchema (rewritten to Gemini's schema
 *   form). While the answer streams, `partial-object` events carry the value so far.
 * - Tool calls: one `tool-call` event and one tool_call block per finished call, in the
 *   order the calls began. Arguments are parsed from the streamed JSON text; text that
 *   is not valid JSON becomes args {"_raw": TEXT} (sent back to the provider as that
 *   text) and a `log` event at level warn names the call. When a stream fails, calls
 *   whose arguments had not finished are dropped (a half-received call must not run);
 *   the text and reasoning received stay in the turn.
 * - Sending turns: tool results go as text — a string result as it is, any other value
 *   as compact JSON, a failed call as its error text (claude: with is_error). Reasoning
 *   blocks are sent back only to claude, and only with the signature the API gave
 *   (kept in the block's metadata "signature", or "redacted_data" for redacted
 *   thinking). `other` blocks are not sent.
 * - Options: max_tokens goes as max_completion_tokens to api.openai.com and as
 *   max_tokens to other OpenAI-compatible servers; claude always sends max_tokens
 *   (4096 by default); openai-responses sends max_output_tokens and has no stop
 *   sequences (`stop` is not sent). Without tools neither tools nor tool_choice is sent.
 * - Errors: PROVIDER_AUTH (HTTP 401/403), PROVIDER_HTTP (any other non-2xx status once
 *   retries are spent; the message has the status, the provider's own message and the
 *   attempt count), PROVIDER_STREAM (an error event in the stream, a malformed chunk,
 *   the connection lost mid-stream, or a stream that ended without the protocol's final
 *   event: [DONE], message_stop, response.completed), TIMEOUT (idle, connect or total
 *   time, or the run's deadline), CANCELED, RESPONSE_TOO_LARGE, IO (could not connect).
 *   Retries (429, 500, 502, 503, 504, 529 and connection failures before the first
 *   byte) happen inside the HTTP layer with backoff, honouring Retry-After. */
#ifndef GEPPETTO_PROVIDERS_H
#define GEPPETTO_PROVIDERS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "engine.h"
#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gp_engine_config_s {
  const char *api_type;        /* "openai", "claude" / "anthropic", "openai-responses" */
  const char *model;           /* required */
  const char *base_url;        /* NULL: https://api.openai.com/v1 or https://api.anthropic.com/v1;
                                  the path (/chat/completions, /messages, /responses) is appended */
  const char *api_key;         /* NULL: from api_key_env if set, else OPENAI_API_KEY (openai,
                                  openai-responses) / ANTHROPIC_API_KEY (claude). Required for
                                  the official hosts; optional for any other base_url (local
                                  servers such as Ollama need none: no auth header is sent) */
  const char *api_key_env;     /* name of the variable holding the key; may be NULL. When set,
                                  only that variable is read */
  int has_temperature;
  double temperature;
  int has_top_p;
  double top_p;
  int64_t max_tokens;          /* 0: provider default (claude: 4096, it is required) */
  const char *const *stop;     /* stop sequences; may be NULL */
  size_t nstop;
  int64_t timeout_ms;          /* whole request incl. retries; 0: 600 000 */
  int64_t idle_timeout_ms;     /* no byte for this long: TIMEOUT; 0: 60 000 */
  int64_t connect_timeout_ms;  /* 0: 10 000 */
  int max_retries;             /* < 0: 3 */
  size_t max_response_bytes;   /* 0: 64 MiB */
  const char *const *headers;  /* extra request headers as "Name: value"; may be NULL */
  size_t nheaders;
} gp_engine_config_t;

/* Zeroes `c` and sets max_retries to -1 (defaults everywhere). */
void gp_engine_config_init(gp_engine_config_t *c);

/* A provider engine. Copies everything it keeps. NULL with *err: INVALID_ARGUMENT (an
 * unknown api_type is named, with the accepted ones; a missing model), CONFIG (no API
 * key: names the variables looked at). */
gp_engine_t *gp_engine_from_config(const gp_engine_config_t *c, gp_error_t **err);

/* The same from a JSON object with the script's keys (SPEC §4.2): apiType, model,
 * baseURL (also baseUrl), apiKey, apiKeyEnv, temperature, topP, maxTokens, stop (string
 * or array), timeoutMs, idleTimeoutMs, connectTimeoutMs, maxRetries, maxResponseBytes,
 * headers (an object of header names to string values, sent with every request).
 * Wrong types and unknown keys are INVALID_ARGUMENT naming the key (an unknown one with
 * the list of known keys); null is absent. `cfg` is only read (the engine copies what it keeps). */
gp_engine_t *gp_engine_from_config_json(const json_t *cfg, gp_error_t **err);

/* ---- Profiles (SPEC §6) ---------------------------------------------------------- */

/* The profiles file to use: `explicit_path` if not NULL, else $GEPPETTO_PROFILES, else
 * $XDG_CONFIG_HOME/geppetto/profiles.yaml, else ~/.config/geppetto/profiles.yaml.
 * Heap string. */
char *gp_profiles_path(const char *explicit_path);

/* The engine configuration of a profile as a JSON object with the script's keys (see
 * gp_engine_from_config_json; the YAML's snake_case keys api_type, model, base_url,
 * api_key, api_key_env, temperature, top_p, max_tokens, stop, timeout_ms,
 * idle_timeout_ms, connect_timeout_ms, max_retries, max_response_bytes are mapped; the
 * camelCase names are accepted too; any other key is a CONFIG error naming it), with
 * `overrides` (a JSON object of script keys, may be NULL, only read) applied on top; an
 * unknown override key is INVALID_ARGUMENT naming it and listing the known keys.
 * `profiles_path` is the --profiles value or NULL (see gp_profiles_path). Plain YAML
 * scalars are typed (numbers, booleans, null); quoted ones stay strings.
 * `name` NULL: $GEPPETTO_PROFILE, else the file's `default`. NULL with *err (CONFIG)
 * naming what is missing — the file (and every place looked at), the profile (and the
 * names the file has), a key (api_type and model are required) — and where it was
 * looked for. Returns a new reference. */
json_t *gp_profile_resolve(const char *profiles_path, const char *name,
                           const json_t *overrides, gp_error_t **err);

/* The settings `geppetto chat` takes from the profile (SPEC §6): a new object with those
 * of `system`, `tools`, `store` (strings) and `mcp` (a string or a list of strings) the
 * profile has. The profile is found as gp_profile_resolve finds it; NULL with *err
 * (CONFIG) when it cannot be, or a key has the wrong type. */
json_t *gp_profile_chat_settings(const char *profiles_path, const char *name, gp_error_t **err);

/* gp_profile_resolve + gp_engine_from_config_json; an engine error (a missing API key,
 * a wrong type) is prefixed with the profile's name and file. */
gp_engine_t *gp_engine_from_profile(const char *profiles_path, const char *name,
                                    const json_t *overrides, gp_error_t **err);

#ifdef __cplusplus
}
#endif
#endif
