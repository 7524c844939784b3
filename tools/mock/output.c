/* Structured-output answers (docs/MOCK.md): a fixture response with `output` streams
 * that JSON value as the assistant's text, and `output_text` streams its string as is
 * (invalid JSON on purpose, for repair tests). Either one first checks that the request
 * asks for structured output in its protocol's own form, carrying a schema. */
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
