/* OpenAI's strict structured output (Chat Completions `json_schema.strict`, Responses
 * `text.format.strict`) accepts only closed schemas: the root is an object, and every
 * object schema, however deep, has `additionalProperties: false` and lists each of its
 * properties in `required`. A schema outside that rule is refused with HTTP 400, so the
 * request says `strict: false` for it and the value is validated here as for every
 * provider (SPEC §4.10). */
#include <stdio.h>
#include <string.h>

#include "engines/provider_internal.h"

static int gp__strict_schema(const json_t *s, const char *path, int depth, char *why, size_t n);

/* The members of `s[key]` (an array of schemas, or an object of them) are closed. */
static int gp__strict_members(const json_t *s, const char *key, const char *path, int depth, char *why,
                              size_t n) {
  const json_t *kv = json_object_get(s, key);
  char sub[256];
  if (json_is_array(kv)) {
    size_t i;
    json_t *e;
    json_array_foreach(kv, i, e) {
      snprintf(sub, sizeof sub, "%s.%s[%zu]", path, key, i);
      if (!gp__strict_schema(e, sub, depth + 1, why, n)) return 0;
    }
  } else if (json_is_object(kv)) {
    const char *name;
    json_t *e;
    json_object_foreach((json_t *)kv, name, e) {
      snprintf(sub, sizeof sub, "%s.%s.%s", path, key, name);
      if (!gp__strict_schema(e, sub, depth + 1, why, n)) return 0;
    }
  }
  return 1;
}

static int gp__is_object_schema(const json_t *s) {
  const json_t *t = json_object_get(s, "type");
  if (json_is_string(t)) return !strcmp(json_string_value(t), "object");
  size_t i;
  json_t *e;
  json_array_foreach(t, i, e) if (json_is_string(e) && !strcmp(json_string_value(e), "object")) return 1;
  return json_object_get(s, "properties") != NULL;
}

/* An object schema is closed and requires every property. */
static int gp__strict_object(const json_t *s, const char *path, char *why, size_t n) {
  if (!json_is_false(json_object_get(s, "additionalProperties"))) {
    snprintf(why, n, "%s has no \"additionalProperties\": false", path);
    return 0;
  }
  const json_t *req = json_object_get(s, "required");
  const char *name;
  json_t *e;
  json_object_foreach(json_object_get(s, "properties"), name, e) {
    int listed = 0;
    size_t i;
    json_t *r;
    json_array_foreach(req, i, r) listed |= json_is_string(r) && !strcmp(json_string_value(r), name);
    if (!listed) {
      snprintf(why, n, "%s does not list \"%s\" in \"required\"", path, name);
      return 0;
    }
  }
  return 1;
}

static int gp__strict_schema(const json_t *s, const char *path, int depth, char *why, size_t n) {
  if (!json_is_object(s)) return 1;
  if (depth > 64) {
    snprintf(why, n, "%s nests too deep", path);
    return 0;
  }
  if (gp__is_object_schema(s) && !gp__strict_object(s, path, why, n)) return 0;
  const json_t *ap = json_object_get(s, "additionalProperties");
  char sub[256];
  snprintf(sub, sizeof sub, "%s.additionalProperties", path);
  if (json_is_object(ap) && !gp__strict_schema(ap, sub, depth + 1, why, n)) return 0;
  snprintf(sub, sizeof sub, "%s.items", path);
  if (!gp__strict_schema(json_object_get(s, "items"), sub, depth + 1, why, n)) return 0;
  static const char *const lists[] = {"properties", "anyOf", "oneOf", "allOf", "$defs", "definitions", NULL};
  for (size_t k = 0; lists[k]; k++)
    if (!gp__strict_members(s, lists[k], path, depth, why, n)) return 0;
  return 1;
}

int gp__openai_strict_ok(const json_t *schema, char *why, size_t n) {
  const json_t *t = json_object_get(schema, "type");
  if (!json_is_string(t) || strcmp(json_string_value(t), "object") != 0) {
    snprintf(why, n, "the root is not {\"type\": \"object\"}");
    return 0;
  }
  return gp__strict_schema(schema, "$", 0, why, n);
}
