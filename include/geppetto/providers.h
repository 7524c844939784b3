/* Provider engines over HTTP (SPEC §4.2, §7) and profiles (SPEC §6).
 *
 * Every provider streams: OpenAI Chat Completions (`openai`, also every
 * OpenAI-compatible server), Anthropic Messages (`claude`, alias `anthropic`) and OpenAI
 * Responses (`openai-responses`). An engine appends llm_text, reasoning and tool_call
 * blocks to the turn as they stream, publishing partial, partial-thinking and tool-call
 * events, and sets the turn metadata provider, model, usage and stop_reason. On failure
 * what was streamed stays in the turn (the partial turn).
 *
 * API keys never appear in logs, events, errors, turn metadata or statistics. */
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
  const char *base_url;        /* NULL: https://api.openai.com/v1 or https://api.anthropic.com/v1 */
  const char *api_key;         /* NULL: from api_key_env, else OPENAI_API_KEY / ANTHROPIC_API_KEY */
  const char *api_key_env;     /* name of the variable holding the key; may be NULL */
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
} gp_engine_config_t;

/* Zeroes `c` and sets max_retries to -1 (defaults everywhere). */
void gp_engine_config_init(gp_engine_config_t *c);

/* A provider engine. Copies everything it keeps. NULL with *err: INVALID_ARGUMENT (an
 * unknown api_type is named, with the accepted ones; a missing model), CONFIG (no API
 * key: names the variables looked at). */
gp_engine_t *gp_engine_from_config(const gp_engine_config_t *c, gp_error_t **err);

/* The same from a JSON object with the script's keys (SPEC §4.2): apiType, model,
 * baseURL, apiKey, apiKeyEnv, temperature, topP, maxTokens, stop (string or array),
 * timeoutMs, idleTimeoutMs, maxRetries. Wrong types are INVALID_ARGUMENT naming the key. */
gp_engine_t *gp_engine_from_config_json(const json_t *cfg, gp_error_t **err);

/* ---- Profiles (SPEC §6) ---------------------------------------------------------- */

/* The profiles file to use: `explicit_path` if not NULL, else $GEPPETTO_PROFILES, else
 * $XDG_CONFIG_HOME/geppetto/profiles.yaml, else ~/.config/geppetto/profiles.yaml.
 * Heap string. */
char *gp_profiles_path(const char *explicit_path);

/* The engine configuration of a profile as a JSON object with the script's keys (see
 * gp_engine_from_config_json; the YAML's snake_case keys api_type, model, base_url,
 * api_key, api_key_env, temperature, top_p, max_tokens, stop, timeout_ms are mapped),
 * with `overrides` (a JSON object of script keys, may be NULL) applied on top.
 * `name` NULL: $GEPPETTO_PROFILE, else the file's `default`. NULL with *err (CONFIG)
 * naming what is missing — the file (and every place looked at), the profile (and the
 * names the file has), a key — and where it was looked for. */
json_t *gp_profile_resolve(const char *profiles_path, const char *name,
                           const json_t *overrides, gp_error_t **err);

/* gp_profile_resolve + gp_engine_from_config_json. */
gp_engine_t *gp_engine_from_profile(const char *profiles_path, const char *name,
                                    const json_t *overrides, gp_error_t **err);

#ifdef __cplusplus
}
#endif
#endif
