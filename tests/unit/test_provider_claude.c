// timeout: 180
/* The `claude` engine (Anthropic Messages): request building (top-level system, merged
 * alternating roles, tool_use / tool_result with is_error, thinking sent back with its
 * signature, max_tokens default, stop_sequences, tool_choice), decoding of recorded
 * streams (thinking + signature, text, input_json_delta, ping, usage, error event,
 * truncation) split at every size; then the engine against geppetto-mock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "provider_util.h"
#include "testutil.h"

static void test_build_messages(void **state) {
  gp_prov_t *p = pu_prov("claude", "http://127.0.0.1:1/v1", NULL);
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = pu_conversation();
  gp_turn_insert(t, 1, gp_block_new_system("Answer in English."));
  gp_turn_append(t, gp_block_new_user("")); /* empty text: skipped */
  json_t *body = gp__prov_build(p, &c->ctx, t);
  assert_string_equal(json_string_value(json_object_get(body, "system")),
                      "You are terse.\n\nAnswer in English.");
  assert_int_equal(json_integer_value(json_object_get(body, "max_tokens")), 4096);
  assert_true(json_is_true(json_object_get(body, "stream")));
  assert_true(pu_json_is(json_object_get(body, "messages"),
      "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Weather in Paris and the time?\"}]},"
      " {\"role\":\"assistant\",\"content\":["
      "   {\"type\":\"thinking\",\"thinking\":\"Two tools needed.\",\"signature\":\"sig-123\"},"
      "   {\"type\":\"text\",\"text\":\"Let me check.\"},"
      "   {\"type\":\"tool_use\",\"id\":\"call_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},"
      "   {\"type\":\"tool_use\",\"id\":\"call_2\",\"name\":\"get_time\",\"input\":{}}]},"
      " {\"role\":\"user\",\"content\":["
      "   {\"type\":\"tool_result\",\"tool_use_id\":\"call_1\",\"content\":\"{\\\"temp\\\":21,\\\"sky\\\":\\\"clear\\\"}\"},"
      "   {\"type\":\"tool_result\",\"tool_use_id\":\"call_2\",\"content\":\"clock unavailable\",\"is_error\":true},"
      "   {\"type\":\"text\",\"text\":\"Thanks\"}]}]"));
  assert_null(json_object_get(body, "tools"));
  assert_null(json_object_get(body, "tool_choice"));
  json_decref(body);
  /* Reasoning without a signature (another provider's) is not sent. */
  json_object_del(t->blocks[3]->metadata, "signature");
  body = gp__prov_build(p, &c->ctx, t);
  json_t *first = json_array_get(json_object_get(json_array_get(json_object_get(body, "messages"), 1), "content"), 0);
  assert_string_equal(json_string_value(json_object_get(first, "type")), "text");
  json_decref(body);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp__prov_free(p);
}

static void test_build_tools_and_options(void **state) {
  gp_engine_config_t cfg;
  gp_engine_config_init(&cfg);
  const char *stop[] = {"###"};
  cfg.api_type = "anthropic";
  cfg.model = "claude-x";
  cfg.api_key = "sk-ant-test";
  cfg.max_tokens = 1000;
  cfg.has_top_p = 1;
  cfg.top_p = 0.9;
  cfg.stop = stop;
  cfg.nstop = 1;
  gp_error_t *err = NULL;
  gp_prov_t *p = gp__prov_new(&cfg, &err);
  assert_non_null(p);
  assert_string_equal(p->base_url, "https://api.anthropic.com/v1");
  pu_ctx_t *c = pu_ctx_new(pu_weather_tools());
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("hi"));
  const char *choices[][2] = {{"auto", "auto"}, {"required", "any"}, {"none", "none"}};
  for (int i = 0; i < 3; i++) {
    c->ctx.tool_choice = choices[i][0];
    json_t *body = gp__prov_build(p, &c->ctx, t);
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "tool_choice"), "type")),
                        choices[i][1]);
    if (i == 0) {
      assert_true(pu_json_is(json_object_get(body, "tools"),
          "[{\"name\":\"get_weather\",\"description\":\"Weather for a city\",\"input_schema\":"
          "  {\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}},"
          " {\"name\":\"get_time\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}]"));
      assert_int_equal(json_integer_value(json_object_get(body, "max_tokens")), 1000);
      assert_true(json_real_value(json_object_get(body, "top_p")) == 0.9);
      assert_null(json_object_get(body, "temperature"));
      assert_true(pu_json_is(json_object_get(body, "stop_sequences"), "[\"###\"]"));
      assert_null(json_object_get(body, "system"));
    }
    json_decref(body);
  }
  gp_turn_free(t);
  pu_ctx_free(c);
  gp__prov_free(p);
  /* The official host needs a key: ANTHROPIC_API_KEY is the fallback named. */
  unsetenv("ANTHROPIC_API_KEY");
  cfg.api_key = NULL;
  assert_null(gp__prov_new(&cfg, &err));
  assert_int_equal(err->code, GP_ERR_CONFIG);
  assert_non_null(strstr(err->message, "ANTHROPIC_API_KEY"));
  gp_error_free(err);
}

static void test_stream_thinking_text_tools(void **state) {
  gp_prov_t *p = pu_prov("claude", "http://127.0.0.1:1/v1", NULL);
  size_t len;
  char *sse = pu_fixture("claude_tools.sse", &len);
  assert_non_null(sse);
  const size_t chunks[] = {0, 1, 2, 9, 100};
  for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
    pu_ctx_t *c = pu_ctx_new(NULL);
    gp_turn_t *t = gp_turn_new();
    gp_error_t *err = NULL;
    assert_int_equal(pu_decode(p, c->em, t, sse, len, chunks[k], &err), 0);
    assert_int_equal(t->nblocks, 4);
    assert_int_equal(t->blocks[0]->kind, GP_BLOCK_REASONING);
    assert_string_equal(gp_block_text(t->blocks[0]), "Need the weather.");
    assert_string_equal(json_string_value(json_object_get(t->blocks[0]->metadata, "signature")),
                        "EqQBCgIYAhIM1gbcDa9GJwZA2b3h");
    assert_string_equal(gp_block_text(t->blocks[1]), "Let me check.");
    assert_string_equal(gp_block_call_id(t->blocks[2]), "toolu_01");
    assert_true(pu_json_is(gp_block_tool_args(t->blocks[2]), "{\"city\":\"Paris\"}"));
    assert_string_equal(gp_block_tool_name(t->blocks[3]), "get_time");
    assert_true(pu_json_is(gp_block_tool_args(t->blocks[3]), "{}"));
    /* inputTokens counts cache reads too; cachedTokens is that part. */
    assert_int_equal(pu_usage(t, "inputTokens"), 35);
    assert_int_equal(pu_usage(t, "cachedTokens"), 10);
    assert_int_equal(pu_usage(t, "outputTokens"), 42);
    assert_string_equal(pu_stop(t), "tool_use");
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_PARTIAL_THINKING), 2);
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_PARTIAL), 2);
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_TOOL_CALL), 2);
    json_t *tc = json_object_get(pu_cap_get(&c->cap, GP_EVENT_TOOL_CALL, 0), "toolCall");
    assert_true(pu_json_is(tc, "{\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}"));
    /* Sent back, the thinking block carries its signature. */
    json_t *body = gp__prov_build(p, NULL, t);
    json_t *b0 = json_array_get(json_object_get(json_array_get(json_object_get(body, "messages"), 0), "content"), 0);
    assert_true(pu_json_is(b0, "{\"type\":\"thinking\",\"thinking\":\"Need the weather.\","
                               "\"signature\":\"EqQBCgIYAhIM1gbcDa9GJwZA2b3h\"}"));
    json_decref(body);
    gp_turn_free(t);
    pu_ctx_free(c);
  }
  free(sse);
  gp__prov_free(p);
}

static void test_stream_failures_keep_partial(void **state) {
  gp_prov_t *p = pu_prov("claude", "http://127.0.0.1:1/v1", NULL);
  struct { const char *file, *text, *msg; } cases[] = {
      {"claude_error.sse", "Partial ", "overloaded_error: Overloaded"},
      {"claude_truncated.sse", "No end", "final event"},
  };
  for (size_t k = 0; k < 2; k++) {
    size_t len;
    char *sse = pu_fixture(cases[k].file, &len);
    pu_ctx_t *c = pu_ctx_new(NULL);
    gp_turn_t *t = gp_turn_new();
    gp_error_t *err = NULL;
    assert_int_equal(pu_decode(p, c->em, t, sse, len, 4, &err), GP_ERR_PROVIDER_STREAM);
    assert_non_null(strstr(err->message, cases[k].msg));
    assert_string_equal(pu_text_of(t, GP_BLOCK_LLM_TEXT), cases[k].text);
    gp_error_free(err);
    gp_turn_free(t);
    pu_ctx_free(c);
    free(sse);
  }
  gp__prov_free(p);
}

#define PM_API "claude"
#include "provider_mock.h"

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_build_messages),
      GP_TEST(test_build_tools_and_options),
      GP_TEST(test_stream_thinking_text_tools),
      GP_TEST(test_stream_failures_keep_partial),
      PROVIDER_MOCK_TESTS,
  };
  if (getenv("GP_TEST_FILTER")) cmocka_set_test_filter(getenv("GP_TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
