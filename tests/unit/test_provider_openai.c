// timeout: 180
/* The `openai` engine (Chat Completions): request building from turns, decoding of
 * recorded streams (text, usage, reasoning, parallel tool calls merged by index, a new
 * id at a reused index, invalid arguments, error chunks, malformed and truncated
 * streams) split at every size, configuration and key rules; then the engine against
 * geppetto-mock over loopback (provider_mock.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "provider_util.h"
#include "testutil.h"

/* ---- request building ---- */

static void test_build_messages(void **state) {
  gp_prov_t *p = pu_prov("openai", "http://127.0.0.1:1/v1", NULL);
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = pu_conversation();
  json_t *body = gp__prov_build(p, &c->ctx, t);
  assert_true(pu_json_is(json_object_get(body, "messages"),
      "[{\"role\":\"system\",\"content\":\"You are terse.\"},"
      " {\"role\":\"user\",\"content\":\"Weather in Paris and the time?\"},"
      " {\"role\":\"assistant\",\"content\":\"Let me check.\",\"tool_calls\":["
      "   {\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
      "   {\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}]},"
      " {\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"{\\\"temp\\\":21,\\\"sky\\\":\\\"clear\\\"}\"},"
      " {\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"clock unavailable\"},"
      " {\"role\":\"user\",\"content\":\"Thanks\"}]"));
  assert_true(json_is_true(json_object_get(body, "stream")));
  assert_true(pu_json_is(json_object_get(body, "stream_options"), "{\"include_usage\":true}"));
  assert_string_equal(json_string_value(json_object_get(body, "model")), "test-model");
  /* No tools offered: neither tools nor tool_choice is sent. */
  assert_null(json_object_get(body, "tools"));
  assert_null(json_object_get(body, "tool_choice"));
  json_decref(body);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp__prov_free(p);
}

static void test_build_tool_only_step_and_text_after_calls(void **state) {
  gp_prov_t *p = pu_prov("openai", "http://127.0.0.1:1/v1", NULL);
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("go"));
  gp_turn_append(t, gp_block_new_tool_call("c1", "f", json_pack("{s:s}", "_raw", "{broken")));
  gp_turn_append(t, gp_block_new_tool_use("c1", json_string("plain text"), NULL));
  gp_turn_append(t, gp_block_new_assistant("first"));
  gp_turn_append(t, gp_block_new_tool_call("c2", "f", json_object()));
  gp_turn_append(t, gp_block_new_assistant("after the call"));
  json_t *body = gp__prov_build(p, NULL, t);
  assert_true(pu_json_is(json_object_get(body, "messages"),
      "[{\"role\":\"user\",\"content\":\"go\"},"
      " {\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
      "   \"function\":{\"name\":\"f\",\"arguments\":\"{broken\"}}]},"
      " {\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"plain text\"},"
      " {\"role\":\"assistant\",\"content\":\"first\",\"tool_calls\":[{\"id\":\"c2\",\"type\":\"function\","
      "   \"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]},"
      " {\"role\":\"assistant\",\"content\":\"after the call\"}]"));
  json_decref(body);
  gp_turn_free(t);
  gp__prov_free(p);
}

static void test_build_tools_and_options(void **state) {
  gp_engine_config_t cfg;
  gp_engine_config_init(&cfg);
  const char *stop[] = {"END", "STOP"};
  cfg.api_type = "openai";
  cfg.model = "m1";
  cfg.base_url = "http://localhost:11434/v1/";
  cfg.has_temperature = 1;
  cfg.temperature = 0.25;
  cfg.has_top_p = 1;
  cfg.top_p = 0.5;
  cfg.max_tokens = 77;
  cfg.stop = stop;
  cfg.nstop = 2;
  gp_error_t *err = NULL;
  gp_prov_t *p = gp__prov_new(&cfg, &err);
  assert_non_null(p);
  assert_string_equal(p->base_url, "http://localhost:11434/v1");
  assert_null(p->api_key); /* a local server needs no key */
  pu_ctx_t *c = pu_ctx_new(pu_weather_tools());
  c->ctx.tool_choice = "required";
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_user("hi"));
  json_t *body = gp__prov_build(p, &c->ctx, t);
  assert_true(pu_json_is(json_object_get(body, "tools"),
      "[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather for a city\","
      "  \"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}},"
      " {\"type\":\"function\",\"function\":{\"name\":\"get_time\","
      "  \"parameters\":{\"type\":\"object\",\"properties\":{}}}}]"));
  assert_string_equal(json_string_value(json_object_get(body, "tool_choice")), "required");
  assert_true(json_real_value(json_object_get(body, "temperature")) == 0.25);
  assert_true(json_real_value(json_object_get(body, "top_p")) == 0.5);
  /* A compatible server gets max_tokens; api.openai.com gets max_completion_tokens. */
  assert_int_equal(json_integer_value(json_object_get(body, "max_tokens")), 77);
  assert_null(json_object_get(body, "max_completion_tokens"));
  assert_true(pu_json_is(json_object_get(body, "stop"), "[\"END\",\"STOP\"]"));
  json_decref(body);
  gp__prov_free(p);
  cfg.base_url = NULL;
  cfg.api_key = "sk-x";
  p = gp__prov_new(&cfg, &err);
  assert_non_null(p);
  assert_true(p->official_host);
  body = gp__prov_build(p, &c->ctx, t);
  assert_int_equal(json_integer_value(json_object_get(body, "max_completion_tokens")), 77);
  assert_null(json_object_get(body, "max_tokens"));
  json_decref(body);
  gp__prov_free(p);
  gp_turn_free(t);
  pu_ctx_free(c);
}

/* ---- recorded streams ---- */

static void test_stream_text_every_split(void **state) {
  gp_prov_t *p = pu_prov("openai", "http://127.0.0.1:1/v1", NULL);
  size_t len;
  char *sse = pu_fixture("openai_text.sse", &len);
  assert_non_null(sse);
  const size_t chunks[] = {0, 1, 2, 3, 7, 64};
  for (size_t k = 0; k < sizeof chunks / sizeof chunks[0]; k++) {
    pu_ctx_t *c = pu_ctx_new(NULL);
    gp_turn_t *t = gp_turn_new();
    gp_turn_append(t, gp_block_new_user("hi"));
    gp_error_t *err = NULL;
    assert_int_equal(pu_decode(p, c->em, t, sse, len, chunks[k], &err), 0);
    assert_null(err);
    assert_int_equal(t->nblocks, 2);
    assert_int_equal(t->blocks[1]->kind, GP_BLOCK_LLM_TEXT);
    assert_string_equal(gp_block_text(t->blocks[1]), "Hello world! Ça va?");
    assert_int_equal(pu_usage(t, "inputTokens"), 12);
    assert_int_equal(pu_usage(t, "outputTokens"), 5);
    assert_int_equal(pu_usage(t, "cachedTokens"), 4);
    assert_string_equal(pu_stop(t), "stop");
    /* One partial per non-empty delta; completion is everything so far. */
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_PARTIAL), 4);
    json_t *last = pu_cap_get(&c->cap, GP_EVENT_PARTIAL, -1);
    assert_string_equal(json_string_value(json_object_get(last, "delta")), "Ça va?");
    assert_string_equal(json_string_value(json_object_get(last, "completion")), "Hello world! Ça va?");
    assert_string_equal(json_string_value(json_object_get(pu_cap_get(&c->cap, GP_EVENT_PARTIAL, 1),
                                                          "completion")), "Hello wor");
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_TOOL_CALL), 0);
    gp_turn_free(t);
    pu_ctx_free(c);
  }
  free(sse);
  gp__prov_free(p);
}

static void test_stream_reasoning_and_parallel_calls(void **state) {
  gp_prov_t *p = pu_prov("openai", "http://127.0.0.1:1/v1", NULL);
  size_t len;
  char *sse = pu_fixture("openai_tools.sse", &len);
  const size_t chunks[] = {0, 1, 5};
  for (size_t k = 0; k < 3; k++) {
    pu_ctx_t *c = pu_ctx_new(NULL);
    gp_turn_t *t = gp_turn_new();
    gp_error_t *err = NULL;
    assert_int_equal(pu_decode(p, c->em, t, sse, len, chunks[k], &err), 0);
    /* reasoning, text, then the calls in order of first appearance. */
    assert_int_equal(t->nblocks, 5);
    assert_int_equal(t->blocks[0]->kind, GP_BLOCK_REASONING);
    assert_string_equal(gp_block_text(t->blocks[0]), "The user wants the weather.");
    assert_string_equal(gp_block_text(t->blocks[1]), "Let me check.");
    const char *ids[] = {"call_a", "call_b", "call_c"};
    const char *names[] = {"get_weather", "get_time", "get_weather"};
    const char *args[] = {"{\"city\":\"Paris\"}", "{\"tz\":\"Europe/Paris\"}", "{\"city\":\"Rome\"}"};
    for (int i = 0; i < 3; i++) {
      gp_block_t *b = t->blocks[2 + i];
      assert_int_equal(b->kind, GP_BLOCK_TOOL_CALL);
      assert_string_equal(gp_block_call_id(b), ids[i]);
      assert_string_equal(gp_block_tool_name(b), names[i]);
      assert_true(pu_json_is(gp_block_tool_args(b), args[i]));
      json_t *ev = pu_cap_get(&c->cap, GP_EVENT_TOOL_CALL, i);
      json_t *tc = json_object_get(ev, "toolCall");
      assert_string_equal(json_string_value(json_object_get(tc, "id")), ids[i]);
      assert_true(pu_json_is(json_object_get(tc, "input"), args[i]));
    }
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_TOOL_CALL), 3);
    assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_PARTIAL_THINKING), 2);
    assert_string_equal(json_string_value(json_object_get(
                            pu_cap_get(&c->cap, GP_EVENT_PARTIAL_THINKING, -1), "completion")),
                        "The user wants the weather.");
    assert_string_equal(pu_stop(t), "tool_calls");
    assert_int_equal(pu_usage(t, "inputTokens"), 40);
    assert_int_equal(pu_usage(t, "cachedTokens"), -1); /* not reported: absent */
    gp_turn_free(t);
    pu_ctx_free(c);
  }
  free(sse);
  gp__prov_free(p);
}

static void test_stream_invalid_arguments_kept_raw(void **state) {
  gp_prov_t *p = pu_prov("openai", "http://127.0.0.1:1/v1", NULL);
  gp_log_level_t saved = gp_log_get_level();
  gp_log_set_level(GP_LOG_OFF);
  size_t len;
  char *sse = pu_fixture("openai_badargs.sse", &len);
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = gp_turn_new();
  assert_int_equal(pu_decode(p, c->em, t, sse, len, 0, NULL), 0);
  assert_int_equal(t->nblocks, 1);
  assert_true(pu_json_is(gp_block_tool_args(t->blocks[0]), "{\"_raw\":\"{\\\"q\\\": \\\"unterminated\"}"));
  assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_LOG), 1);
  json_t *log = pu_cap_get(&c->cap, GP_EVENT_LOG, 0);
  assert_string_equal(json_string_value(json_object_get(log, "level")), "warn");
  assert_non_null(strstr(json_string_value(json_object_get(log, "message")), "call_x"));
  /* Sent back as the same text. */
  json_t *body = gp__prov_build(p, NULL, t);
  json_t *fn = json_object_get(json_array_get(json_object_get(json_array_get(json_object_get(body, "messages"), 0), "tool_calls"), 0), "function");
  assert_string_equal(json_string_value(json_object_get(fn, "arguments")), "{\"q\": \"unterminated");
  json_decref(body);
  gp_log_set_level(saved);
  gp_turn_free(t);
  pu_ctx_free(c);
  free(sse);
  gp__prov_free(p);
}

static void test_stream_failures_keep_partial(void **state) {
  gp_prov_t *p = pu_prov("openai", "http://127.0.0.1:1/v1", NULL);
  struct { const char *file, *text, *msg; } cases[] = {
      {"openai_error.sse", "Partial answer", "The server had an error"},
      {"openai_malformed.sse", "Hi", "malformed"},
      {"openai_truncated.sse", "Cut short", "final event"},
  };
  for (size_t k = 0; k < 3; k++) {
    size_t len;
    char *sse = pu_fixture(cases[k].file, &len);
    pu_ctx_t *c = pu_ctx_new(NULL);
    gp_turn_t *t = gp_turn_new();
    gp_error_t *err = NULL;
    assert_int_equal(pu_decode(p, c->em, t, sse, len, 3, &err), GP_ERR_PROVIDER_STREAM);
    assert_non_null(err);
    assert_non_null(strstr(err->message, cases[k].msg));
    assert_string_equal(pu_text_of(t, GP_BLOCK_LLM_TEXT), cases[k].text);
    gp_error_free(err);
    gp_turn_free(t);
    pu_ctx_free(c);
    free(sse);
  }
  gp__prov_free(p);
}

/* ---- configuration ---- */

static void test_config_errors_and_keys(void **state) {
  gp_error_t *err = NULL;
  gp_engine_config_t c;
  gp_engine_config_init(&c);
  c.api_type = "bard";
  c.model = "m";
  assert_null(gp_engine_from_config(&c, &err));
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "bard"));
  assert_non_null(strstr(err->message, "gemini"));
  assert_non_null(strstr(err->message, "openai-responses"));
  gp_error_free(err);
  err = NULL;
  c.api_type = "openai";
  c.model = NULL;
  assert_null(gp_engine_from_config(&c, &err));
  assert_non_null(strstr(err->message, "model"));
  gp_error_free(err);
  err = NULL;
  /* The official host needs a key: the message names what was looked at. */
  unsetenv("OPENAI_API_KEY");
  c.model = "gpt-4o-mini";
  assert_null(gp_engine_from_config(&c, &err));
  assert_int_equal(err->code, GP_ERR_CONFIG);
  assert_non_null(strstr(err->message, "OPENAI_API_KEY"));
  assert_non_null(strstr(err->message, "apiKey"));
  gp_error_free(err);
  err = NULL;
  setenv("OPENAI_API_KEY", "sk-from-env", 1);
  gp_prov_t *p = gp__prov_new(&c, &err);
  assert_string_equal(p->api_key, "sk-from-env");
  gp__prov_free(p);
  c.api_key_env = "MY_KEY_VAR";
  unsetenv("MY_KEY_VAR");
  assert_null(gp_engine_from_config(&c, &err));
  assert_non_null(strstr(err->message, "MY_KEY_VAR"));
  gp_error_free(err);
  err = NULL;
  setenv("MY_KEY_VAR", "sk-mine", 1);
  p = gp__prov_new(&c, &err);
  assert_string_equal(p->api_key, "sk-mine");
  gp__prov_free(p);
  unsetenv("OPENAI_API_KEY");
  unsetenv("MY_KEY_VAR");
  c.base_url = "ftp://x";
  assert_null(gp_engine_from_config(&c, &err));
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  gp_error_free(err);
  err = NULL;
  /* A custom base URL runs without a key; the engine names its provider and model. */
  c.base_url = "http://127.0.0.1:8080/v1";
  c.api_key_env = NULL;
  gp_engine_t *e = gp_engine_from_config(&c, &err);
  assert_non_null(e);
  assert_string_equal(gp_engine_provider(e), "openai");
  assert_string_equal(gp_engine_model(e), "gpt-4o-mini");
  gp_engine_unref(e);
}

static void test_config_json(void **state) {
  gp_error_t *err = NULL;
  json_t *cfg = json_pack("{s:s, s:s, s:s, s:f, s:i, s:[s,s], s:i, s:i, s:i}", "apiType",
                          "anthropic", "model", "claude-x", "baseURL", "http://127.0.0.1:9/v1",
                          "temperature", 0.5, "maxTokens", 100, "stop", "a", "b", "timeoutMs",
                          5000, "idleTimeoutMs", 700, "maxRetries", 0);
  gp_engine_t *e = gp_engine_from_config_json(cfg, &err);
  assert_non_null(e);
  /* A typo is refused, naming the key and the known ones. */
  json_t *typo = json_pack("{s:s, s:s, s:f}", "apiType", "openai", "model", "m", "temprature", 1.0);
  assert_null(gp_engine_from_config_json(typo, &err));
  assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "\"temprature\"; known keys: apiType"));
  gp_error_free(err);
  err = NULL;
  json_decref(typo);
  assert_string_equal(gp_engine_provider(e), "claude");
  gp_engine_unref(e);
  struct { const char *key; json_t *bad; } bad[] = {
      {"model", json_integer(3)}, {"temperature", json_string("hot")},
      {"maxTokens", json_real(1.5)}, {"stop", json_pack("[i]", 1)},
      {"timeoutMs", json_integer(-1)}, {"baseURL", json_true()},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    json_t *c2 = json_deep_copy(cfg);
    json_object_set_new(c2, bad[i].key, bad[i].bad);
    assert_null(gp_engine_from_config_json(c2, &err));
    assert_int_equal(err->code, GP_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(err->message, bad[i].key));
    gp_error_free(err);
    err = NULL;
    json_decref(c2);
  }
  assert_null(gp_engine_from_config_json(NULL, &err));
  gp_error_free(err);
  json_decref(cfg);
}

static void test_helpers(void **state) {
  char *s = gp__redact(gp__xstrdup("bad key sk-SECRET-1234, again sk-SECRET-1234."), "sk-SECRET-1234");
  assert_string_equal(s, "bad key [REDACTED], again [REDACTED].");
  s = gp__redact(s, NULL);
  assert_string_equal(s, "bad key [REDACTED], again [REDACTED].");
  free(s);
  char *m = gp__provider_error_message("{\"error\":{\"message\":\"Rate limit\",\"type\":\"rate_limit\"}}");
  assert_string_equal(m, "Rate limit (rate_limit)");
  free(m);
  m = gp__provider_error_message("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"invalid x-api-key\"}}");
  assert_string_equal(m, "invalid x-api-key (authentication_error)");
  free(m);
  m = gp__provider_error_message("{\"detail\":\"Not Found\"}");
  assert_string_equal(m, "Not Found");
  free(m);
  m = gp__provider_error_message("<html>Bad Gateway</html>");
  assert_string_equal(m, "<html>Bad Gateway</html>");
  free(m);
  m = gp__provider_error_message(NULL);
  assert_string_equal(m, "(empty body)");
  free(m);
}

#define PM_API "openai"
#include "provider_mock.h"

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_build_messages),
      GP_TEST(test_build_tool_only_step_and_text_after_calls),
      GP_TEST(test_build_tools_and_options),
      GP_TEST(test_stream_text_every_split),
      GP_TEST(test_stream_reasoning_and_parallel_calls),
      GP_TEST(test_stream_invalid_arguments_kept_raw),
      GP_TEST(test_stream_failures_keep_partial),
      GP_TEST(test_config_errors_and_keys),
      GP_TEST(test_config_json),
      GP_TEST(test_helpers),
      PROVIDER_MOCK_TESTS,
  };
  if (getenv("GP_TEST_FILTER")) cmocka_set_test_filter(getenv("GP_TEST_FILTER"));
  return cmocka_run_group_tests(tests, NULL, NULL);
}
