// timeout: 180
/* The `openai-responses` engine (OpenAI Responses): `input` items from turns (messages,
 * function_call, function_call_output), tools in the Responses shape, decoding of a
 * recorded stream (reasoning summary, output text, function-call arguments, completed
 * with usage) split at every size and of response.failed; then the engine against
 * geppetto-mock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "provider_util.h"
#include "testutil.h"

static void test_build_input(void **state) {
  gp_prov_t *p = pu_prov("openai-responses", "http://127.0.0.1:1/v1", NULL);
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = pu_conversation();
  json_t *body = gp__prov_build(p, &c->ctx, t);
  assert_true(pu_json_is(json_object_get(body, "input"),
      "[{\"type\":\"message\",\"role\":\"system\",\"content\":\"You are terse.\"},"
      " {\"type\":\"message\",\"role\":\"user\",\"content\":\"Weather in Paris and the time?\"},"
      " {\"type\":\"message\",\"role\":\"assistant\",\"content\":\"Let me check.\"},"
      " {\"type\":\"function_call\",\"call_id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"},"
      " {\"type\":\"function_call\",\"call_id\":\"call_2\",\"name\":\"get_time\",\"arguments\":\"{}\"},"
      " {\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"{\\\"temp\\\":21,\\\"sky\\\":\\\"clear\\\"}\"},"
      " {\"type\":\"function_call_output\",\"call_id\":\"call_2\",\"output\":\"clock unavailable\"},"
      " {\"type\":\"message\",\"role\":\"user\",\"content\":\"Thanks\"}]"));
  assert_true(json_is_true(json_object_get(body, "stream")));
  assert_null(json_object_get(body, "tools"));
  assert_null(json_object_get(body, "messages"));
  json_decref(body);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp__prov_free(p);
}

static void test_build_tools_and_options(void **state) {
  gp_engine_config_t cfg;
  gp_engine_config_init(&cfg);
  const char *stop[] = {"never sent"};
  cfg.api_type = "openai-responses";
  cfg.model = "gpt-4.1-mini";
  cfg.base_url = "http://127.0.0.1:1/v1";
  cfg.max_tokens = 300;
  cfg.has_temperature = 1;
  cfg.temperature = 1.0;
  cfg.stop = stop;
  cfg.nstop = 1;
  gp_error_t *err = NULL;
  gp_prov_t *p = gp__prov_new(&cfg, &err);
  pu_ctx_t *c = pu_ctx_new(pu_weather_tools());
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("hi"));
  json_t *body = gp__prov_build(p, &c->ctx, t);
  assert_true(pu_json_is(json_object_get(body, "tools"),
      "[{\"type\":\"function\",\"name\":\"get_weather\",\"description\":\"Weather for a city\",\"parameters\":"
      "  {\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}},"
      " {\"type\":\"function\",\"name\":\"get_time\",\"parameters\":{\"type\":\"object\",\"properties\":{}}}]"));
  assert_string_equal(json_string_value(json_object_get(body, "tool_choice")), "auto");
  assert_int_equal(json_integer_value(json_object_get(body, "max_output_tokens")), 300);
  assert_true(json_real_value(json_object_get(body, "temperature")) == 1.0);
  assert_null(json_object_get(body, "stop")); /* the API has no stop sequences */
  json_decref(body);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp__prov_free(p);
}

static void test_stream_reasoning_text_call(void **state) {
  gp_prov_t *p = pu_prov("openai-responses", "http://127.0.0.1:1/v1", NULL);
  size_t len;
  char *sse = pu_fixture("responses_tools.sse", &len);
  assert_non_null(sse);
  const size_t chunks[] = {0, 1, 3, 50};
  for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
    pu_ctx_t *c = pu_ctx_new(NULL);
    gp_turn_t *t = gp_turn_new();
    gp_error_t *err = NULL;
    assert_int_equal(pu_decode(p, c->em, t, sse, len, chunks[k], &err), 0);
    assert_int_equal(t->nblocks, 3);
    assert_int_equal(t->blocks[0]->kind, GP_BLOCK_REASONING);
    assert_string_equal(gp_block_text(t->blocks[0]), "Weather lookup.");
    assert_string_equal(gp_block_text(t->blocks[1]), "Checking now.");
    assert_string_equal(gp_block_call_id(t->blocks[2]), "call_r1");
    assert_string_equal(gp_block_tool_name(t->blocks[2]), "get_weather");
    assert_true(pu_json_is(gp_block_tool_args(t->blocks[2]), "{\"city\":\"Oslo\"}"));
    assert_int_equal(pu_usage(t, "inputTokens"), 30);
    assert_int_equal(pu_usage(t, "cachedTokens"), 8);
    assert_int_equal(pu_usage(t, "outputTokens"), 12);
    assert_string_equal(pu_stop(t), "completed");
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_PARTIAL), 2);
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_PARTIAL_THINKING), 2);
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_TOOL_CALL), 1);
    gp_turn_free(t);
    pu_ctx_free(c);
  }
  free(sse);
  gp__prov_free(p);
}

static void test_stream_failed_keeps_partial(void **state) {
  gp_prov_t *p = pu_prov("openai-responses", "http://127.0.0.1:1/v1", NULL);
  size_t len;
  char *sse = pu_fixture("responses_failed.sse", &len);
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = gp_turn_new();
  gp_error_t *err = NULL;
  assert_int_equal(pu_decode(p, c->em, t, sse, len, 5, &err), GP_ERR_PROVIDER_STREAM);
  assert_non_null(strstr(err->message, "server_error: The model failed."));
  assert_string_equal(pu_text_of(t, GP_BLOCK_LLM_TEXT), "Half");
  gp_error_free(err);
  gp_turn_free(t);
  pu_ctx_free(c);
  free(sse);
  gp__prov_free(p);
}

#define PM_API "openai-responses"
#include "provider_mock.h"

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_build_input),
      GP_TEST(test_build_tools_and_options),
      GP_TEST(test_stream_reasoning_text_call),
      GP_TEST(test_stream_failed_keeps_partial),
      PROVIDER_MOCK_TESTS,
  };
  if (getenv("GP_TEST_FILTER")) cmocka_set_test_filter(getenv("GP_TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
