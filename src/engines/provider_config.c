/* gp_engine_from_config_json: the script's engine options (SPEC §4.2, camelCase keys)
 * checked and turned into a gp_engine_config_t. A wrong type (also a number that is NaN
 * or infinite) and an unknown key (a typo such as `temprature`) are INVALID_ARGUMENT
 * naming the key and listing the known keys; null counts as absent. */
#include "engines/provider_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The script's engine keys, in the order the error message lists them. */
static const char *const gp__known_keys[] = {
    "apiType", "model", "baseURL", "baseUrl", "apiKey", "apiKeyEnv", "temperature", "topP",
    "maxTokens", "stop", "timeoutMs", "idleTimeoutMs", "connectTimeoutMs", "maxRetries",
    "maxResponseBytes", "headers", NULL};

int gp__engine_key_known(const char *key) {
  for (size_t i = 0; gp__known_keys[i]; i++) {
    if (!strcmp(key, gp__known_keys[i])) return 1;
  }
  return 0;
}

/* "; known keys: apiType, model, ..." appended to `b`. */
static void gp__known_list(gp_buf_t *b) {
  gp__buf_puts(b, "; known keys: ");
  for (size_t i = 0; gp__known_keys[i]; i++) gp__buf_printf(b, "%s%s", i ? ", " : "", gp__known_keys[i]);
}

int gp__engine_key_error(const char *what, const char *key, gp_error_t **err) {
  gp_buf_t msg = {0};
  gp__buf_printf(&msg, "%s: unknown key \"%s\"", what, key);
  gp__known_list(&msg);
  int rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%s", msg.data);
  gp__buf_free(&msg);
  return rc;
}

int gp__engine_value_error(const char *what, const char *key, const char *want, gp_error_t **err) {
  gp_buf_t msg = {0};
  gp__buf_printf(&msg, "%s: %s must be %s", what, key, want);
  gp__known_list(&msg);
  int rc = gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "%s", msg.data);
  gp__buf_free(&msg);
  return rc;
}

/* INVALID_ARGUMENT naming the first key of `cfg` that is not an engine option. */
static int gp__check_keys(const json_t *cfg, gp_error_t **err) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)cfg, k, v) {
    if (!gp__engine_key_known(k)) return gp__engine_key_error("engine config", k, err);
  }
  return 0;
}

static int gp__type_error(const char *key, const char *want, gp_error_t **err) {
  return gp__engine_value_error("engine config", key, want, err);
}

/* The string at `key` (NULL when absent or null). */
static int gp__get_string(const json_t *cfg, const char *key, const char **out, gp_error_t **err) {
  json_t *v = json_object_get(cfg, key);
  *out = NULL;
  if (!v || json_is_null(v)) return 0;
  if (!json_is_string(v)) return gp__type_error(key, "a string", err);
  *out = json_string_value(v);
  return 0;
}

static int gp__get_number(const json_t *cfg, const char *key, int *has, double *out,
                          gp_error_t **err) {
  json_t *v = json_object_get(cfg, key);
  *has = 0;
  if (!v || json_is_null(v)) return 0;
  if (!json_is_number(v) || !isfinite(json_number_value(v))) return gp__type_error(key, "a finite number", err);
  *has = 1;
  *out = json_number_value(v);
  return 0;
}

/* A non-negative integer (a JSON real with an integral value counts: JS numbers). */
static int gp__get_count(const json_t *cfg, const char *key, int64_t *out, gp_error_t **err) {
  json_t *v = json_object_get(cfg, key);
  if (!v || json_is_null(v)) return 0;
  double d = json_is_number(v) ? json_number_value(v) : -1;
  if (!json_is_number(v) || d < 0 || d != floor(d) || d > 9e15) {
    return gp__type_error(key, "a non-negative integer", err);
  }
  *out = (int64_t)d;
  return 0;
}

/* stop: a string or an array of strings; *out is a heap array of borrowed strings. */
static int gp__get_stop(const json_t *cfg, const char ***out, size_t *n, gp_error_t **err) {
  json_t *v = json_object_get(cfg, "stop");
  *out = NULL;
  *n = 0;
  if (!v || json_is_null(v)) return 0;
  if (json_is_string(v)) {
    *out = gp__xcalloc(1, sizeof **out);
    (*out)[(*n)++] = json_string_value(v);
    return 0;
  }
  if (!json_is_array(v)) return gp__type_error("stop", "a string or an array of strings", err);
  *out = gp__xcalloc(json_array_size(v) + 1, sizeof **out);
  size_t i;
  json_t *s;
  json_array_foreach(v, i, s) {
    if (!json_is_string(s)) {
      free(*out);
      *out = NULL;
      return gp__type_error("stop", "a string or an array of strings", err);
    }
    (*out)[(*n)++] = json_string_value(s);
  }
  return 0;
}

/* headers: an object of names to string values; *out is a heap array of heap
 * "Name: value" strings. */
static int gp__get_headers(const json_t *cfg, char ***out, size_t *n, gp_error_t **err) {
  json_t *v = json_object_get(cfg, "headers");
  *out = NULL;
  *n = 0;
  if (!v || json_is_null(v)) return 0;
  if (!json_is_object(v)) return gp__type_error("headers", "an object of header names to strings", err);
  *out = gp__xcalloc(json_object_size(v) + 1, sizeof **out);
  const char *k;
  json_t *s;
  json_object_foreach(v, k, s) {
    if (!json_is_string(s) || !*k || strpbrk(k, ": \t\r\n")) {
      return gp__type_error("headers", "an object of header names (no ':' or blanks) to strings", err);
    }
    (*out)[(*n)++] = gp__xasprintf("%s: %s", k, json_string_value(s));
  }
  return 0;
}

static int gp__config_strings(const json_t *cfg, gp_engine_config_t *c, gp_error_t **err) {
  int rc = 0;
  if (!rc) rc = gp__get_string(cfg, "apiType", &c->api_type, err);
  if (!rc) rc = gp__get_string(cfg, "model", &c->model, err);
  if (!rc) rc = gp__get_string(cfg, "baseURL", &c->base_url, err);
  if (!rc && !c->base_url) rc = gp__get_string(cfg, "baseUrl", &c->base_url, err);
  if (!rc) rc = gp__get_string(cfg, "apiKey", &c->api_key, err);
  if (!rc) rc = gp__get_string(cfg, "apiKeyEnv", &c->api_key_env, err);
  return rc;
}

static int gp__config_numbers(const json_t *cfg, gp_engine_config_t *c, gp_error_t **err) {
  int64_t retries = -1, max_bytes = 0;
  int rc = gp__get_number(cfg, "temperature", &c->has_temperature, &c->temperature, err);
  if (!rc) rc = gp__get_number(cfg, "topP", &c->has_top_p, &c->top_p, err);
  if (!rc) rc = gp__get_count(cfg, "maxTokens", &c->max_tokens, err);
  if (!rc) rc = gp__get_count(cfg, "timeoutMs", &c->timeout_ms, err);
  if (!rc) rc = gp__get_count(cfg, "idleTimeoutMs", &c->idle_timeout_ms, err);
  if (!rc) rc = gp__get_count(cfg, "connectTimeoutMs", &c->connect_timeout_ms, err);
  if (!rc) rc = gp__get_count(cfg, "maxRetries", &retries, err);
  if (!rc) rc = gp__get_count(cfg, "maxResponseBytes", &max_bytes, err);
  if (!rc && retries > 100) rc = gp__type_error("maxRetries", "at most 100", err);
  c->max_retries = (int)retries;
  c->max_response_bytes = (size_t)max_bytes;
  return rc;
}

gp_engine_t *gp_engine_from_config_json(const json_t *cfg, gp_error_t **err) {
  if (!json_is_object(cfg)) {
    gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "engine config must be an object");
    return NULL;
  }
  gp_engine_config_t c;
  gp_engine_config_init(&c);
  const char **stop = NULL;
  char **headers = NULL;
  size_t nheaders = 0;
  int rc = gp__check_keys(cfg, err);
  if (!rc) rc = gp__config_strings(cfg, &c, err);
  if (!rc) rc = gp__config_numbers(cfg, &c, err);
  if (!rc) rc = gp__get_stop(cfg, &stop, &c.nstop, err);
  if (!rc) rc = gp__get_headers(cfg, &headers, &nheaders, err);
  gp_engine_t *e = NULL;
  if (!rc) {
    c.stop = stop;
    c.headers = (const char *const *)headers;
    c.nheaders = nheaders;
    e = gp_engine_from_config(&c, err);
  }
  for (size_t i = 0; i < nheaders; i++) free(headers[i]);
  free(headers);
  free(stop);
  return e;
}
