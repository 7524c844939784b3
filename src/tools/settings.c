/* Tool-loop settings (SPEC §4.5): defaults, copies, the JSON form with its camelCase
 * keys, and the allowedTools filter. Plain data; the caller synchronises access. */
#include <geppetto/tool.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

void gp_tool_settings_init(gp_tool_settings_t *s) {
  memset(s, 0, sizeof *s);
  s->enabled = 1;
  s->max_iterations = 20;
  s->max_parallel_tools = 3;
  s->execution_timeout_ms = 30000;
  strcpy(s->tool_choice, "auto");
  s->error_handling = GP_TOOL_ERRORS_CONTINUE;
  s->retry_max_retries = 2;
  s->retry_backoff_ms = 1000;
  s->retry_backoff_factor = 2;
  s->allowed_tools = NULL;
  s->nallowed = 0;
}

void gp_tool_settings_clear(gp_tool_settings_t *s) {
  if (!s) return;
  for (size_t i = 0; i < s->nallowed; i++) free(s->allowed_tools[i]);
  free(s->allowed_tools);
  s->allowed_tools = NULL;
  s->nallowed = 0;
}

int gp_tool_settings_copy(gp_tool_settings_t *dst, const gp_tool_settings_t *src) {
  *dst = *src;
  dst->allowed_tools = NULL;
  if (src->allowed_tools) {
    dst->allowed_tools = gp__xcalloc(src->nallowed ? src->nallowed : 1, sizeof(char *));
    for (size_t i = 0; i < src->nallowed; i++)
      dst->allowed_tools[i] = gp__xstrdup(src->allowed_tools[i]);
  }
  return 0;
}

int gp_tool_settings_allows(const gp_tool_settings_t *s, const char *name) {
  if (!s || !s->allowed_tools) return 1;
  if (!name) return 0;
  for (size_t i = 0; i < s->nallowed; i++)
    if (s->allowed_tools[i] && !strcmp(s->allowed_tools[i], name)) return 1;
  return 0;
}

/* An integer, or a real with an integral value (JS numbers may arrive as reals). */
static int gp__get_int(const json_t *v, int64_t min, int64_t *out) {
  double d;
  if (json_is_integer(v)) d = (double)json_integer_value(v);
  else if (json_is_real(v) && json_real_value(v) == floor(json_real_value(v))) d = json_real_value(v);
  else return -1;
  if (d < (double)min || d > 9.0e15) return -1;
  *out = (int64_t)d;
  return 0;
}

static int gp__one_of(const char *v, const char *const *names, int *idx) {
  for (int i = 0; names[i]; i++)
    if (!strcmp(v, names[i])) {
      *idx = i;
      return 0;
    }
  return -1;
}

static int gp__read_allowed(gp_tool_settings_t *s, const json_t *v) {
  if (json_is_null(v)) {
    gp_tool_settings_clear(s);
    return 0;
  }
  if (!json_is_array(v)) return -1;
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) if (!json_is_string(e)) return -1;
  gp_tool_settings_clear(s);
  s->nallowed = json_array_size(v);
  s->allowed_tools = gp__xcalloc(s->nallowed ? s->nallowed : 1, sizeof(char *));
  json_array_foreach(v, i, e) s->allowed_tools[i] = gp__xstrdup(json_string_value(e));
  return 0;
}

/* Applies one key to `s`; -1 for a wrong type or value, -2 for an unknown key. */
static int gp__read_key(gp_tool_settings_t *s, const char *key, const json_t *v) {
  static const char *const choices[] = {"auto", "none", "required", NULL};
  static const char *const policies[] = {"continue", "abort", "retry", NULL};
  int64_t n;
  int idx;
  if (!strcmp(key, "enabled")) {
    if (!json_is_boolean(v)) return -1;
    s->enabled = json_is_true(v);
  } else if (!strcmp(key, "maxIterations")) {
    if (gp__get_int(v, 1, &n) || n > 1000000) return -1;
    s->max_iterations = (int)n;
  } else if (!strcmp(key, "maxParallelTools")) {
    if (gp__get_int(v, 1, &n) || n > 256) return -1;
    s->max_parallel_tools = (int)n;
  } else if (!strcmp(key, "executionTimeoutMs")) {
    if (gp__get_int(v, 0, &n)) return -1;
    s->execution_timeout_ms = n;
  } else if (!strcmp(key, "toolChoice")) {
    if (!json_is_string(v) || gp__one_of(json_string_value(v), choices, &idx)) return -1;
    strcpy(s->tool_choice, choices[idx]);
  } else if (!strcmp(key, "toolErrorHandling")) {
    if (!json_is_string(v) || gp__one_of(json_string_value(v), policies, &idx)) return -1;
    s->error_handling = (gp_tool_errors_t)idx;
  } else if (!strcmp(key, "retryMaxRetries")) {
    if (gp__get_int(v, 0, &n) || n > 1000) return -1;
    s->retry_max_retries = (int)n;
  } else if (!strcmp(key, "retryBackoffMs")) {
    if (gp__get_int(v, 0, &n)) return -1;
    s->retry_backoff_ms = n;
  } else if (!strcmp(key, "retryBackoffFactor")) {
    if (!json_is_number(v) || json_number_value(v) < 0 || !isfinite(json_number_value(v))) return -1;
    s->retry_backoff_factor = json_number_value(v);
  } else if (!strcmp(key, "allowedTools")) {
    return gp__read_allowed(s, v);
  } else {
    return -2;
  }
  return 0;
}

int gp_tool_settings_from_json(gp_tool_settings_t *s, const json_t *j, gp_error_t **err) {
  if (!j || json_is_null(j)) return 0;
  if (!json_is_object(j))
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "tool loop settings must be an object");
  gp_tool_settings_t tmp;
  gp_tool_settings_copy(&tmp, s);
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)j, key, v) {
    int rc = gp__read_key(&tmp, key, v);
    if (rc == 0) continue;
    gp_tool_settings_clear(&tmp);
    if (rc == -2)
      return gp_error_set(err, GP_ERR_INVALID_ARGUMENT, "unknown tool loop setting \"%s\"", key);
    return gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                        "tool loop setting \"%s\" has a wrong type or value", key);
  }
  gp_tool_settings_clear(s);
  *s = tmp;
  return 0;
}
