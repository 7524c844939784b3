// timeout: 180
/* The `gemini` engine (Gemini API streamGenerateContent): request building
 * (systemInstruction, merged user/model contents, functionCall and functionResponse
 * parts with the call's name, thoughtSignature sent back, generationConfig, tools and
 * toolConfig, the schema rewritten for Gemini, the URL with the model and the key
 * header), and decoding of recorded streams (thought and text parts, function calls
 * with and without ids, usage, finish reason, comments, CR/LF/CRLF line ends) split at
 * every size from 1 to 64 bytes and whole; error chunks and truncation keep the
 * partial turn; then the engine against geppetto-mock with every fault. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "provider_util.h"
#include "testutil.h"

static gp_turn_t *conversation(void) {
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_system("Be brief."));
  gp_turn_append(t, gp_block_new_user("Weather?"));
  gp_block_t *r = gp_block_new_reasoning("thinking");
  gp_turn_append(t, r);
  gp_turn_append(t, gp_block_new_assistant("Let me check."));
  gp_block_t *call = gp_block_new_tool_call("c1", "get_weather", json_pack("{s:s}", "city", "Paris"));
  call->metadata = json_pack("{s:s}", "thoughtSignature", "c2ln");
  gp_turn_append(t, call);
  gp_turn_append(t, gp_block_new_tool_call("c2", "get_time", json_object()));
  gp_turn_append(t, gp_block_new_tool_use("c1", json_pack("{s:s}", "sky", "sunny"), NULL));
  gp_turn_append(t, gp_block_new_tool_use("c2", json_string("12:00"), NULL));
  gp_turn_append(t, gp_block_new_tool_use("c2", NULL, "clock broken"));
  return t;
}

static void test_build(void **state) {
  (void)state;
  gp_prov_t *p = pu_prov("gemini", NULL, "gk-1");
  assert_non_null(p);
  assert_string_equal(p->base_url, "https://generativelanguage.googleapis.com/v1beta");
  assert_true(p->official_host);
  char *url = p->proto->url(p);
  assert_string_equal(url, "https://generativelanguage.googleapis.com/v1beta/models/test-model:"
                           "streamGenerateContent?alt=sse");
  free(url);
  char *auth = p->proto->auth("gk-1");
  assert_string_equal(auth, "x-goog-api-key: gk-1");
  free(auth);
  gp_turn_t *t = conversation();
  json_t *body = gp__prov_build(p, NULL, t);
  assert_true(pu_json_is(json_object_get(body, "systemInstruction"), "{\"parts\":[{\"text\":\"Be brief.\"}]}"));
  assert_true(pu_json_is(json_object_get(body, "contents"),
      "[{\"role\":\"user\",\"parts\":[{\"text\":\"Weather?\"}]},"
      "{\"role\":\"model\",\"parts\":[{\"text\":\"Let me check.\"},"
      "{\"functionCall\":{\"name\":\"get_weather\",\"args\":{\"city\":\"Paris\"}},\"thoughtSignature\":\"c2ln\"},"
      "{\"functionCall\":{\"name\":\"get_time\",\"args\":{}}}]},"
      "{\"role\":\"user\",\"parts\":[{\"functionResponse\":{\"name\":\"get_weather\",\"response\":{\"sky\":\"sunny\"}}},"
      "{\"functionResponse\":{\"name\":\"get_time\",\"response\":{\"result\":\"12:00\"}}},"
      "{\"functionResponse\":{\"name\":\"get_time\",\"response\":{\"error\":\"clock broken\"}}}]}]"));
  assert_null(json_object_get(body, "tools"));
  assert_null(json_object_get(body, "generationConfig"));
  json_decref(body);
  gp_turn_free(t);
  gp__prov_free(p);
}

static void test_build_options_tools_schema(void **state) {
  (void)state;
  gp_engine_config_t c;
  gp_engine_config_init(&c);
  const char *stop[] = {"###"};
  c.api_type = "gemini";
  c.model = "models/gemini-x";
  c.base_url = "http://127.0.0.1:1/v1beta/";
  c.has_temperature = 1;
  c.temperature = 0.25;
  c.max_tokens = 50;
  c.stop = stop;
  c.nstop = 1;
  gp_error_t *err = NULL;
  gp_prov_t *p = gp__prov_new(&c, &err);
  assert_non_null(p);
  char *url = p->proto->url(p);
  assert_string_equal(url, "http://127.0.0.1:1/v1beta/models/gemini-x:streamGenerateContent?alt=sse");
  free(url);
  pu_ctx_t *ctx = pu_ctx_new(pu_weather_tools());
  ctx->ctx.tool_choice = "required";
  json_t *output = json_loads("{\"schema\":{\"type\":\"object\",\"$defs\":{\"c\":{\"type\":[\"string\",\"null\"]}},"
                              "\"properties\":{\"city\":{\"$ref\":\"#/$defs/c\"},\"kind\":{\"const\":\"w\"},"
                              "\"n\":{\"const\":3},\"x\":{\"const\":1.5},\"b\":{\"type\":\"boolean\",\"const\":true},"
                              "\"z\":{\"const\":null},\"e\":{\"enum\":[1,2]},\"s\":{\"type\":\"string\",\"enum\":[\"a\"]}},"
                              "\"additionalProperties\":false}}", 0, NULL);
  ctx->ctx.output = output;
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("hi"));
  json_t *body = gp__prov_build(p, &ctx->ctx, t);
  assert_true(pu_json_is(json_object_get(body, "generationConfig"),
      "{\"temperature\":0.25,\"maxOutputTokens\":50,\"stopSequences\":[\"###\"],"
      "\"responseMimeType\":\"application/json\",\"responseSchema\":{\"type\":\"object\","
      "\"properties\":{\"city\":{\"type\":\"string\",\"nullable\":true},\"kind\":{\"type\":\"string\",\"enum\":[\"w\"]},"
      "\"n\":{\"type\":\"integer\"},\"x\":{\"type\":\"number\"},\"b\":{\"type\":\"boolean\"},"
      "\"z\":{\"nullable\":true},\"e\":{},\"s\":{\"type\":\"string\",\"enum\":[\"a\"]}}}}"));
  assert_true(pu_json_is(json_object_get(body, "toolConfig"), "{\"functionCallingConfig\":{\"mode\":\"ANY\"}}"));
  assert_true(pu_json_is(json_object_get(body, "tools"),
      "[{\"functionDeclarations\":[{\"name\":\"get_weather\",\"description\":\"Weather for a city\","
      "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}},"
      "{\"name\":\"get_time\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}]}]"));
  json_decref(body);
  json_decref(output);
  gp_turn_free(t);
  pu_ctx_free(ctx);
  gp__prov_free(p);
  /* No key for the official host: CONFIG naming GEMINI_API_KEY. */
  unsetenv("GEMINI_API_KEY");
  c.base_url = NULL;
  assert_null(gp__prov_new(&c, &err));
  assert_int_equal(err->code, GP_ERR_CONFIG);
  assert_non_null(strstr(err->message, "GEMINI_API_KEY"));
  gp_error_free(err);
}

static void check_tools_turn(const gp_turn_t *t, pu_ctx_t *c) {
  assert_int_equal(t->nblocks, 4);
  assert_int_equal(t->blocks[0]->kind, GP_BLOCK_REASONING);
  assert_string_equal(gp_block_text(t->blocks[0]), "Need the weather.");
  assert_int_equal(t->blocks[1]->kind, GP_BLOCK_LLM_TEXT);
  assert_string_equal(gp_block_text(t->blocks[1]), "Let me check \xc3\xa9.");
  assert_int_equal(t->blocks[2]->kind, GP_BLOCK_TOOL_CALL);
  assert_string_equal(gp_block_tool_name(t->blocks[2]), "get_weather");
  assert_true(pu_json_is(gp_block_tool_args(t->blocks[2]), "{\"city\":\"Paris\"}"));
  assert_true(strlen(gp_block_call_id(t->blocks[2])) > 0);
  assert_string_equal(json_string_value(json_object_get(t->blocks[2]->metadata, "thoughtSignature")), "c2ln");
  assert_string_equal(gp_block_call_id(t->blocks[3]), "fc_2");
  assert_string_equal(gp_block_tool_name(t->blocks[3]), "get_time");
  assert_true(pu_json_is(gp_block_tool_args(t->blocks[3]), "{}"));
  assert_int_equal(pu_usage(t, "inputTokens"), 20);
  assert_int_equal(pu_usage(t, "outputTokens"), 42);
  assert_int_equal(pu_usage(t, "cachedTokens"), 5);
  assert_string_equal(pu_stop(t), "STOP");
  assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_PARTIAL_THINKING), 2);
  assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_PARTIAL), 2);
  assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_TOOL_CALL), 2);
}

static void test_stream_every_chunk_size(void **state) {
  (void)state;
  gp_prov_t *p = pu_prov("gemini", "http://127.0.0.1:1/v1beta", NULL);
  size_t len;
  char *sse = pu_fixture("gemini_tools.sse", &len);
  assert_non_null(sse);
  for (size_t chunk = 0; chunk <= 64; chunk++) {
    pu_ctx_t *c = pu_ctx_new(NULL);
    gp_turn_t *t = gp_turn_new();
    gp_error_t *err = NULL;
    int rc = pu_decode(p, c->em, t, sse, len, chunk, &err);
    if (rc) fail_msg("chunk %zu: %s", chunk, err ? err->message : "?");
    check_tools_turn(t, c);
    gp_turn_free(t);
    pu_ctx_free(c);
  }
  free(sse);
  gp__prov_free(p);
}

static void test_stream_failures_keep_partial(void **state) {
  (void)state;
  gp_prov_t *p = pu_prov("gemini", "http://127.0.0.1:1/v1beta", NULL);
  struct { const char *file, *text, *msg; } cases[] = {
      {"gemini_error.sse", "Partial ", "UNAVAILABLE: The model is overloaded."},
      {"gemini_truncated.sse", "No end", "final event"},
  };
  for (size_t k = 0; k < 2; k++) {
    size_t len;
    char *sse = pu_fixture(cases[k].file, &len);
    for (size_t chunk = 1; chunk <= 16; chunk++) {
      pu_ctx_t *c = pu_ctx_new(NULL);
      gp_turn_t *t = gp_turn_new();
      gp_error_t *err = NULL;
      assert_int_equal(pu_decode(p, c->em, t, sse, len, chunk, &err), GP_ERR_PROVIDER_STREAM);
      if (!strstr(err->message, cases[k].msg)) fail_msg("%s: %s", cases[k].file, err->message);
      assert_string_equal(pu_text_of(t, GP_BLOCK_LLM_TEXT), cases[k].text);
      gp_error_free(err);
      gp_turn_free(t);
      pu_ctx_free(c);
    }
    free(sse);
  }
  gp__prov_free(p);
}

#define PM_API "gemini"
#include "provider_mock.h"

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_build),
      GP_TEST(test_build_options_tools_schema),
      GP_TEST(test_stream_every_chunk_size),
      GP_TEST(test_stream_failures_keep_partial),
      PROVIDER_MOCK_TESTS,
  };
  if (getenv("GP_TEST_FILTER")) cmocka_set_test_filter(getenv("GP_TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
