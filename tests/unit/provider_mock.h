/* The provider engine cases run against geppetto-mock over loopback, shared by the three
 * protocol test files. Before including, a test file defines PM_API (the engine's
 * apiType). Each case starts its own mock with tests/fixtures/providers/
 * mock_scenarios.json, whose answers are picked by a scenario tag in the user message
 * and synthesised in the request's protocol; request-building checks ride on the
 * fixture's `expect` (a failed expectation is a 422 and fails the case). */
#ifndef GP_TEST_PROVIDER_MOCK_H
#define GP_TEST_PROVIDER_MOCK_H

#include <pthread.h>

#include "mock_server.h"
#include "provider_util.h"

#ifndef PM_API
#error "define PM_API before including provider_mock.h"
#endif

#define PM_KEY "sk-test-key"
#define PM_WORDS20                                                                          \
  "one two three four five six seven eight nine ten eleven twelve thirteen fourteen "      \
  "fifteen sixteen seventeen eighteen nineteen twenty"

static int pm_is(const char *api) {
  if (strcmp(api, "anthropic") == 0) return !strcmp(PM_API, "claude") || !strcmp(PM_API, "anthropic");
  return strcmp(PM_API, api) == 0;
}

/* The provider metadata value and native stop reasons of this protocol. */
static const char *pm_provider(void) { return pm_is("anthropic") ? "claude" : PM_API; }
static const char *pm_stop_default(void) {
  if (pm_is("gemini")) return "STOP";
  return pm_is("openai") ? "stop" : pm_is("openai-responses") ? "completed" : "end_turn";
}
static const char *pm_stop_tools(void) {
  if (pm_is("gemini")) return "STOP";
  return pm_is("openai") ? "tool_calls" : pm_is("openai-responses") ? "completed" : "tool_use";
}

static gp_mock_t *pm_start(void) {
  char *path = pu_fixture_path("mock_scenarios.json");
  const char *paths[] = {path};
  gp_mock_t *m = gp_mock_start(paths, 1);
  free(path);
  return m;
}

/* An engine on the mock; `extra` (stolen, may be NULL) overrides config keys. */
static gp_engine_t *pm_engine(gp_mock_t *m, json_t *extra) {
  char *base = gp__xasprintf("%s%s", gp_mock_url(m), pm_is("gemini") ? "/v1beta" : "/v1");
  json_t *cfg = json_pack("{s:s, s:s, s:s, s:s, s:f}", "apiType", PM_API, "model", "gpt-test",
                          "baseURL", base, "apiKey", PM_KEY, "temperature", 0.5);
  free(base);
  if (extra) json_object_update(cfg, extra);
  json_decref(extra);
  gp_error_t *err = NULL;
  gp_engine_t *e = gp_engine_from_config_json(cfg, &err);
  json_decref(cfg);
  if (!e) fail_msg("engine: %s", err ? err->message : "?");
  return e;
}

static gp_turn_t *pm_turn(const char *scenario) {
  gp_turn_t *t = gp_turn_new();
  gp_turn_append(t, gp_block_new_system("Be brief."));
  char *text = gp__xasprintf("%s please", scenario);
  gp_turn_append(t, gp_block_new_user(text));
  free(text);
  return t;
}

/* Runs one inference; fails the case with the message unless it returns `want`.
 * Returns the error (caller frees) when `want` != 0. */
static gp_error_t *pm_infer(gp_engine_t *e, pu_ctx_t *c, gp_turn_t *t, int want) {
  gp_error_t *err = NULL;
  int rc = gp_engine_infer(e, &c->ctx, t, &err);
  if (rc != want) {
    fail_msg("infer returned %s (want %s): %s", gp_err_name(rc), gp_err_name(want),
             err ? err->message : "(no error)");
  }
  if (want != 0 && (!err || err->code != want)) fail_msg("error object missing or wrong code");
  if (want == 0) gp_error_free(err);
  return want == 0 ? NULL : err;
}

static int64_t pm_log_int(json_t *log, size_t i, const char *key) {
  return json_integer_value(json_object_get(json_array_get(log, i), key));
}

/* The final llm_text after a failure must be a non-empty prefix of what was sent. */
static void pm_assert_partial_prefix(gp_turn_t *t, const char *full) {
  const char *partial = pu_text_of(t, GP_BLOCK_LLM_TEXT);
  if (!partial || !*partial) fail_msg("no partial llm_text kept");
  assert_true(strlen(partial) < strlen(full));
  assert_memory_equal(partial, full, strlen(partial));
}

/* ---- cases ---- */

static void pm_text(void **state) {
  gp_mock_t *m = pm_start();
  gp_engine_t *e = pm_engine(m, NULL);
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = pm_turn("SCN-text");
  pm_infer(e, c, t, 0);
  const char *want = "Hello from the mock, streaming word by word.";
  assert_int_equal(t->nblocks, 3);
  assert_string_equal(gp_block_text(t->blocks[2]), want);
  assert_int_equal(pu_usage(t, "inputTokens"), 12);
  assert_int_equal(pu_usage(t, "outputTokens"), 9);
  assert_string_equal(pu_stop(t), pm_stop_default());
  assert_string_equal(json_string_value(gp_turn_get_meta(t, GP_META_PROVIDER)), pm_provider());
  assert_string_equal(json_string_value(gp_turn_get_meta(t, GP_META_MODEL)), "gpt-test");
  assert_true(pu_cap_count(&c->cap, GP_EVENT_PARTIAL) >= 5); /* streamed in pieces */
  json_t *last = pu_cap_get(&c->cap, GP_EVENT_PARTIAL, -1);
  assert_string_equal(json_string_value(json_object_get(last, "completion")), want);
  json_t *log = gp_mock_requests(m);
  assert_int_equal(json_array_size(log), 1);
  assert_int_equal(pm_log_int(log, 0, "status"), 200);
  assert_true(json_is_null(json_object_get(json_array_get(log, 0), "expectation_error")));
  json_decref(log);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp_engine_unref(e);
  gp_mock_stop(m);
}

static void pm_tools_round_trip(void **state) {
  gp_mock_t *m = pm_start();
  gp_engine_t *e = pm_engine(m, NULL);
  pu_ctx_t *c = pu_ctx_new(pu_weather_tools());
  gp_turn_t *t = pm_turn("SCN-tools");
  pm_infer(e, c, t, 0);
  /* system, user, reasoning, text, two calls */
  assert_int_equal(t->nblocks, 6);
  assert_int_equal(t->blocks[2]->kind, GP_BLOCK_REASONING);
  assert_string_equal(gp_block_text(t->blocks[2]), "The user wants the weather and the time.");
  if (pm_is("anthropic")) {
    const char *sig = json_string_value(json_object_get(t->blocks[2]->metadata, "signature"));
    assert_non_null(sig);
    assert_true(strlen(sig) > 0);
  }
  assert_string_equal(gp_block_text(t->blocks[3]), "Let me check.");
  assert_string_equal(gp_block_call_id(t->blocks[4]), "call_1");
  assert_true(pu_json_is(gp_block_tool_args(t->blocks[4]), "{\"city\":\"Paris\"}"));
  assert_string_equal(gp_block_tool_name(t->blocks[5]), "get_time");
  assert_true(pu_json_is(gp_block_tool_args(t->blocks[5]), "{}"));
  assert_int_equal(pu_cap_count(&c->cap, GP_EVENT_TOOL_CALL), 2);
  assert_true(pu_cap_count(&c->cap, GP_EVENT_PARTIAL_THINKING) >= 2);
  assert_string_equal(pu_stop(t), pm_stop_tools());
  assert_int_equal(pu_usage(t, "inputTokens"), 40);
  /* Second step: the results go back; the fixture checks how they were sent. */
  gp_turn_append(t, gp_block_new_tool_use("call_1", json_pack("{s:i, s:s}", "temp", 21, "sky", "clear"), NULL));
  gp_turn_append(t, gp_block_new_tool_use("call_2", json_null(), "clock unavailable"));
  pm_infer(e, c, t, 0);
  assert_string_equal(gp_block_text(t->blocks[t->nblocks - 1]), "It is sunny in Paris.");
  json_t *log = gp_mock_requests(m);
  assert_int_equal(json_array_size(log), 2);
  assert_int_equal(pm_log_int(log, 1, "tool_results"), 2);
  json_decref(log);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp_engine_unref(e);
  gp_mock_stop(m);
}

static void pm_retry_429(void **state) {
  gp_mock_t *m = pm_start();
  gp_engine_t *e = pm_engine(m, NULL);
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = pm_turn("SCN-retry");
  pm_infer(e, c, t, 0);
  assert_string_equal(pu_text_of(t, GP_BLOCK_LLM_TEXT), "Recovered after a retry.");
  json_t *log = gp_mock_requests(m);
  assert_int_equal(json_array_size(log), 2);
  assert_int_equal(pm_log_int(log, 0, "status"), 429);
  assert_int_equal(pm_log_int(log, 1, "status"), 200);
  json_decref(log);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp_engine_unref(e);
  gp_mock_stop(m);
}

static void pm_auth_401(void **state) {
  gp_mock_t *m = pm_start();
  gp_engine_t *e = pm_engine(m, NULL);
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = pm_turn("SCN-auth");
  gp_error_t *err = pm_infer(e, c, t, GP_ERR_PROVIDER_AUTH);
  assert_non_null(strstr(err->message, "401"));
  assert_non_null(strstr(err->message, "Incorrect API key provided"));
  assert_null(strstr(err->message, PM_KEY)); /* the echoed key is redacted */
  assert_non_null(strstr(err->message, "[REDACTED]"));
  json_t *log = gp_mock_requests(m);
  assert_int_equal(json_array_size(log), 1); /* 401 is not retried */
  json_decref(log);
  gp_error_free(err);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp_engine_unref(e);
  gp_mock_stop(m);
}

static void pm_http_500(void **state) {
  gp_mock_t *m = pm_start();
  gp_engine_t *e = pm_engine(m, json_pack("{s:i}", "maxRetries", 1));
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = pm_turn("SCN-500");
  gp_error_t *err = pm_infer(e, c, t, GP_ERR_PROVIDER_HTTP);
  assert_non_null(strstr(err->message, "HTTP 500"));
  assert_non_null(strstr(err->message, "The engine exploded"));
  assert_non_null(strstr(err->message, "2 attempts"));
  json_t *log = gp_mock_requests(m);
  assert_int_equal(json_array_size(log), 2);
  json_decref(log);
  gp_error_free(err);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp_engine_unref(e);
  gp_mock_stop(m);
}

/* A fault mid-stream: the error, the partial text kept, what the message says. */
static void pm_fault(const char *kind, json_t *extra, int want, const char *msg_part) {
  gp_mock_t *m = pm_start();
  gp_engine_t *e = pm_engine(m, extra);
  pu_ctx_t *c = pu_ctx_new(NULL);
  char *scn = gp__xasprintf("SCN-fault-%s", kind);
  gp_turn_t *t = pm_turn(scn);
  free(scn);
  int64_t t0 = gp__mono_ms();
  gp_error_t *err = pm_infer(e, c, t, want);
  int64_t ms = gp__mono_ms() - t0;
  printf("[ %s ] %s -> %s after %lld ms: %s\n", PM_API, kind, gp_err_name(err->code),
         (long long)ms, err->message);
  if (msg_part && !strstr(err->message, msg_part)) {
    fail_msg("%s: message \"%s\" lacks \"%s\"", kind, err->message, msg_part);
  }
  pm_assert_partial_prefix(t, PM_WORDS20);
  assert_true(ms < 10000);
  gp_error_free(err);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp_engine_unref(e);
  gp_mock_stop(m);
}

static void pm_error_event(void **state) { pm_fault("error_event", NULL, GP_ERR_PROVIDER_STREAM, NULL); }
static void pm_reset(void **state) { pm_fault("reset", NULL, GP_ERR_PROVIDER_STREAM, NULL); }
static void pm_malformed(void **state) { pm_fault("malformed", NULL, GP_ERR_PROVIDER_STREAM, "malformed"); }
static void pm_truncate(void **state) { pm_fault("truncate", NULL, GP_ERR_PROVIDER_STREAM, "final event"); }
static void pm_stall(void **state) {
  pm_fault("stall", json_pack("{s:i}", "idleTimeoutMs", 300), GP_ERR_TIMEOUT, NULL);
}

static void pm_huge(void **state) {
  gp_mock_t *m = pm_start();
  gp_engine_t *e = pm_engine(m, json_pack("{s:i}", "maxResponseBytes", 65536));
  pu_ctx_t *c = pu_ctx_new(NULL);
  gp_turn_t *t = pm_turn("SCN-huge");
  gp_error_t *err = pm_infer(e, c, t, GP_ERR_RESPONSE_TOO_LARGE);
  gp_error_free(err);
  gp_turn_free(t);
  pu_ctx_free(c);
  gp_engine_unref(e);
  gp_mock_stop(m);
}

typedef struct {
  gp_engine_t *e;
  pu_ctx_t *c;
  gp_turn_t *t;
  int rc;
  gp_error_t *err;
  uint64_t returned_ns;        /* monotonic time the engine returned */
} pm_bg_t;

static void *pm_bg_main(void *arg) {
  pm_bg_t *bg = arg;
  bg->rc = gp_engine_infer(bg->e, &bg->c->ctx, bg->t, &bg->err);
  bg->returned_ns = gp__mono_ns();
  return NULL;
}

static int pm_has_partial(void *arg) {
  return pu_cap_count(&((pu_ctx_t *)arg)->cap, GP_EVENT_PARTIAL) >= 3;
}

/* Cancels a long stream after a few words; reports and bounds the latency from
 * gp_cancel_fire to the engine returning. */
static void pm_cancel(void **state) {
  gp_mock_t *m = pm_start();
  pm_bg_t bg = {.e = pm_engine(m, NULL), .c = pu_ctx_new(NULL), .t = pm_turn("SCN-cancel")};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, pm_bg_main, &bg), 0);
  assert_true(gp_test_wait_until(pm_has_partial, bg.c, 10000));
  uint64_t t0 = gp__mono_ns();
  gp_cancel_fire(bg.c->cancel, GP_ERR_CANCELED);
  pthread_join(th, NULL);
  double ms = (double)(bg.returned_ns - t0) / 1e6;
  printf("[ %s ] cancel latency: %.2f ms\n", PM_API, ms);
  assert_int_equal(bg.rc, GP_ERR_CANCELED);
  assert_true(ms < 100.0);
  const char *partial = pu_text_of(bg.t, GP_BLOCK_LLM_TEXT);
  assert_non_null(partial);
  assert_true(strncmp(partial, "w1 w2 w3", 8) == 0);
  json_t *log = gp_mock_wait_requests(m, 1, 5000);
  assert_int_equal(json_array_size(log), 1);
  assert_true(json_is_true(json_object_get(json_array_get(log, 0), "client_closed")));
  json_decref(log);
  gp_error_free(bg.err);
  gp_turn_free(bg.t);
  pu_ctx_free(bg.c);
  gp_engine_unref(bg.e);
  gp_mock_stop(m);
}

/* One engine, several runs at once on their own threads (engines are shared). */
#define PM_NCONC 4
static void pm_concurrent(void **state) {
  gp_mock_t *m = pm_start();
  gp_engine_t *e = pm_engine(m, NULL);
  pm_bg_t bg[PM_NCONC];
  pthread_t th[PM_NCONC];
  for (int i = 0; i < PM_NCONC; i++) {
    bg[i] = (pm_bg_t){.e = e, .c = pu_ctx_new(NULL), .t = pm_turn("SCN-text")};
    assert_int_equal(pthread_create(&th[i], NULL, pm_bg_main, &bg[i]), 0);
  }
  for (int i = 0; i < PM_NCONC; i++) {
    pthread_join(th[i], NULL);
    if (bg[i].rc != 0) fail_msg("run %d: %s", i, bg[i].err ? bg[i].err->message : "?");
    assert_string_equal(pu_text_of(bg[i].t, GP_BLOCK_LLM_TEXT),
                        "Hello from the mock, streaming word by word.");
    gp_turn_free(bg[i].t);
    pu_ctx_free(bg[i].c);
  }
  json_t *log = gp_mock_requests(m);
  assert_int_equal(json_array_size(log), PM_NCONC);
  json_decref(log);
  gp_engine_unref(e);
  gp_mock_stop(m);
}

#define PROVIDER_MOCK_TESTS                                                                 \
  GP_TEST(pm_text), GP_TEST(pm_tools_round_trip), GP_TEST(pm_retry_429),                    \
      GP_TEST(pm_auth_401), GP_TEST(pm_http_500), GP_TEST(pm_error_event), GP_TEST(pm_reset), \
      GP_TEST(pm_malformed), GP_TEST(pm_truncate), GP_TEST(pm_stall), GP_TEST(pm_huge),     \
      GP_TEST(pm_cancel), GP_TEST(pm_concurrent)

#endif
