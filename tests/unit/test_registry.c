/* Tests for the tool registry and the tool-loop settings: registration order,
 * replacement, defs with the allowed filter, direct calls, unknown tools, invalid
 * arguments, concurrent registration and calls from threads; settings defaults, copy
 * and the JSON form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include <geppetto/tool.h>

#include "testutil.h"

static atomic_int freed;
static atomic_int registrars_done;

static void count_free(void *ud) {
  (void)ud;
  atomic_fetch_add(&freed, 1);
}

/* Returns {"tool": ud-as-string, "args": args}. */
static int echo_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                     gp_error_t **err) {
  (void)err;
  assert_non_null(ctx->run.tags);
  *result = json_pack("{s:s, s:s, s:O}", "tool", (const char *)ud, "name", ctx->tool_name, "args", args);
  return 0;
}

static int failing_tool(void *ud, const gp_tool_ctx_t *ctx, json_t *args, json_t **result,
                        gp_error_t **err) {
  (void)ud;
  (void)ctx;
  (void)args;
  (void)result;
  return gp_error_set(err, GP_ERR_TOOL_FAILED, "disk on fire");
}

static json_t *js(const char *text) {
  json_t *j = json_loads(text, JSON_DECODE_ANY, NULL);
  assert_non_null(j);
  return j;
}

static void test_add_order_replace(void **state) {
  (void)state;
  atomic_store(&freed, 0);
  gp_registry_t *r = gp_registry_new();
  assert_int_equal(gp_registry_add(r, "b", "B tool", NULL, echo_tool, "b1", count_free, NULL), 0);
  assert_int_equal(gp_registry_add(r, "a", NULL, NULL, echo_tool, "a1", count_free, NULL), 0);
  assert_int_equal(gp_registry_add(r, "c", "C", NULL, echo_tool, "c1", count_free, NULL), 0);
  assert_int_equal(gp_registry_count(r), 3);
  /* Replacing keeps the position and frees the old user data. */
  assert_int_equal(gp_registry_add(r, "a", "A2", NULL, echo_tool, "a2", count_free, NULL), 0);
  assert_int_equal(atomic_load(&freed), 1);
  assert_int_equal(gp_registry_count(r), 3);
  assert_true(gp_registry_has(r, "a"));
  assert_false(gp_registry_has(r, "zz"));

  json_t *defs = gp_registry_defs(r, NULL, 0);
  assert_int_equal(json_array_size(defs), 3);
  assert_string_equal(json_string_value(json_object_get(json_array_get(defs, 0), "name")), "b");
  assert_string_equal(json_string_value(json_object_get(json_array_get(defs, 1), "name")), "a");
  assert_string_equal(json_string_value(json_object_get(json_array_get(defs, 1), "description")), "A2");
  assert_string_equal(json_string_value(json_object_get(json_array_get(defs, 2), "name")), "c");
  assert_true(json_is_object(json_object_get(json_array_get(defs, 0), "parameters")));
  json_decref(defs);

  const char *allowed[] = {"c", "b", "nope"};
  defs = gp_registry_defs(r, allowed, 3);
  assert_int_equal(json_array_size(defs), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(defs, 0), "name")), "b");
  assert_string_equal(json_string_value(json_object_get(json_array_get(defs, 1), "name")), "c");
  json_decref(defs);
  defs = gp_registry_defs(r, allowed, 0);
  assert_int_equal(json_array_size(defs), 0);
  json_decref(defs);

  assert_ptr_equal(gp_registry_ref(r), r);
  gp_registry_unref(r);
  assert_int_equal(atomic_load(&freed), 1);
  gp_registry_unref(r);
  assert_int_equal(atomic_load(&freed), 4);
  gp_registry_unref(NULL);
}

static void test_add_rejects(void **state) {
  (void)state;
  atomic_store(&freed, 0);
  gp_registry_t *r = gp_registry_new();
  gp_error_t *err = NULL;
  assert_int_equal(gp_registry_add(r, "", NULL, NULL, echo_tool, "x", count_free, &err), GP_ERR_INVALID_ARGUMENT);
  assert_non_null(err);
  gp_error_free(err);
  err = NULL;
  json_t *bad = js("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":5}}}");
  assert_int_equal(gp_registry_add(r, "t", NULL, bad, echo_tool, "x", count_free, &err), GP_ERR_INVALID_ARGUMENT);
  assert_non_null(strstr(err->message, "$.properties.a.type"));
  gp_error_free(err);
  json_decref(bad);
  assert_int_equal(gp_registry_add(r, "t", NULL, NULL, NULL, "x", count_free, NULL), GP_ERR_INVALID_ARGUMENT);
  assert_int_equal(atomic_load(&freed), 3); /* free_ud runs on failed registration */
  assert_int_equal(gp_registry_count(r), 0);
  gp_registry_unref(r);
}

static void test_call(void **state) {
  (void)state;
  gp_registry_t *r = gp_registry_new();
  json_t *schema = js("{\"type\":\"object\",\"required\":[\"q\"],\"properties\":{\"q\":{\"type\":\"string\"}}}");
  assert_int_equal(gp_registry_add(r, "search", "s", schema, echo_tool, "s1", NULL, NULL), 0);
  json_decref(schema);
  assert_int_equal(gp_registry_add(r, "fail", NULL, NULL, failing_tool, NULL, NULL, NULL), 0);

  json_t *args = js("{\"q\":\"cats\"}"), *res = NULL;
  gp_error_t *err = NULL;
  assert_int_equal(gp_registry_call(r, NULL, "search", args, &res, &err), 0);
  assert_null(err);
  assert_string_equal(json_string_value(json_object_get(res, "tool")), "s1");
  assert_string_equal(json_string_value(json_object_get(res, "name")), "search");
  assert_string_equal(json_string_value(json_object_get(json_object_get(res, "args"), "q")), "cats");
  json_decref(res);
  json_decref(args);

  res = NULL;
  args = js("{\"q\":3}");
  assert_int_equal(gp_registry_call(r, NULL, "search", args, &res, &err), GP_ERR_INVALID_ARGUMENT);
  assert_null(res);
  assert_non_null(strstr(err->message, "$.q: expected string, got integer"));
  gp_error_free(err);
  err = NULL;
  json_decref(args);

  assert_int_equal(gp_registry_call(r, NULL, "nope", NULL, &res, &err), GP_ERR_TOOL_NOT_FOUND);
  assert_non_null(strstr(err->message, "nope"));
  gp_error_free(err);
  err = NULL;

  assert_int_equal(gp_registry_call(r, NULL, "fail", NULL, &res, &err), GP_ERR_TOOL_FAILED);
  assert_string_equal(err->message, "disk on fire");
  gp_error_free(err);
  gp_registry_unref(r);
}

/* ---- concurrency ------------------------------------------------------------------ */

typedef struct {
  gp_registry_t *r;
  int id;
  atomic_int *calls_ok;
} worker_t;

static void *registrar(void *arg) {
  worker_t *w = arg;
  char name[32];
  for (int i = 0; i < 200; i++) {
    snprintf(name, sizeof name, "t%d", i % 10);
    assert_int_equal(gp_registry_add(w->r, name, "d", NULL, echo_tool, "v", count_free, NULL), 0);
    json_t *defs = gp_registry_defs(w->r, NULL, 0);
    assert_true(json_array_size(defs) >= 1);
    json_decref(defs);
  }
  atomic_fetch_add(&registrars_done, 1);
  return NULL;
}

static void *caller(void *arg) {
  worker_t *w = arg;
  char name[32];
  /* Calls until both registrars are done, and at least 400 times. */
  for (int i = 0; i < 400 || atomic_load(&registrars_done) < 2; i++) {
    snprintf(name, sizeof name, "t%d", i % 10);
    json_t *res = NULL;
    gp_error_t *err = NULL;
    int rc = gp_registry_call(w->r, NULL, name, NULL, &res, &err);
    if (rc == 0) {
      assert_string_equal(json_string_value(json_object_get(res, "name")), name);
      atomic_fetch_add(w->calls_ok, 1);
    } else {
      assert_int_equal(rc, GP_ERR_TOOL_NOT_FOUND);
    }
    json_decref(res);
    gp_error_free(err);
  }
  return NULL;
}

static void test_concurrent(void **state) {
  (void)state;
  atomic_store(&freed, 0);
  atomic_store(&registrars_done, 0);
  atomic_int ok = 0;
  gp_registry_t *r = gp_registry_new();
  pthread_t th[4];
  worker_t w[4];
  for (int i = 0; i < 4; i++) {
    w[i] = (worker_t){r, i, &ok};
    pthread_create(&th[i], NULL, i < 2 ? registrar : caller, &w[i]);
  }
  for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
  assert_int_equal(gp_registry_count(r), 10);
  assert_true(atomic_load(&ok) > 0);
  /* 400 registrations, 10 survive; every replaced entry was freed exactly once. */
  assert_int_equal(atomic_load(&freed), 390);
  gp_registry_unref(r);
  assert_int_equal(atomic_load(&freed), 400);
}

/* ---- settings --------------------------------------------------------------------- */

static void test_settings_defaults_copy(void **state) {
  (void)state;
  gp_tool_settings_t s, c;
  gp_tool_settings_init(&s);
  assert_int_equal(s.enabled, 1);
  assert_int_equal(s.max_iterations, 20);
  assert_int_equal(s.max_parallel_tools, 3);
  assert_int_equal(s.execution_timeout_ms, 30000);
  assert_string_equal(s.tool_choice, "auto");
  assert_int_equal(s.error_handling, GP_TOOL_ERRORS_CONTINUE);
  assert_int_equal(s.retry_max_retries, 2);
  assert_int_equal(s.retry_backoff_ms, 1000);
  assert_true(s.retry_backoff_factor == 2.0);
  assert_null(s.allowed_tools);
  assert_true(gp_tool_settings_allows(&s, "anything"));

  json_t *j = js("{\"allowedTools\":[\"a\",\"b\"],\"maxParallelTools\":5}");
  assert_int_equal(gp_tool_settings_from_json(&s, j, NULL), 0);
  json_decref(j);
  assert_int_equal(gp_tool_settings_copy(&c, &s), 0);
  gp_tool_settings_clear(&s);
  assert_int_equal(c.nallowed, 2);
  assert_int_equal(c.max_parallel_tools, 5);
  assert_true(gp_tool_settings_allows(&c, "b"));
  assert_false(gp_tool_settings_allows(&c, "c"));
  gp_tool_settings_clear(&c);
  assert_null(c.allowed_tools);
}

static void test_settings_from_json(void **state) {
  (void)state;
  gp_tool_settings_t s;
  gp_tool_settings_init(&s);
  json_t *j = js("{\"enabled\":false,\"maxIterations\":4,\"maxParallelTools\":8,"
                 "\"executionTimeoutMs\":100.0,\"toolChoice\":\"required\",\"toolErrorHandling\":\"retry\","
                 "\"retryMaxRetries\":5,\"retryBackoffMs\":10,\"retryBackoffFactor\":1.5,"
                 "\"allowedTools\":[]}");
  gp_error_t *err = NULL;
  assert_int_equal(gp_tool_settings_from_json(&s, j, &err), 0);
  json_decref(j);
  assert_int_equal(s.enabled, 0);
  assert_int_equal(s.max_iterations, 4);
  assert_int_equal(s.max_parallel_tools, 8);
  assert_int_equal(s.execution_timeout_ms, 100);
  assert_string_equal(s.tool_choice, "required");
  assert_int_equal(s.error_handling, GP_TOOL_ERRORS_RETRY);
  assert_int_equal(s.retry_max_retries, 5);
  assert_int_equal(s.retry_backoff_ms, 10);
  assert_true(s.retry_backoff_factor == 1.5);
  assert_non_null(s.allowed_tools);
  assert_int_equal(s.nallowed, 0);
  assert_false(gp_tool_settings_allows(&s, "a"));

  static const char *const bad[][2] = {
      {"{\"bogus\":1}", "bogus"},
      {"{\"enabled\":1}", "enabled"},
      {"{\"maxIterations\":\"3\"}", "maxIterations"},
      {"{\"maxParallelTools\":0}", "maxParallelTools"},
      {"{\"toolChoice\":\"sometimes\"}", "toolChoice"},
      {"{\"toolErrorHandling\":\"explode\"}", "toolErrorHandling"},
      {"{\"retryBackoffMs\":1.5}", "retryBackoffMs"},
      {"{\"allowedTools\":[1]}", "allowedTools"},
      {"{\"allowedTools\":\"a\"}", "allowedTools"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    j = js(bad[i][0]);
    err = NULL;
    assert_int_equal(gp_tool_settings_from_json(&s, j, &err), GP_ERR_INVALID_ARGUMENT);
    assert_non_null(err);
    if (!strstr(err->message, bad[i][1])) fail_msg("'%s' does not name %s", err->message, bad[i][1]);
    gp_error_free(err);
    json_decref(j);
  }
  /* A failed read leaves the settings unchanged. */
  assert_int_equal(s.max_iterations, 4);
  j = js("{\"allowedTools\":null}");
  assert_int_equal(gp_tool_settings_from_json(&s, j, NULL), 0);
  json_decref(j);
  assert_null(s.allowed_tools);
  j = js("[]");
  assert_int_equal(gp_tool_settings_from_json(&s, j, NULL), GP_ERR_INVALID_ARGUMENT);
  json_decref(j);
  gp_tool_settings_clear(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      GP_TEST(test_add_order_replace), GP_TEST(test_add_rejects),
      GP_TEST(test_call),              GP_TEST(test_concurrent),
      GP_TEST(test_settings_defaults_copy), GP_TEST(test_settings_from_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
