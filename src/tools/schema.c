/* Argument validation: the JSON Schema subset of SPEC §4.4 (type, properties, required,
 * enum, items, additionalProperties, minimum, maximum, minLength, maxLength).
 *
 * gp_schema_validate walks value and schema together and stops at the first failure,
 * reporting it as "PATH: REASON" with a JSONPath-like path ($, $.a.b, $.items[2]).
 * gp_schema_check verifies that a schema uses the known keywords with the right JSON
 * types; keywords outside the subset (description, title, ...) are ignored. */
#include <geppetto/tool.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

/* ---- paths ----------------------------------------------------------------------- */

static int is_ident(const char *k) {
  if (!*k) return 0;
  for (const char *c = k; *c; c++) {
    int alpha = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '_' || *c == '$';
    int digit = *c >= '0' && *c <= '9';
    if (!alpha && !(digit && c != k)) return 0;
  }
  return 1;
}

/* Appends ".key" or ["key"] to `path`; returns the length to restore afterwards. */
static size_t path_push_key(gp_buf_t *path, const char *key) {
  size_t saved = path->len;
  if (is_ident(key)) {
    gp_buf_printf(path, ".%s", key);
  } else {
    json_t *s = json_string(key);
    char *q = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
    gp_buf_printf(path, "[%s]", q ? q : "\"?\"");
    free(q);
    json_decref(s);
  }
  return saved;
}

static size_t path_push_index(gp_buf_t *path, size_t i) {
  size_t saved = path->len;
  gp_buf_printf(path, "[%zu]", i);
  return saved;
}

static void path_pop(gp_buf_t *path, size_t saved) {
  path->len = saved;
  if (path->data) path->data[saved] = '\0';
}

__attribute__((format(printf, 3, 4)))
static int fail(gp_error_t **err, const gp_buf_t *path, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    char *reason = gp_xvasprintf(fmt, ap);
    va_end(ap);
    *err = gp_error_new(GP_ERR_INVALID_ARGUMENT, "%s: %s", path->data ? path->data : "$", reason);
    free(reason);
  }
  return GP_ERR_INVALID_ARGUMENT;
}

/* ---- validation ------------------------------------------------------------------ */

static int is_integral(const json_t *v) {
  if (json_is_integer(v)) return 1;
  if (!json_is_real(v)) return 0;
  double d = json_real_value(v);
  return isfinite(d) && d == floor(d);
}

/* The schema type name of a value ("integer" for integral numbers). */
static const char *type_of(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "object";
  case JSON_ARRAY: return "array";
  case JSON_STRING: return "string";
  case JSON_INTEGER: return "integer";
  case JSON_REAL: return is_integral(v) ? "integer" : "number";
  case JSON_TRUE:
  case JSON_FALSE: return "boolean";
  case JSON_NULL: return "null";
  }
  return "unknown";
}

static int type_matches(const char *t, const json_t *v) {
  if (!strcmp(t, "number")) return json_is_number(v);
  if (!strcmp(t, "integer")) return is_integral(v);
  return !strcmp(t, type_of(v));
}

static int check_type(const json_t *type, const json_t *v, const gp_buf_t *path, gp_error_t **err) {
  if (json_is_string(type)) {
    if (type_matches(json_string_value(type), v)) return 0;
    return fail(err, path, "expected %s, got %s", json_string_value(type), type_of(v));
  }
  if (!json_is_array(type)) return 0;
  gp_buf_t want = {0};
  size_t i;
  json_t *t;
  json_array_foreach(type, i, t) {
    if (!json_is_string(t)) continue;
    if (type_matches(json_string_value(t), v)) {
      gp_buf_free(&want);
      return 0;
    }
    gp_buf_printf(&want, "%s%s", want.len ? " or " : "", json_string_value(t));
  }
  int rc = fail(err, path, "expected %s, got %s", want.data ? want.data : "nothing", type_of(v));
  gp_buf_free(&want);
  return rc;
}

static int values_equal(const json_t *a, const json_t *b) {
  if (json_is_number(a) && json_is_number(b)) return json_number_value(a) == json_number_value(b);
  return json_equal(a, b);
}

static int check_enum(const json_t *en, const json_t *v, const gp_buf_t *path, gp_error_t **err) {
  if (!json_is_array(en)) return 0;
  size_t i;
  json_t *e;
  json_array_foreach(en, i, e) {
    if (values_equal(e, v)) return 0;
  }
  char *list = json_dumps(en, JSON_COMPACT);
  int rc = fail(err, path, "value is not one of %s", list ? list : "the allowed values");
  free(list);
  return rc;
}

static int check_number(const json_t *schema, const json_t *v, const gp_buf_t *path, gp_error_t **err) {
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
static size_t utf8_length(const char *s, size_t n) {
  size_t count = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80) count++;
  return count;
}

static int check_string(const json_t *schema, const json_t *v, const gp_buf_t *path, gp_error_t **err) {
  size_t len = utf8_length(json_string_value(v), json_string_length(v));
  const json_t *min = json_object_get(schema, "minLength");
  const json_t *max = json_object_get(schema, "maxLength");
  if (json_is_integer(min) && (json_int_t)len < json_integer_value(min))
    return fail(err, path, "length %zu is less than minLength %" JSON_INTEGER_FORMAT, len,
                json_integer_value(min));
  if (json_is_integer(max) && (json_int_t)len > json_integer_value(max))
    return fail(err, path, "length %zu is greater than maxLength %" JSON_INTEGER_FORMAT, len,
                json_integer_value(max));
  return 0;
}

static int validate(const json_t *schema, const json_t *v, gp_buf_t *path, gp_error_t **err);

static int check_object(const json_t *schema, const json_t *v, gp_buf_t *path, gp_error_t **err) {
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
      rc = validate(ps, pv, path, err);
    else if (json_is_false(addl))
      rc = fail(err, path, "additional property is not allowed");
    else if (json_is_object(addl))
      rc = validate(addl, pv, path, err);
    path_pop(path, saved);
    if (rc) return rc;
  }
  return 0;
}

static int check_array(const json_t *schema, const json_t *v, gp_buf_t *path, gp_error_t **err) {
  const json_t *items = json_object_get(schema, "items");
  if (!items) return 0;
  size_t i;
  json_t *e;
  json_array_foreach(v, i, e) {
    size_t saved = path_push_index(path, i);
    int rc = validate(items, e, path, err);
    path_pop(path, saved);
    if (rc) return rc;
  }
  return 0;
}

static int validate(const json_t *schema, const json_t *v, gp_buf_t *path, gp_error_t **err) {
  if (json_is_true(schema)) return 0;
  if (json_is_false(schema)) return fail(err, path, "no value is allowed here");
  if (!json_is_object(schema)) return 0;
  int rc = check_type(json_object_get(schema, "type"), v, path, err);
  if (!rc && json_object_get(schema, "enum")) rc = check_enum(json_object_get(schema, "enum"), v, path, err);
  if (rc) return rc;
  if (json_is_number(v)) return check_number(schema, v, path, err);
  if (json_is_string(v)) return check_string(schema, v, path, err);
  if (json_is_object(v)) return check_object(schema, v, path, err);
  if (json_is_array(v)) return check_array(schema, v, path, err);
  return 0;
}

int gp_schema_validate(const json_t *schema, const json_t *value, gp_error_t **err) {
  if (!schema) return 0;
  json_t *null = NULL;
  if (!value) value = null = json_null();
  gp_buf_t path = {0};
  gp_buf_puts(&path, "$");
  int rc = validate(schema, value, &path, err);
  gp_buf_free(&path);
  json_decref(null);
  return rc;
}

/* ---- schema check ---------------------------------------------------------------- */

static int known_type(const json_t *t) {
  static const char *const names[] = {"string", "number", "integer", "boolean",
                                      "object", "array", "null"};
  if (!json_is_string(t)) return 0;
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (!strcmp(json_string_value(t), names[i])) return 1;
  return 0;
}

static int check_schema(const json_t *s, gp_buf_t *path, gp_error_t **err);

/* Checks keyword `key` of schema `s` (present); `path` already names the keyword. */
static int check_keyword(const char *key, const json_t *kv, gp_buf_t *path, gp_error_t **err) {
  size_t i;
  json_t *e;
  if (!strcmp(key, "type")) {
    if (json_is_array(kv)) {
      if (json_array_size(kv) == 0) return fail(err, path, "type list must not be empty");
      json_array_foreach(kv, i, e) if (!known_type(e)) return fail(err, path, "unknown type in type list");
      return 0;
    }
    return known_type(kv) ? 0 : fail(err, path, "must be a type name or an array of type names");
  }
  if (!strcmp(key, "properties")) {
    if (!json_is_object(kv)) return fail(err, path, "must be an object of schemas");
    const char *name;
    json_object_foreach((json_t *)kv, name, e) {
      size_t saved = path_push_key(path, name);
      int rc = check_schema(e, path, err);
      path_pop(path, saved);
      if (rc) return rc;
    }
    return 0;
  }
  if (!strcmp(key, "required")) {
    if (!json_is_array(kv)) return fail(err, path, "must be an array of strings");
    json_array_foreach(kv, i, e) if (!json_is_string(e)) return fail(err, path, "must be an array of strings");
    return 0;
  }
  if (!strcmp(key, "enum")) return json_is_array(kv) ? 0 : fail(err, path, "must be an array");
  if (!strcmp(key, "items")) return check_schema(kv, path, err);
  if (!strcmp(key, "additionalProperties"))
    return json_is_boolean(kv) ? 0 : check_schema(kv, path, err);
  if (!strcmp(key, "minimum") || !strcmp(key, "maximum"))
    return json_is_number(kv) ? 0 : fail(err, path, "must be a number");
  if (!strcmp(key, "minLength") || !strcmp(key, "maxLength"))
    return json_is_integer(kv) && json_integer_value(kv) >= 0
               ? 0 : fail(err, path, "must be a non-negative integer");
  return 0; /* outside the subset: ignored */
}

static int check_schema(const json_t *s, gp_buf_t *path, gp_error_t **err) {
  if (json_is_boolean(s)) return 0;
  if (!json_is_object(s)) return fail(err, path, "a schema must be an object or a boolean");
  const char *key;
  json_t *kv;
  json_object_foreach((json_t *)s, key, kv) {
    size_t saved = path_push_key(path, key);
    int rc = check_keyword(key, kv, path, err);
    path_pop(path, saved);
    if (rc) return rc;
  }
  return 0;
}

int gp_schema_check(const json_t *schema, gp_error_t **err) {
  if (!schema) return 0;
  gp_buf_t path = {0};
  gp_buf_puts(&path, "$");
  int rc = check_schema(schema, &path, err);
  gp_buf_free(&path);
  return rc;
}
