/* Reading a provider request: the facts matching and expectations use (model, how many
 * tool results the conversation carries, which tools it offers), in each protocol's
 * own request shape. */
#include "mock.h"

#include <string.h>

const char *gp_mock_proto_name(gp_mock_proto_t p) {
  switch (p) {
  case GP_MOCK_OPENAI: return "openai";
  case GP_MOCK_ANTHROPIC: return "anthropic";
  case GP_MOCK_RESPONSES: return "responses";
  case GP_MOCK_GEMINI: return "gemini";
  default: return NULL;
  }
}

static int gp__is_type(json_t *o, const char *type) {
  const char *t = json_string_value(json_object_get(o, "type"));
  return t && strcmp(t, type) == 0;
}

/* OpenAI: messages with role "tool". */
static int gp__count_openai(json_t *body) {
  size_t i;
  json_t *m;
  int n = 0;
  json_array_foreach(json_object_get(body, "messages"), i, m) {
    const char *role = json_string_value(json_object_get(m, "role"));
    if (role && strcmp(role, "tool") == 0) n++;
  }
  return n;
}

/* Anthropic: tool_result blocks inside message contents. */
static int gp__count_anthropic(json_t *body) {
  size_t i, j;
  json_t *m, *b;
  int n = 0;
  json_array_foreach(json_object_get(body, "messages"), i, m) {
    json_array_foreach(json_object_get(m, "content"), j, b) if (gp__is_type(b, "tool_result")) n++;
  }
  return n;
}

/* Responses: function_call_output input items. */
static int gp__count_responses(json_t *body) {
  size_t i;
  json_t *item;
  int n = 0;
  json_array_foreach(json_object_get(body, "input"), i, item) {
    if (gp__is_type(item, "function_call_output")) n++;
  }
  return n;
}

/* Gemini: functionResponse parts inside contents. */
static int gp__count_gemini(json_t *body) {
  size_t i, j;
  json_t *c, *p;
  int n = 0;
  json_array_foreach(json_object_get(body, "contents"), i, c) {
    json_array_foreach(json_object_get(c, "parts"), j, p) if (json_object_get(p, "functionResponse")) n++;
  }
  return n;
}

void gp_mock_req_derive(gp_mock_req_t *req) {
  const char *model = req->path_model[0] ? req->path_model
                                         : json_string_value(json_object_get(req->json, "model"));
  req->model = model ? model : "";
  switch (req->proto) {
  case GP_MOCK_OPENAI: req->tool_results = gp__count_openai(req->json); break;
  case GP_MOCK_ANTHROPIC: req->tool_results = gp__count_anthropic(req->json); break;
  case GP_MOCK_RESPONSES: req->tool_results = gp__count_responses(req->json); break;
  case GP_MOCK_GEMINI: req->tool_results = gp__count_gemini(req->json); break;
  default: req->tool_results = 0;
  }
  json_t *so = json_object_get(req->json, "stream_options");
  req->include_usage = json_is_true(json_object_get(so, "include_usage"));
}

int gp_mock_req_offers_tool(const gp_mock_req_t *req, const char *name) {
  size_t i, j;
  json_t *t, *d;
  json_array_foreach(json_object_get(req->json, "tools"), i, t) { /* Gemini: declarations */
    json_array_foreach(json_object_get(t, "functionDeclarations"), j, d) {
      const char *n = json_string_value(json_object_get(d, "name"));
      if (n && strcmp(n, name) == 0) return 1;
    }
  }
  json_array_foreach(json_object_get(req->json, "tools"), i, t) {
    /* Chat Completions nests the name in "function"; the others keep it on the tool. */
    const char *n = json_string_value(json_object_get(t, "name"));
    if (!n) n = json_string_value(json_object_get(json_object_get(t, "function"), "name"));
    if (n && strcmp(n, name) == 0) return 1;
  }
  return 0;
}
