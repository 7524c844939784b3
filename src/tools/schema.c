/* Argument validation: the JSON Schema subset of SPEC §4.4 (type, properties, required,
 * enum, const, items, additionalProperties, minimum, maximum, minLength, maxLength,
 * minItems, maxItems, pattern, anyOf, oneOf, allOf, $ref to $defs, nullable type lists).
 *
 * gp_schema_validate walks value and schema together and stops at the first failure,
 * reporting it as "PATH: REASON" with a JSONPath-like path ($, $.a.b, $.items[2]).
 * The schema's own correctness (gp_schema_check) lives in schema_check.c. */
#include <geppetto/tool.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/json_ref.h"
#include "tools/regex.h"
#include "tools/schema_internal.h"

/* $ref chains and nested schemas deeper than this fail instead of recursing forever. */
#define GP__SCHEMA_MAX_DEPTH 128

/* One validation: the root schema ($ref targets are resolved in it) and the depth. */
typedef struct {
  const json_t *root;
  int depth;
} vctx_t;

/* ---- paths ----------------------------------------------------------------------- */

static int gp__is_ident(const char *k) {
  if (!*k) return 0;
  for (const char *c = k; *c; c++) {
    int alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' || *c == '$';
    int digit = *c >= '0' && *c <= '9';
    if (!alpha && !(digit && c != k)) return 0;
  }
  return 1;
}

/* Appends ".key" or ["key"] to `path`; returns the length to restore afterwards. */
size_t gp__schema_path_key(gp_buf_t *path, const char *key) {
  size_t saved = path->len;
  if (gp__is_ident(key)) {
    gp__buf_printf(path, ".%s", key);
  } else {
    json_t *s = json_string(key);
    char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    gp__buf_printf(path, "[%s]", q ? q : "\"?\"");
    free(q);
    json_decref(s);
  }
  return saved;
}

static size_t gp__path_push_index(gp_buf_t *path, size_t i) {
  size_t saved = path->len;
  gp__buf_printf(path, "[%zu]", i);
  return saved;
}

void gp__schema_path_pop(gp_buf_t *path, size_t saved) {
  path->len = saved;
  if (path->data) path->data[saved] = '\0';
}

int gp__schema_fail(gp_error_t **err, const gp_buf_t *path, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    char *reason = gp__xvasprintf(fmt, ap);
    va_end(ap);
    *err = gp_error_new(GP_ERR_INVALID_ARGUMENT, "%s: %s", path->data ? path->data : "$", reason);
    free(reason);
  }
  return GP_ERR_INVALID_ARGUMENT;
}

/* ---- validation ------------------------------------------------------------------ */

#define path_push_key gp__schema_path_key
#define path_pop gp__schema_path_pop
#define fail gp__schema_fail

static int gp__is_integral(const json_t *v) {
  if (json_is_integer(v)) return 1;
  if (!json_is_real(v)) return 0;
  double d = json_real_value(v);
  return isfinite(d) && d == floor(d);
}

/* The schema type name of a value ("integer" for integral numbers). */
static const char *gp__type_of(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "object";
  case JSON_ARRAY: return "array";
  case JSON_STRING: return "string";
  case JSON_INTEGER: return "integer";
  case JSON_REAL: return gp__is_integral(v) ? "integer" : "number";
  case JSON_TRUE:
  case JSON_FALSE: return "boolean";
  case JSON_NULL: return "null";
  }
  return "unknown";
}

static int gp__type_matches(const char *t, const json_t *v) {
  if (!strcmp(t, "number")) return json_is_number(v);
  if (!strcmp(t, "integer")) return gp__is_integral(v);
  return !strcmp(t, gp__type_of(v));
}

/* `nullable: true` (the OpenAPI spelling) admits null beside the declared type. */
static int gp__check_type(const json_t *schema, const json_t *v, const gp_buf_t *path,
                      gp_error_t **err) {
  const json_t *type = json_object_get(schema, "type");
  if (json_is_null(v) && json_is_true(json_object_get(schema, "nullable"))) return 0;
  if (json_is_string(type)) {
    if (gp__type_matches(json_string_value(type), v)) return 0;
    return fail(err, path, "expected %s, got %s", json_string_value(type), gp__type_of(v));
  }
  if (!json_is_array(type)) return 0;
  gp_buf_t want = {0};
  size_t i;
  json_t *t;
  json_array_foreach(type, i, t) {
    if (!json_is_string(t)) continue;
    if (gp__type_matches(json_string_value(t), v)) {
      gp__buf_free(&want);
      return 0;
    }
    gp__buf_printf(&want, "%s%s", want.len ? " or " : "", json_string_value(t));
  }
  int rc = fail(err, path, "expected %s, got %s", want.data ? want.data : "nothing", gp__type_of(v));
  gp__buf_free(&want);
  return rc;
}

/* JSON equality where 1 and 1.0 are the same number. */
static int gp__values_equal(const json_t *a, const json_t *b) {
  if (json_is_number(a) && json_is_number(b)) return json_number_value(a) == json_number_value(b);
  if (json_is_array(a) && json_is_array(b)) {
    if (json_array_size(a) != json_array_size(b)) return 0;
    for (size_t i = 0; i < json_array_size(a); i++)
      if (!gp__values_equal(json_array_get(a, i), json_array_get(b, i))) return 0;
    return 1;
  }
  if (json_is_object(a) && json_is_object(b)) {
    if (json_object_size(a) != json_object_size(b)) return 0;
    const char *k;
    json_t *av;
    json_object_foreach((json_t *)a, k, av) {
      const json_t *bv = json_object_get(b, k);
      if (!bv || !gp__values_equal(av, bv)) return 0;
    }
    return 1;
  }
  return json_equal(a, b);
}

static int gp__check_enum(const json_t *en, const json_t *v, const gp_buf_t *path, gp_error_t **err) {
  if (!json_is_array(en)) return 0;
  size_t i;
  json_t *e;
  json_array_foreach(en, i, e) {
    if (gp__values_equal(e, v)) return 0;
  }
  char *list = json_dumps(en, JSON_COMPACT);
  int rc = fail(err, path, "value is not one of %s", list ? list : "the allowed values");
  free(list);
  return rc;
}

static int gp__check_const(const json_t *c, const json_t *v, const gp_buf_t *path, gp_error_t **err) {
  if (gp__values_equal(c, v)) return 0;
  char *want = json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY);
  int rc = fail(err, path, "value must be %s", want ? want : "the constant");
  free(want);
  return rc;
}

static int gp__check_number(const json_t *schema, const json_t *v, const gp_buf_t *path, gp_error_t **err) {
  double d = json_number_value(v);
  const json_t *min = json_object_get(schema, "minimum");
  const json_t *max = json_object_get(schema, "maximum");
  if (json_is_number(min) && d < json_number_value(min))
    return fail(err, path, "%g is less than the minimum %g", d, json_number_value(min));
  if (json_is_number(max) && d > json_number_value(max))
    return fail(err, path, "%g is greater than the maximum %g", d, json_number_value(max));
  return 0;
}

/* Length in Unicode code points of a UTF-8 string (jansson strings are valid UTF-8). */
static size_t gp__utf8_length(const char *s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) count++;
  return count;
}

/* minX / maxX bounds of a count (string length, item count). */
static int gp__check_bounds(const json_t *schema, const char *minkey, const char *maxkey,
                        const char *what, size_t n, const gp_buf_t *path, gp_error_t **err) {
  const json_t *min = json_object_get(schema, minkey);
  const json_t *max = json_object_get(schema, maxkey);
  if (json_is_integer(min) && (json_int_t)n < json_integer_value(min))
    return fail(err, path, "%s %zu is less than %s %" JSON_INTEGER_FORMAT, what, n, minkey,
                json_integer_value(min));
  if (json_is_integer(max) && (json_int_t)n > json_integer_value(max))
    return fail(err, path, "%s %zu is greater than %s %" JSON_INTEGER_FORMAT, what, n, maxkey,
                json_integer_value(max));
  return 0;
}

static int gp__check_string(const json_t *schema, const json_t *v, const gp_buf_t *path, gp_error_t **err) {
  size_t len = gp__utf8_length(json_string_value(v), json_string_length(v));
  int rc = gp__check_bounds(schema, "minLength", "maxLength", "length", len, path, err);
  const char *pat = json_string_value(json_object_get(schema, "pattern"));
  if (rc || !pat) return rc;
  char why[160];
  int m = gp__schema_pattern_match(pat, json_string_value(v), json_string_length(v), why, sizeof why);
  if (m == 1) return 0;
  if (m == -1) return fail(err, path, "pattern %s is not a valid regular expression: %s", pat, why);
  if (m == -2)
    return fail(err, path, "pattern %s needs more than %ld backtracking steps on this string; simplify "
                "the pattern (nested quantifiers such as (a+)+ backtrack exponentially)", pat, GP_REGEX_MAX_STEPS);
  return fail(err, path, "string does not match the pattern %s", pat);
}

static int gp__validate(vctx_t *c, const json_t *schema, const json_t *v, gp_buf_t *path, gp_error_t **err);

static int gp__check_object(vctx_t *c, const json_t *schema, const json_t *v, gp_buf_t *path, gp_error_t **err) {
  const json_t *props = json_object_get(schema, "properties");
  const json_t *req = json_object_get(schema, "required");
  const json_t *addl = json_object_get(schema, "additionalProperties");
  size_t i;
  json_t *r;
  if (json_is_array(req)) {
    json_array_foreach(req, i, r) {
      if (!json_is_string(r) || json_object_get(v, json_string_value(r))) continue;
      size_t saved = path_push_key(path, json_string_value(r));
      int rc = fail(err, path, "required property is missing");
      path_pop(path, saved);
      return rc;
    }
  }
  const char *key;
  json_t *pv;
  json_object_foreach((json_t *)v, key, pv) {
    const json_t *ps = json_is_object(props) ? json_object_get(props, key) : NULL;
    size_t saved = path_push_key(path, key);
    int rc = 0;
    if (ps)
      rc = gp__validate(c, ps, pv, path, err);
    else if (json_is_false(addl))
      rc = fail(err, path, "additional property is not allowed");
    else if (json_is_object(addl))
      rc = gp__validate(c, addl, pv, path, err);
    path_pop(path, saved);
    if (rc) return rc;
  }
  return 0;
}

static int gp__check_array(vctx_t *c, const json_t *schema, const json_t *v, gp_buf_t *path, gp_error_t **err) {
  int rc = gp__check_bounds(schema, "minItems", "maxItems", "item count", json_array_size(v), path, err);
  const json_t *items = json_object_get(schema, "items");
  if (rc || !items) return rc;
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    size_t saved = gp__path_push_index(path, i);
    rc = gp__validate(c, items, e, path, err);
    path_pop(path, saved);
    if (rc) return rc;
  }
  return 0;
}

/* anyOf (at least one), oneOf (exactly one), allOf (every one). A failure names the
 * first alternative's reason, which is what usually went wrong. */
static int gp__check_combinator(vctx_t *c, const char *kw, const json_t *list, const json_t *v,
                            gp_buf_t *path, gp_error_t **err) {
  size_t i, matched = 0;
  json_t *alt;
  gp_error_t *first = NULL;
  json_array_foreach(list, i, alt) {
    gp_error_t *e = NULL;
    size_t saved = path->len;
    int rc = gp__validate(c, alt, v, path, &e);
    path_pop(path, saved);
    if (rc == 0) matched++;
    else if (!first) first = e;
    else gp_error_free(e);
    if (rc && !strcmp(kw, "allOf")) {
      if (err) *err = first;
      else gp_error_free(first);
      return GP_ERR_INVALID_ARGUMENT;
    }
  }
  int rc = 0;
  if (!strcmp(kw, "anyOf") && matched == 0)
    rc = fail(err, path, "value matches none of the anyOf schemas (the first says: %s)",
              first ? first->message : "?");
  else if (!strcmp(kw, "oneOf") && matched == 0)
    rc = fail(err, path, "value matches none of the oneOf schemas (the first says: %s)",
              first ? first->message : "?");
  else if (!strcmp(kw, "oneOf") && matched > 1)
    rc = fail(err, path, "value matches %zu of the oneOf schemas; exactly one must match", matched);
  gp_error_free(first);
  return rc;
}

static int gp__check_combinators(vctx_t *c, const json_t *schema, const json_t *v, gp_buf_t *path,
                             gp_error_t **err) {
  static const char *const kws[] = {"allOf", "anyOf", "oneOf"};
  for (size_t i = 0; i < 3; i++) {
    const json_t *list = json_object_get(schema, kws[i]);
    if (!json_is_array(list)) continue;
    int rc = gp__check_combinator(c, kws[i], list, v, path, err);
    if (rc) return rc;
  }
  return 0;
}

static int gp__validate(vctx_t *c, const json_t *schema, const json_t *v, gp_buf_t *path, gp_error_t **err) {
  if (json_is_true(schema)) return 0;
  if (json_is_false(schema)) return fail(err, path, "no value is allowed here");
  if (!json_is_object(schema)) return 0;
  if (c->depth >= GP__SCHEMA_MAX_DEPTH)
    return fail(err, path, "the schema nests deeper than %d levels ($ref loop?)", GP__SCHEMA_MAX_DEPTH);
  c->depth++;
  int rc = 0;
  const char *ref = json_string_value(json_object_get(schema, "$ref"));
  if (ref) {
    const json_t *target = gp__json_resolve_ref(c->root, ref);
    rc = target ? gp__validate(c, target, v, path, err)
                : fail(err, path, "$ref %s does not resolve in this schema", ref);
  }
  if (!rc) rc = gp__check_type(schema, v, path, err);
  if (!rc && json_object_get(schema, "enum")) rc = gp__check_enum(json_object_get(schema, "enum"), v, path, err);
  if (!rc && json_object_get(schema, "const")) rc = gp__check_const(json_object_get(schema, "const"), v, path, err);
  if (!rc && json_is_number(v)) rc = gp__check_number(schema, v, path, err);
  if (!rc && json_is_string(v)) rc = gp__check_string(schema, v, path, err);
  if (!rc && json_is_object(v)) rc = gp__check_object(c, schema, v, path, err);
  if (!rc && json_is_array(v)) rc = gp__check_array(c, schema, v, path, err);
  if (!rc) rc = gp__check_combinators(c, schema, v, path, err);
  c->depth--;
  return rc;
}

int gp_schema_validate(const json_t *schema, const json_t *value, gp_error_t **err) {
  if (!schema) return 0;
  json_t *null = NULL;
  if (!value) value = null = json_null();
  gp_buf_t path = {0};
  gp__buf_puts(&path, "$");
  vctx_t c = {.root = schema, .depth = 0};
  int rc = gp__validate(&c, schema, value, &path, err);
  gp__buf_free(&path);
  json_decref(null);
  return rc;
}
