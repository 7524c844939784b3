/* Gemini's Schema object (function parameters, responseSchema) is an OpenAPI 3.0
 * subset: no $ref/$defs, no const, no additionalProperties, no type lists. This file
 * rewrites a schema of geppetto's subset (SPEC §4.4) into that form: local $refs are
 * inlined (to a bounded depth), a string const becomes a one-value string enum, any
 * other const just its type (Gemini's enums hold strings only, so an enum with another
 * value is dropped too), ["T","null"] becomes type T with nullable, and keywords Gemini
 * refuses are dropped. Validation of what comes back still uses the original schema,
 * so what the rewrite loosens is still checked on our side. */
#include "engines/provider_internal.h"

#include <string.h>

#include "core/json_ref.h"

#define GP__INLINE_DEPTH 8

/* Keywords the Gemini Schema object takes (others are dropped). */
static int gp__kept(const char *k) {
  static const char *const keep[] = {"type", "format", "description", "nullable", "enum",
                                     "maxItems", "minItems", "properties", "required",
                                     "minProperties", "maxProperties", "minLength", "maxLength",
                                     "pattern", "example", "anyOf", "propertyOrdering",
                                     "default", "items", "minimum", "maximum", "title", NULL};
  for (size_t i = 0; keep[i]; i++)
    if (!strcmp(keep[i], k)) return 1;
  return 0;
}

static json_t *gp__conv(const json_t *root, const json_t *s, int depth);

/* type: ["string", "null"] -> "string" + nullable; several non-null types -> anyOf. */
static void gp__conv_type(json_t *out, const json_t *type) {
  if (!json_is_array(type)) {
    if (json_is_string(type)) json_object_set(out, "type", (json_t *)type);
    return;
  }
  json_t *kinds = json_array();
  size_t i;
  json_t *t;
  json_array_foreach(type, i, t) {
    if (json_is_string(t) && strcmp(json_string_value(t), "null") == 0)
      json_object_set_new(out, "nullable", json_true());
    else if (json_is_string(t)) json_array_append(kinds, t);
  }
  if (json_array_size(kinds) == 1) json_object_set(out, "type", json_array_get(kinds, 0));
  else if (json_array_size(kinds) > 1) {
    json_t *any = json_array();
    json_array_foreach(kinds, i, t) json_array_append_new(any, json_pack("{s:O}", "type", t));
    json_object_set_new(out, "anyOf", any);
  }
  json_decref(kinds);
}

/* const: a string is a one-value string enum; another value gives its type (null:
 * nullable), unless the schema names a type itself. */
static void gp__conv_const(json_t *out, const json_t *v) {
  const char *t = json_is_string(v) ? "string" : json_is_integer(v) ? "integer" : json_is_real(v) ? "number"
                  : json_is_boolean(v) ? "boolean" : json_is_object(v) ? "object" : json_is_array(v) ? "array" : NULL;
  if (json_is_string(v)) json_object_set_new(out, "enum", json_pack("[O]", v));
  if (json_is_null(v)) json_object_set_new(out, "nullable", json_true());
  if (t && !json_object_get(out, "type") && !json_object_get(out, "anyOf"))
    json_object_set_new(out, "type", json_string(t));
}

/* Gemini's enum lists strings: one with another value is dropped (validated here). */
static void gp__conv_enum(json_t *out) {
  size_t i;
  json_t *e;
  json_array_foreach(json_object_get(out, "enum"), i, e) {
    if (!json_is_string(e)) {
      json_object_del(out, "enum");
      return;
    }
  }
}

static json_t *gp__conv_map(const json_t *root, const json_t *props, int depth) {
  json_t *out = json_object();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)props, k, v) json_object_set_new(out, k, gp__conv(root, v, depth));
  return out;
}

static json_t *gp__conv(const json_t *root, const json_t *s, int depth) {
  if (!json_is_object(s) || depth > GP__INLINE_DEPTH) return json_object();
  const char *ref = json_string_value(json_object_get(s, "$ref"));
  if (ref) return gp__conv(root, gp__json_resolve_ref(root, ref), depth + 1);
  json_t *out = json_object();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)s, k, v) {
    if (!strcmp(k, "type")) gp__conv_type(out, v);
    else if (!strcmp(k, "const")) continue; /* after the loop: it depends on `type` */
    else if (!strcmp(k, "properties") && json_is_object(v)) json_object_set_new(out, k, gp__conv_map(root, v, depth + 1));
    else if (!strcmp(k, "items")) json_object_set_new(out, k, gp__conv(root, v, depth + 1));
    else if ((!strcmp(k, "anyOf") || !strcmp(k, "oneOf")) && json_is_array(v)) {
      json_t *any = json_array();
      size_t i;
      json_t *alt;
      json_array_foreach(v, i, alt) json_array_append_new(any, gp__conv(root, alt, depth + 1));
      json_object_set_new(out, "anyOf", any);
    } else if (gp__kept(k)) json_object_set(out, k, v);
  }
  gp__conv_enum(out);
  if (json_object_get(s, "const")) gp__conv_const(out, json_object_get(s, "const"));
  return out;
}

json_t *gp__gemini_schema(json_t *schema) {
  json_t *out = gp__conv(schema, schema, 0);
  json_decref(schema);
  return out;
}
