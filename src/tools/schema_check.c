/* gp_schema_check: a schema is checked when a tool is registered (SPEC §4.4). Every
 * keyword must be one JSON Schema defines, with the JSON type it takes; a misspelt one
 * (`requried`) is an error naming its path and the keyword it probably meant. The
 * keywords geppetto validates are checked in depth (type names, `required` lists, $ref
 * targets, patterns); other standard keywords (description, format, ...) are accepted
 * and not enforced. A `pattern` must compile as an ECMAScript expression (regex.c). */
#include <geppetto/tool.h>

#include <stdlib.h>
#include <string.h>

#include "core/json_ref.h"
#include "tools/regex.h"
#include "tools/schema_internal.h"

#define fail gp__schema_fail

/* Standard keywords outside the validated subset: accepted, not enforced. */
static const char *const gp__annotations[] = {
    "$schema", "$id", "$comment", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
    "title", "description", "default", "examples", "example", "format", "deprecated",
    "readOnly", "writeOnly", "nullable", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "uniqueItems", "not", "if", "then", "else", "patternProperties", "propertyNames",
    "minProperties", "maxProperties", "dependentRequired", "dependentSchemas", "dependencies",
    "prefixItems", "additionalItems", "contains", "minContains", "maxContains",
    "unevaluatedProperties", "unevaluatedItems", "contentEncoding", "contentMediaType",
    "contentSchema", "propertyOrdering", "discriminator", NULL};

/* The keywords validated (schema.c), for the "did you mean" hint too. */
static const char *const gp__validated[] = {
    "type", "properties", "required", "enum", "const", "items", "additionalProperties",
    "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern",
    "anyOf", "oneOf", "allOf", "$ref", "$defs", "definitions", NULL};

static int gp__in_list(const char *const *list, const char *k) {
  for (size_t i = 0; list[i]; i++)
    if (!strcmp(list[i], k)) return 1;
  return 0;
}

/* Edit distance of two short strings, capped: 3 when it is 3 or more. */
static int gp__distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 40 || lb > 40 || (la > lb ? la - lb : lb - la) > 2) return 3;
  int d[41][41];
  for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
      int m = sub < del ? sub : del;
      d[i][j] = m < ins ? m : ins;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
        d[i][j] = d[i - 2][j - 2] + 1; /* a swap of two letters */
    }
  }
  return d[la][lb] < 3 ? d[la][lb] : 3;
}

/* The known keyword closest to `k` (distance at most 2), or NULL. */
static const char *gp__closest(const char *k) {
  const char *best = NULL;
  int bd = 3;
  const char *const *lists[] = {gp__validated, gp__annotations};
  for (size_t l = 0; l < 2; l++) {
    for (size_t i = 0; lists[l][i]; i++) {
      int d = gp__distance(k, lists[l][i]);
      if (d < bd) bd = d, best = lists[l][i];
    }
  }
  return best;
}

/* ---- pattern ----------------------------------------------------------------------- */

int gp__schema_pattern_match(const char *pattern, const char *s, size_t len, char *why, size_t whylen) {
  gp_regex_t *re = gp__regex_compile(pattern, why, whylen);
  if (!re) return -1;
  int m = gp__regex_test(re, s, len);
  gp__regex_free(re);
  return m < 0 ? -2 : m;
}

/* ---- keywords ---------------------------------------------------------------------- */

static int gp__known_type(const json_t *t) {
  static const char *const names[] = {"string", "number", "integer", "boolean",
                                      "object", "array", "null", NULL};
  return json_is_string(t) && gp__in_list(names, json_string_value(t));
}

typedef struct {
  const json_t *root;
  int depth;
} cctx_t;

static int gp__check_schema(cctx_t *c, const json_t *s, gp_buf_t *path, gp_error_t **err);

/* An object whose every member is a schema (properties, $defs). */
static int gp__check_schema_map(cctx_t *c, const json_t *kv, gp_buf_t *path, gp_error_t **err) {
  if (!json_is_object(kv)) return fail(err, path, "must be an object of schemas");
  const char *name;
  json_t *e;
  json_object_foreach((json_t *)kv, name, e) {
    size_t saved = gp__schema_path_key(path, name);
    int rc = gp__check_schema(c, e, path, err);
    gp__schema_path_pop(path, saved);
    if (rc) return rc;
  }
  return 0;
}

/* A non-empty array of schemas (anyOf, oneOf, allOf). */
static int gp__check_schema_list(cctx_t *c, const json_t *kv, gp_buf_t *path, gp_error_t **err) {
  if (!json_is_array(kv) || json_array_size(kv) == 0)
    return fail(err, path, "must be a non-empty array of schemas");
  size_t i;
  json_t *e;
  json_array_foreach(kv, i, e) {
    size_t saved = path->len;
    gp__buf_printf(path, "[%zu]", i);
    int rc = gp__check_schema(c, e, path, err);
    gp__schema_path_pop(path, saved);
    if (rc) return rc;
  }
  return 0;
}

static int gp__check_type_kw(const json_t *kv, const gp_buf_t *path, gp_error_t **err) {
  size_t i;
  json_t *e;
  if (!json_is_array(kv)) {
    if (gp__known_type(kv)) return 0;
    if (json_is_string(kv))
      return fail(err, path, "unknown type \"%s\"; use string, number, integer, boolean, object, "
                  "array or null", json_string_value(kv));
    return fail(err, path, "must be a type name or an array of type names");
  }
  if (json_array_size(kv) == 0) return fail(err, path, "type list must not be empty");
  json_array_foreach(kv, i, e) if (!gp__known_type(e)) return fail(err, path, "unknown type in type list");
  return 0;
}

static int gp__check_count(const json_t *kv, const gp_buf_t *path, gp_error_t **err) {
  return json_is_integer(kv) && json_integer_value(kv) >= 0
             ? 0 : fail(err, path, "must be a non-negative integer");
}

/* Checks keyword `key` of schema `s` (present); `path` already names the keyword. */
static int gp__check_keyword(cctx_t *c, const char *key, const json_t *kv, gp_buf_t *path,
                         gp_error_t **err) {
  size_t i;
  json_t *e;
  if (!strcmp(key, "type")) return gp__check_type_kw(kv, path, err);
  if (!strcmp(key, "properties") || !strcmp(key, "$defs") || !strcmp(key, "definitions"))
    return gp__check_schema_map(c, kv, path, err);
  if (!strcmp(key, "required")) {
    if (!json_is_array(kv)) return fail(err, path, "must be an array of strings");
    json_array_foreach(kv, i, e) if (!json_is_string(e)) return fail(err, path, "must be an array of strings");
    return 0;
  }
  if (!strcmp(key, "enum")) return json_is_array(kv) ? 0 : fail(err, path, "must be an array");
  if (!strcmp(key, "items")) return gp__check_schema(c, kv, path, err);
  if (!strcmp(key, "additionalProperties"))
    return json_is_boolean(kv) ? 0 : gp__check_schema(c, kv, path, err);
  if (!strcmp(key, "minimum") || !strcmp(key, "maximum"))
    return json_is_number(kv) ? 0 : fail(err, path, "must be a number");
  if (!strcmp(key, "minLength") || !strcmp(key, "maxLength") || !strcmp(key, "minItems") ||
      !strcmp(key, "maxItems"))
    return gp__check_count(kv, path, err);
  if (!strcmp(key, "anyOf") || !strcmp(key, "oneOf") || !strcmp(key, "allOf"))
    return gp__check_schema_list(c, kv, path, err);
  if (!strcmp(key, "pattern")) {
    if (!json_is_string(kv)) return fail(err, path, "must be a string");
    char why[160];
    gp_regex_t *re = gp__regex_compile(json_string_value(kv), why, sizeof why);
    gp__regex_free(re);
    return re ? 0 : fail(err, path, "\"%s\" is not a valid regular expression: %s", json_string_value(kv), why);
  }
  if (!strcmp(key, "$ref")) {
    if (!json_is_string(kv)) return fail(err, path, "must be a string");
    return gp__json_resolve_ref(c->root, json_string_value(kv))
               ? 0 : fail(err, path, "\"%s\" does not resolve in this schema (use \"#/$defs/NAME\")",
                          json_string_value(kv));
  }
  if (!strcmp(key, "const")) return 0;
  if (gp__in_list(gp__annotations, key) || !strncmp(key, "x-", 2)) return 0;
  const char *hint = gp__closest(key);
  if (hint) return fail(err, path, "unknown keyword \"%s\"; did you mean \"%s\"?", key, hint);
  return fail(err, path, "unknown keyword \"%s\"", key);
}

static int gp__check_schema(cctx_t *c, const json_t *s, gp_buf_t *path, gp_error_t **err) {
  if (json_is_boolean(s)) return 0;
  if (!json_is_object(s)) return fail(err, path, "a schema must be an object or a boolean");
  if (c->depth >= 64) return fail(err, path, "the schema nests deeper than 64 levels");
  c->depth++;
  const char *key;
  json_t *kv;
  int rc = 0;
  json_object_foreach((json_t *)s, key, kv) {
    size_t saved = gp__schema_path_key(path, key);
    rc = gp__check_keyword(c, key, kv, path, err);
    gp__schema_path_pop(path, saved);
    if (rc) break;
  }
  c->depth--;
  return rc;
}

int gp_schema_check(const json_t *schema, gp_error_t **err) {
  if (!schema) return 0;
  gp_buf_t path = {0};
  gp__buf_puts(&path, "$");
  cctx_t c = {.root = schema, .depth = 0};
  int rc = gp__check_schema(&c, schema, &path, err);
  gp__buf_free(&path);
  return rc;
}

int gp_tool_name_check(const char *name, gp_error_t **err) {
  size_t n = name ? strlen(name) : 0;
  int ok = n >= 1 && n <= 64;
  for (size_t i = 0; ok && i < n; i++) {
    char ch = name[i];
    ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         ch == '_' || ch == '-';
  }
  if (ok) return 0;
  return gp_error_set(err, GP_ERR_INVALID_ARGUMENT,
                      "tool name \"%.80s%s\" must match ^[a-zA-Z0-9_-]{1,64}$ (what the providers "
                      "accept)", name ? name : "", n > 80 ? "..." : "");
}
