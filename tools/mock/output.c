/* Structured-output answers (docs/MOCK.md): a fixture response with `output` streams
 * that JSON value as the assistant's text, and `output_text` streams its string as is
 * (invalid JSON on purpose, for repair tests). Either one first checks that the request
 * asks for structured output in its protocol's own form, carrying a schema. A strict
 * OpenAI request with a schema strict mode refuses is answered 400, as OpenAI does. */
#include "mock.h"

#include <string.h>

#include "core/core.h"

char *gp_mock_output_text(json_t *resp) {
  json_t *raw = json_object_get(resp, "output_text");
  if (json_is_string(raw)) return gp__xstrdup(json_string_value(raw));
  json_t *v = json_object_get(resp, "output");
  return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* obj at the path of keys (NULL-terminated), or NULL. */
static json_t *gp__at(json_t *obj, const char *const *keys) {
  for (; *keys && obj; keys++) obj = json_object_get(obj, *keys);
  return obj;
}

static int gp__is(json_t *v, const char *s) {
  return json_is_string(v) && strcmp(json_string_value(v), s) == 0;
}

char *gp_mock_output_check(json_t *resp, const gp_mock_req_t *req) {
  if (!json_object_get(resp, "output") && !json_object_get(resp, "output_text")) return NULL;
  json_t *b = req->json;
  int ok = 0;
  const char *want = "";
  switch (req->proto) {
  case GP_MOCK_OPENAI: {
    static const char *const t[] = {"response_format", "type", NULL};
    static const char *const s[] = {"response_format", "json_schema", "schema", NULL};
    ok = gp__is(gp__at(b, t), "json_schema") && json_is_object(gp__at(b, s));
    want = "response_format {type: \"json_schema\", json_schema: {name, schema, strict}}";
    break;
  }
  case GP_MOCK_RESPONSES: {
    static const char *const t[] = {"text", "format", "type", NULL};
    static const char *const s[] = {"text", "format", "schema", NULL};
    ok = gp__is(gp__at(b, t), "json_schema") && json_is_object(gp__at(b, s));
    want = "text.format {type: \"json_schema\", name, schema}";
    break;
  }
  case GP_MOCK_ANTHROPIC: {
    static const char *const t[] = {"output_config", "format", "type", NULL};
    static const char *const s[] = {"output_config", "format", "schema", NULL};
    ok = gp__is(gp__at(b, t), "json_schema") && json_is_object(gp__at(b, s));
    want = "output_config.format {type: \"json_schema\", schema}";
    break;
  }
  case GP_MOCK_GEMINI: {
    static const char *const t[] = {"generationConfig", "responseMimeType", NULL};
    static const char *const s[] = {"generationConfig", "responseSchema", NULL};
    ok = gp__is(gp__at(b, t), "application/json") && json_is_object(gp__at(b, s));
    want = "generationConfig {responseMimeType: \"application/json\", responseSchema}";
    break;
  }
  default: break;
  }
  if (ok) return NULL;
  return gp__xasprintf("structured output: the request does not ask for it in the %s form (%s)",
                      gp_mock_proto_name(req->proto), want);
}

/* The first object schema under `v` (any depth, `where` its context) that strict mode
 * refuses, described in `out`; 0 when there is none. */
static int gp__open_object(json_t *v, gp_buf_t *where, gp_buf_t *out) {
  if (json_is_array(v)) {
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) if (gp__open_object(e, where, out)) return 1;
    return 0;
  }
  if (!json_is_object(v)) return 0;
  json_t *props = json_object_get(v, "properties");
  if (gp__is(json_object_get(v, "type"), "object") || json_is_object(props)) {
    if (!json_is_false(json_object_get(v, "additionalProperties"))) {
      gp__buf_printf(out, "In context=(%s), 'additionalProperties' is required to be supplied and to be false.",
                     where->len ? where->data : "");
      return 1;
    }
    const char *k;
    json_t *e;
    json_object_foreach(props, k, e) {
      int found = 0;
      size_t i;
      json_t *r;
      json_array_foreach(json_object_get(v, "required"), i, r) found |= gp__is(r, k);
      if (!found) {
        gp__buf_printf(out, "In context=(%s), 'required' is required to be supplied and to be an array "
                       "including every key in properties. Missing '%s'.", where->len ? where->data : "", k);
        return 1;
      }
    }
  }
  const char *k;
  json_t *e;
  json_object_foreach(v, k, e) {
    size_t mark = where->len;
    gp__buf_printf(where, "%s'%s'", mark ? ", " : "", k);
    int bad = gp__open_object(e, where, out);
    where->len = mark;
    if (where->data) where->data[mark] = 0;
    if (bad) return 1;
  }
  return 0;
}

char *gp_mock_strict_check(const gp_mock_req_t *req) {
  static const char *const chat[] = {"response_format", "json_schema", NULL};
  static const char *const resp[] = {"text", "format", NULL};
  json_t *f = req->proto == GP_MOCK_OPENAI ? gp__at(req->json, chat)
              : req->proto == GP_MOCK_RESPONSES ? gp__at(req->json, resp) : NULL;
  if (!json_is_true(json_object_get(f, "strict"))) return NULL;
  json_t *schema = json_object_get(f, "schema");
  const char *name = json_string_value(json_object_get(f, "name"));
  gp_buf_t where = {0}, why = {0};
  if (!gp__is(json_object_get(schema, "type"), "object"))
    gp__buf_puts(&why, "schema must be a JSON Schema of 'type: \"object\"', got another type.");
  else gp__open_object(schema, &where, &why);
  char *msg = why.len ? gp__xasprintf("Invalid schema for response_format '%s': %s", name ? name : "", why.data)
                      : NULL;
  gp__buf_free(&where);
  gp__buf_free(&why);
  return msg;
}
